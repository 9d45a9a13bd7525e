import Foundation
import PVEMendTestSupport

#if canImport(Glibc)
  import Glibc
#endif

/// An ssh-agent started by a test on its own socket (`ssh-agent -a <socket>`), stopped by PID.
final class SSHAgent: @unchecked Sendable {
  let socket: String
  private let pid: pid_t
  private let directory: URL

  init() throws {
    directory = try SSHD.makeTemporaryDirectory(prefix: "pvemend-agent")
    socket = directory.appendingPathComponent("agent.sock").path
    let output = try SSHD.run("/usr/bin/ssh-agent", ["-s", "-a", socket])
    // SSH_AUTH_SOCK=…; export SSH_AUTH_SOCK;\nSSH_AGENT_PID=1234; export SSH_AGENT_PID;
    guard let range = output.range(of: "SSH_AGENT_PID="),
      let pid = pid_t(output[range.upperBound...].prefix { $0.isNumber })
    else { throw SSHDError("ssh-agent printed no PID: \(output)") }
    self.pid = pid
  }

  /// `ssh-add <key>` against this agent.
  func add(_ key: String) throws {
    try SSHD.run("/usr/bin/ssh-add", ["-q", key], environment: ["SSH_AUTH_SOCK": socket])
  }

  func stop() {
    _ = kill(pid, SIGTERM)
    try? FileManager.default.removeItem(at: directory)
  }

  deinit { stop() }
}
