import Foundation
import PVEModel

/// Runs argv arrays on cluster nodes. The executor and the collector depend on this, never on SSH.
///
/// The live implementation is `SSHTransport.LibSSH2Transport`; tests use a recording fake.
package protocol Transport: Sendable {
  /// Runs `command.argv` on `command.node` and returns what it printed. A non-zero exit status is a
  /// result, not an error; errors are for not being able to run it at all (or a timeout).
  func run(_ command: RemoteCommand, options: RunOptions) async throws -> CommandResult
  /// The SHA256 fingerprint (`SHA256:…`) of the node's verified host key, once connected.
  func hostKeyFingerprint(node: String) async -> String?
  /// Closes every connection.
  func shutdown() async
}

extension Transport {
  package func run(_ command: RemoteCommand) async throws -> CommandResult {
    try await run(command, options: RunOptions())
  }
}

/// Per-command options.
package struct RunOptions: Sendable, Hashable {
  /// Receives output as it arrives: a chunk of bytes and whether it came on stderr.
  package typealias Output = @Sendable (Data, _ stderr: Bool) -> Void

  /// Bytes sent on the command's standard input (then EOF).
  package var stdin: Data?
  /// Deadline for the whole command; the transport also wraps the remote command in `timeout` so
  /// the node stops it (a client-side timeout alone does not stop a remote command).
  package var timeout: Duration?
  /// Called with each chunk of output as it arrives (from the transport's read loop: keep it quick,
  /// never block in it). A transport that streams leaves the streamed bytes out of the result, so
  /// a long command's output is not buffered twice; one that cannot stream returns it in the
  /// result as before.
  package var output: Output?
  /// Run the command on a connection of its own to the node, so that a long command (following a
  /// detached command's log for minutes) does not queue the node's short reads behind it.
  package var dedicatedConnection: Bool
  /// Give up (`connectionLost`) when no byte arrives for this long: a connection that died without
  /// a reset (Wi-Fi gone, laptop lid shut) otherwise hangs until TCP gives up, many minutes later.
  /// Only for commands that print regularly (the detached follower prints a heartbeat).
  package var silenceTimeout: Duration?

  package init(
    stdin: Data? = nil, timeout: Duration? = nil, output: Output? = nil,
    dedicatedConnection: Bool = false, silenceTimeout: Duration? = nil
  ) {
    self.silenceTimeout = silenceTimeout
    self.stdin = stdin
    self.timeout = timeout
    self.output = output
    self.dedicatedConnection = dedicatedConnection
  }

  /// Equal when everything but the output callback is (closures cannot be compared).
  package static func == (a: RunOptions, b: RunOptions) -> Bool {
    a.stdin == b.stdin && a.timeout == b.timeout && a.dedicatedConnection == b.dedicatedConnection
      && a.silenceTimeout == b.silenceTimeout
      && (a.output == nil) == (b.output == nil)
  }

  package func hash(into hasher: inout Hasher) {
    hasher.combine(stdin)
    hasher.combine(timeout)
    hasher.combine(dedicatedConnection)
    hasher.combine(silenceTimeout)
    hasher.combine(output == nil)
  }
}

/// What a command printed and how it ended.
package struct CommandResult: Sendable, Hashable {
  package var stdout: Data
  package var stderr: Data
  /// The exit status; 0 with a signal means it was killed (libssh2 reports 0 then).
  package var exitStatus: Int32
  /// `KILL`, `TERM`, … when the command died of a signal.
  package var exitSignal: String?
  /// Wall time, seconds.
  package var duration: Double

  package init(
    stdout: Data, stderr: Data, exitStatus: Int32, exitSignal: String? = nil, duration: Double = 0
  ) {
    self.stdout = stdout
    self.stderr = stderr
    self.exitStatus = exitStatus
    self.exitSignal = exitSignal
    self.duration = duration
  }

  package var succeeded: Bool { exitStatus == 0 && exitSignal == nil }
  package var stdoutText: String { String(decoding: stdout, as: UTF8.self) }
  package var stderrText: String { String(decoding: stderr, as: UTF8.self) }
}

/// Why a command could not be run. Messages carry the library's text and end with the fix.
package enum TransportError: Error, Sendable, Hashable, CustomStringConvertible {
  /// No connection (DNS, refused, timeout).
  case unreachable(node: String, detail: String)
  /// The node's host key is not in known_hosts.
  case unknownHostKey(node: String, host: String, fingerprint: String, knownHosts: String)
  /// The node's host key differs from the one on file (or is revoked).
  case changedHostKey(node: String, host: String, fingerprint: String, knownHosts: String)
  case revokedHostKey(node: String, host: String, fingerprint: String)
  /// Authentication failed.
  case authenticationFailed(node: String, user: String, detail: String)
  /// The key is RSA: libssh2 1.10 cannot sign rsa-sha2, which OpenSSH ≥ 8.8 requires.
  case rsaKeyUnsupported(node: String, path: String)
  /// The command did not finish in time; its effect is unknown.
  case timedOut(node: String, argv: [String], seconds: Double)
  /// The connection broke while the command ran; its effect is unknown.
  case connectionLost(node: String, detail: String)
  /// A dry run refused a mutating command (structural guard).
  case mutatingCommandInDryRun(node: String, argv: [String])
  /// The inventory has no such node.
  case unknownNode(String)
  /// Anything else libssh2 reported.
  case ssh(node: String, code: Int32, message: String)

  /// The message on one line; names and details quoted from input pass through `DisplayText`.
  package var description: String { DisplayText.oneLine(message, limit: .max) }

  private var message: String {
    switch self {
    case .unreachable(let node, let detail):
      return
        "\(node): cannot connect: \(detail); check the host and port in the inventory and that sshd runs"
    case .unknownHostKey(let node, let host, let fp, let kh):
      return
        "\(node): host key for \(host) is not known (\(fp)); verify it out of band, then add it to \(kh) or run again with --accept-new-host-keys"
    case .changedHostKey(let node, let host, let fp, let kh):
      return
        "\(node): HOST KEY CHANGED for \(host): the server now offers \(fp), which differs from \(kh); someone may be intercepting the connection, or the node was reinstalled: verify it, then remove the old line from \(kh)"
    case .revokedHostKey(let node, let host, let fp):
      return
        "\(node): host key \(fp) for \(host) is marked @revoked in known_hosts; refusing to connect"
    case .authenticationFailed(let node, let user, let detail):
      return
        "\(node): authentication as \(user) failed: \(detail); add an ed25519 public key to the node's /root/.ssh/authorized_keys or set identity in the inventory"
    case .rsaKeyUnsupported(let node, let path):
      return
        "\(node): \(path) is an RSA key; libssh2 1.10 signs only ssh-rsa (SHA-1), which OpenSSH 8.8 and later refuse. Create an ed25519 key (ssh-keygen -t ed25519), add its .pub to the node's authorized_keys, and name it as identity in the inventory"
    case .timedOut(let node, let argv, let seconds):
      return
        "\(node): '\(ShellQuoting.join(argv))' did not finish within \(Int(seconds)) s; its effect is unknown, check the node before retrying"
    case .connectionLost(let node, let detail):
      return
        "\(node): connection lost: \(detail); the command's effect is unknown, check the node and resume"
    case .mutatingCommandInDryRun(let node, let argv):
      return
        "\(node): refused to send mutating command '\(ShellQuoting.join(argv))' during a dry run; pass --execute to apply"
    case .unknownNode(let node):
      return "node '\(node)' is not in the inventory; add it under nodes:"
    case .ssh(let node, let code, let message):
      return "\(node): libssh2 error \(code): \(message)"
    }
  }
}

/// Wraps a transport for dry runs: read-only commands pass, mutating ones are refused before they
/// leave the process. This is the structural guarantee that a dry run changes nothing.
package struct DryRunTransport: Transport {
  package let base: any Transport

  package init(_ base: any Transport) { self.base = base }

  package func run(_ command: RemoteCommand, options: RunOptions) async throws -> CommandResult {
    guard !command.mutating, ReadOnlyCommands.isReadOnly(command.argv) else {
      throw TransportError.mutatingCommandInDryRun(node: command.node, argv: command.argv)
    }
    return try await base.run(command, options: options)
  }

  package func hostKeyFingerprint(node: String) async -> String? {
    await base.hostKeyFingerprint(node: node)
  }

  package func shutdown() async { await base.shutdown() }
}

/// The commands known not to change a cluster. Anything else counts as mutating.
package enum ReadOnlyCommands {
  package static func isReadOnly(_ argv: [String]) -> Bool {
    if DetachedScripts.isReadOnly(argv) { return true }
    guard let tool = argv.first else { return false }
    // A read batch: only pvemend's own constant script, whose arguments are data.
    if tool == "sh" { return ClusterRead.isReadBatch(argv) }
    let sub = argv.count > 1 ? argv[1] : ""
    switch tool {
    case "pvesh": return sub == "get"
    case "pveversion", "hostname", "true", "uname", "cat": return true
    case "ha-manager":
      return ["status", "config", "groupconfig"].contains(sub)
        || (sub == "rules" && argv.count > 2 && ["config", "list"].contains(argv[2]))
    case "qm", "pct": return ["config", "status", "list", "pending"].contains(sub)
    default: return false
    }
  }
}
