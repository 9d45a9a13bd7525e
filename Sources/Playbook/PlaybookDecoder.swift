import PVEModel

/// Decodes a playbook's YAML text into a `Policy`. (Stub: the playbook helper implements it.)
package enum PlaybookDecoder {
  /// Decodes `text` (the contents of `file`); errors name the file, the line and the accepted values.
  package static func decode(_ text: String, file: String) throws(PlaybookError) -> Policy {
    throw PlaybookError.invalid(file: file, line: 1, message: "playbook decoding is not implemented yet")
  }
}

/// Why a playbook could not be read.
package enum PlaybookError: Error, Sendable, Equatable, CustomStringConvertible {
  case invalid(file: String, line: Int, message: String)

  package var description: String {
    switch self {
    case .invalid(let file, let line, let message): return "\(file):\(line): \(message)"
    }
  }
}

extension Policy {
  /// The policy used when no playbook is given (same as playbooks/default.yaml).
  package static let builtinDefault = Policy()
}
