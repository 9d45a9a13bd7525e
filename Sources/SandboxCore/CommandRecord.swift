import Foundation
import PVEModel

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// One line of `DIR/commands.jsonl`: a mutating stand-in invocation (node, argv, PID, start and end
/// in seconds since 1970, exit status), appended under the state lock when the command ends, so a
/// test can prove each mutating command ran exactly once.
package struct CommandRecord: Sendable, Hashable {
  package var node: String
  package var argv: [String]
  package var pid: Int32
  package var start: Double
  package var end: Double
  package var exit: Int32

  package var json: JSONValue {
    .object([
      "node": .string(node), "argv": .array(argv.map(JSONValue.string)), "pid": .int(Int64(pid)),
      "start": .double(start), "end": .double(end), "exit": .int(Int64(exit)),
    ])
  }

  /// Appends the record as one line (one write(2) with O_APPEND) to `path`.
  func append(to path: String) throws(CommandFailure) {
    let line = Array((JSONText.compact(json) + "\n").utf8)
    let fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0o644)
    guard fd >= 0 else {
      throw CommandFailure(
        "pve-standin: cannot open the command record \(path): \(String(cString: strerror(errno)))")
    }
    defer { close(fd) }
    let written = line.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
    guard written == line.count else {
      throw CommandFailure(
        "pve-standin: cannot append to the command record \(path): \(String(cString: strerror(errno)))"
      )
    }
  }
}
