import PVEModel

/// Why a playbook could not be read: always with the file, the line and what to write instead.
package enum PlaybookError: Error, Sendable, Equatable, CustomStringConvertible {
  case invalid(file: String, line: Int, message: String)

  package var description: String {
    switch self {
    case .invalid(let file, let line, let message):
      // Values quoted from the playbook may hold line feeds, terminal escapes or bidi controls.
      return
        "\(DisplayText.oneLine(file, limit: .max)):\(line): \(DisplayText.oneLine(message, limit: .max))"
    }
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
