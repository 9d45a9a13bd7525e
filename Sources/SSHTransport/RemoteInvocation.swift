import Foundation
import PVEModel
import Transport

/// The exec string and stdin for one command: the argv quoted by `ShellQuoting`, wrapped in the
/// node's `timeout` when there is a deadline (a client-side timeout alone leaves the command
/// running), and moved to `sh -s` on stdin when it is longer than libssh2 1.10's exec limit
/// (≈34 KB).
struct RemoteInvocation: Sendable, Hashable {
  /// libssh2 1.10 refuses exec requests of 35,000 bytes; stay well below.
  static let execLimit = 32_000

  var command: String
  var stdin: Data?
  /// The node's `timeout` for the command, if any.
  var timeout: Duration?
  /// How long the client waits before giving up (the node's timeout plus its kill grace).
  var clientDeadline: Duration?

  init(node: String, argv: [String], stdin: Data?, timeout: Duration?, killAfter: Duration)
    throws(TransportError)
  {
    var words = argv
    if let timeout {
      words = ["timeout", "-k", Self.seconds(killAfter), Self.seconds(timeout)] + argv
      clientDeadline = timeout + killAfter + .seconds(3)
    }
    self.timeout = timeout
    let line = ShellQuoting.join(words)
    if line.utf8.count <= Self.execLimit {
      command = line
      self.stdin = stdin
      return
    }
    guard stdin == nil else {
      throw TransportError.ssh(
        node: node, code: -34,
        message:
          "the command is \(line.utf8.count) bytes and also has stdin; libssh2 1.10 refuses exec requests over ~34 KB: send the long part on stdin (sh -s)"
      )
    }
    let shell =
      timeout.map { ["timeout", "-k", Self.seconds(killAfter), Self.seconds($0), "sh", "-s"] } ?? [
        "sh", "-s",
      ]
    command = ShellQuoting.join(shell)
    self.stdin = Data(ShellQuoting.join(argv).utf8 + [0x0A])
  }

  /// `timeout`'s duration syntax: seconds with up to three decimals.
  static func seconds(_ duration: Duration) -> String {
    let millis = max(1, duration.milliseconds)
    if millis % 1000 == 0 { return "\(millis / 1000)s" }
    var text = String(format: "%.3f", Double(millis) / 1000)
    while text.hasSuffix("0") { text.removeLast() }
    return text + "s"
  }

  /// `timeout` exits 124 when it stopped the command with TERM, 137 when it had to KILL it.
  static func isTimeoutExit(status: Int32) -> Bool { status == 124 || status == 137 }
}
