/// A refusal exactly as a Proxmox tool prints it: the text for stderr and the exit status (255, the
/// status of an uncaught Perl `die`).
package struct CommandFailure: Error, Sendable, Hashable, CustomStringConvertible {
  /// The whole stderr text, ending with a newline.
  package var message: String
  package var exitCode: Int32

  package init(_ message: String, exitCode: Int32 = 255) {
    self.message = message.hasSuffix("\n") ? message : message + "\n"
    self.exitCode = exitCode
  }

  /// `400 Parameter verification failed.` with one `<param>: <reason>` line per parameter, then the
  /// command's usage line, as `PVE::CLIHandler` prints a parameter exception.
  package static func parameters(_ errors: [String: String], usage: String) -> CommandFailure {
    var text = "400 Parameter verification failed.\n"
    for key in errors.keys.sorted() { text += "\(key): \(errors[key] ?? "")\n" }
    text += "\n\(usage)\n"
    return CommandFailure(text)
  }

  /// A plain `400 <reason>` with the usage line (argument count errors).
  package static func usage(_ reason: String, usage: String) -> CommandFailure {
    CommandFailure("400 \(reason)\n\n\(usage)\n")
  }

  package var description: String { message }
}
