/// Why a playbook could not be read: always with the file, the line and what to write instead.
package enum PlaybookError: Error, Sendable, Equatable, CustomStringConvertible {
  case invalid(file: String, line: Int, message: String)

  package var description: String {
    switch self {
    case .invalid(let file, let line, let message):
      return "\(file):\(line): \(Self.oneLine(message))"
    }
  }

  /// The message on one line: values quoted from the playbook may hold line feeds or terminal
  /// escapes; they are shown escaped (`\n`, `\u{1B}`), never sent to the terminal.
  static func oneLine(_ text: String) -> String {
    guard text.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) else {
      return text
    }
    var out = ""
    for scalar in text.unicodeScalars {
      switch scalar {
      case "\n": out += "\\n"
      case "\r": out += "\\r"
      case "\t": out += "\\t"
      default:
        if scalar.properties.generalCategory == .control {
          out += "\\u{" + String(scalar.value, radix: 16, uppercase: true) + "}"
        } else {
          out.unicodeScalars.append(scalar)
        }
      }
    }
    return out
  }

  /// The 1-based line the error points at.
  package var line: Int {
    switch self {
    case .invalid(_, let line, _): return line
    }
  }

  /// The message without the `file:line:` prefix.
  package var message: String {
    switch self {
    case .invalid(_, _, let message): return message
    }
  }
}
