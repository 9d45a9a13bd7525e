import PVEModel
import Yams

/// One YAML node of a playbook with the file and key path it came from, so every error can name the
/// file, the line and the key (`ha.max_restart`, `critical[2].level`).
struct PlaybookNode {
  let node: Yams.Node
  let file: String
  /// Where the node sits; empty for the document itself.
  let path: String

  /// The 1-based line of the node (Yams `Node.mark`).
  var line: Int { node.mark?.line ?? 1 }

  static let nullTag = "tag:yaml.org,2002:null"

  /// `~`, `null` or nothing after the colon.
  var isNull: Bool {
    if case .scalar = node { return node.tag.rawValue == Self.nullTag }
    return false
  }

  /// The last key of the path, for examples (`max_restart: 3`).
  var key: String {
    let last = path.split(separator: ".").last.map(String.init) ?? path
    if let bracket = last.firstIndex(of: "[") { return String(last[..<bracket]) }
    return last
  }

  /// The path for messages: `ha.max_restart`, or `the playbook` for the document.
  var subject: String { path.isEmpty ? "the playbook" : path }

  func child(_ node: Yams.Node, path suffix: String) -> PlaybookNode {
    let joined =
      path.isEmpty || suffix.hasPrefix("[") ? path + suffix : path + "." + suffix
    return PlaybookNode(node: node, file: file, path: joined)
  }

  func error(_ message: String, line: Int? = nil) -> PlaybookError {
    .invalid(file: file, line: line ?? self.line, message: message)
  }

  /// A value quoted in a message: at most 60 characters (a 5,000-character value is not repeated).
  static func excerpt(_ text: String) -> String {
    text.count <= 60 ? text : String(text.prefix(59)) + "…"
  }

  /// What the node is, for "got …" in messages.
  var shape: String {
    switch node {
    case .mapping: return "a mapping"
    case .sequence: return "a list"
    case .alias: return "an alias"
    case .scalar(let scalar):
      if isNull { return "nothing" }
      switch node.tag.rawValue {
      case "tag:yaml.org,2002:int", "tag:yaml.org,2002:float":
        return "the number \(Self.excerpt(scalar.string))"
      case "tag:yaml.org,2002:bool": return "the boolean \(scalar.string)"
      default: return "'\(Self.excerpt(scalar.string))'"
      }
    }
  }

  /// A wrong-type error: what was expected, what was found, and an example of the right spelling.
  func typeError(_ expected: String, example: String) -> PlaybookError {
    error("\(subject) must be \(expected), got \(shape); example: \(example)")
  }

  /// The text of a scalar, whatever YAML type it resolved to (`02:00`, `110`, `zstd`).
  func scalarText(expected: String, example: String) throws(PlaybookError) -> String {
    guard case .scalar(let scalar) = node, !isNull else {
      throw typeError(expected, example: example)
    }
    return scalar.string
  }

  func string(example: String) throws(PlaybookError) -> String {
    let text = try scalarText(expected: "a string", example: "\(key): \(example)")
    guard !text.trimmingSpaces.isEmpty else {
      throw error("\(subject) must not be empty; example: \(key): \(example)")
    }
    return text
  }

  /// A string on one line and without control, bidi or zero-width characters
  /// (`DisplayText.isUnsafe`), at most `maxLength` characters: it ends up in Proxmox comments,
  /// which are single lines (a line feed makes Proxmox refuse the config it would be written to),
  /// and in every view of the plan.
  func singleLine(example: String, maxLength: Int? = nil) throws(PlaybookError) -> String {
    let text = try string(example: example)
    guard !text.unicodeScalars.contains(where: DisplayText.isUnsafe)
    else {
      throw error(
        "\(subject) must be one line without control, bidi or zero-width characters (line feeds, tabs, escapes, U+202E); example: \(key): \(example)"
      )
    }
    if let maxLength, text.count > maxLength {
      throw error(
        "\(subject) must be at most \(maxLength) characters, got \(text.count); example: \(key): \(example)"
      )
    }
    return text
  }

  func int(example: Int, minimum: Int? = nil) throws(PlaybookError) -> Int {
    let text = try scalarText(expected: "an integer", example: "\(key): \(example)")
    guard let value = Int(text.trimmingSpaces) else {
      throw typeError("an integer", example: "\(key): \(example)")
    }
    if let minimum, value < minimum {
      throw error(
        "\(subject) must be at least \(minimum), got \(value); example: \(key): \(example)")
    }
    return value
  }

  func number(example: String) throws(PlaybookError) -> Double {
    let text = try scalarText(expected: "a number", example: "\(key): \(example)")
    guard let value = Double(text.trimmingSpaces), value.isFinite else {
      throw typeError("a number", example: "\(key): \(example)")
    }
    return value
  }

  func bool(example: Bool) throws(PlaybookError) -> Bool {
    let text = try scalarText(expected: "true or false", example: "\(key): \(example)")
    switch text.trimmingSpaces.lowercased() {
    case "true", "yes", "on": return true
    case "false", "no", "off": return false
    default: throw typeError("true or false", example: "\(key): \(example)")
    }
  }

  /// One of `accepted` (compared case-insensitively, returned as spelled in `accepted`).
  func choice(_ accepted: [String], what: String) throws(PlaybookError) -> String {
    let list = accepted.joined(separator: ", ")
    let text = try scalarText(
      expected: "one of \(list)", example: "\(key): \(accepted.first ?? "")")
    let folded = text.trimmingSpaces.lowercased()
    guard let match = accepted.first(where: { $0.lowercased() == folded }) else {
      var message = "\(subject) '\(Self.excerpt(text))' is not \(what);"
      if let near = KeySuggestion.nearest(to: folded, in: accepted) {
        message += " did you mean '\(near)'?"
      }
      throw error(message + " accepted: \(list)")
    }
    return match
  }

  /// The items of a list.
  func list(example: String) throws(PlaybookError) -> [PlaybookNode] {
    guard case .sequence(let sequence) = node else {
      throw typeError("a list", example: example)
    }
    return sequence.enumerated().map { child($0.element, path: "[\($0.offset)]") }
  }

  /// The entries of a mapping whose keys are all in `accepted`; an unknown key is an error with the
  /// nearest accepted key and the full list.
  func mapping(accepted: [String], example: String) throws(PlaybookError) -> PlaybookMapping {
    guard case .mapping(let mapping) = node else {
      throw typeError("a mapping", example: example)
    }
    var entries: [(key: String, keyLine: Int, value: PlaybookNode)] = []
    for (keyNode, valueNode) in mapping {
      let keyLine = keyNode.mark?.line ?? line
      guard case .scalar(let scalar) = keyNode else {
        throw error(
          "keys in \(place) must be plain words; accepted: \(accepted.joined(separator: ", "))",
          line: keyLine)
      }
      let name = scalar.string
      guard accepted.contains(name) else {
        var message = "unknown key '\(Self.excerpt(name))' in \(place);"
        if let near = KeySuggestion.nearest(to: name, in: accepted) {
          message += " did you mean '\(near)'?"
        }
        throw error(message + " accepted: \(accepted.joined(separator: ", "))", line: keyLine)
      }
      entries.append((name, keyLine, child(valueNode, path: name)))
    }
    return PlaybookMapping(owner: self, entries: entries)
  }

  /// Where a key sits, for "unknown key … in ha": the path, or `the top level`.
  var place: String { path.isEmpty ? "the top level" : path }
}

extension String {
  /// Without leading and trailing spaces and tabs (no Foundation).
  var trimmingSpaces: String {
    var s = Substring(self)
    while let first = s.first, first == " " || first == "\t" { s = s.dropFirst() }
    while let last = s.last, last == " " || last == "\t" { s = s.dropLast() }
    return String(s)
  }
}
