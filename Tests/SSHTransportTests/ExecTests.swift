import Foundation
import PVEMendTestSupport
import PVEModel
import SSHTransport
import Testing
import Transport

/// Running commands over a real sshd: streams, exit status and signal, stdin, timeouts.
@Suite struct ExecTests {
  /// One server for the whole file.
  static let server = Result { try SSHD.start() }

  var sshd: SSHD { get throws { try Self.server.get() } }

  @Test func separatesStdoutStderrAndExitStatus() async throws {
    try await withTransport(try sshd.transport()) { transport in
      let result = try await transport.run(shell("echo out; echo err >&2; exit 3"))
      #expect(result.stdoutText == "out\n")
      #expect(result.stderrText == "err\n")
      #expect(result.exitStatus == 3)
      #expect(result.exitSignal == nil)
      #expect(!result.succeeded)
      #expect(await transport.hostKeyFingerprint(node: "pve1")?.hasPrefix("SHA256:") == true)
    }
  }

  @Test func argvIsQuotedNotInterpreted() async throws {
    try await withTransport(try sshd.transport()) { transport in
      let hostile = "a b; touch /tmp/pvemend-should-not-exist $(id) 'q' héllo ✓"
      let result = try await transport.run(
        RemoteCommand(node: "pve1", argv: ["printf", "%s", hostile], mutating: false))
      #expect(result.stdoutText == hostile)
      #expect(result.exitStatus == 0)
    }
  }

  @Test func reportsExitSignal() async throws {
    try await withTransport(try sshd.transport()) { transport in
      let result = try await transport.run(shell("kill -TERM $$"))
      #expect(result.exitSignal == "TERM")
      #expect(!result.succeeded)
      // The session is still usable afterwards.
      let next = try await transport.run(shell("echo again"))
      #expect(next.stdoutText == "again\n")
    }
  }

  @Test func twentyMegabytesOnBothStreamsAtOnce() async throws {
    try await withTransport(try sshd.transport()) { transport in
      let script =
        "head -c 20000000 /dev/zero & head -c 20000000 /dev/zero | tr '\\0' e >&2; wait; echo done"
      let result = try await transport.run(
        shell(script), options: RunOptions(timeout: .seconds(60)))
      #expect(result.stdout.count == 20_000_005)
      #expect(result.stderr.count == 20_000_000)
      #expect(result.stdout.suffix(5) == Data("done\n".utf8))
      #expect(result.exitStatus == 0)
    }
  }

  @Test func longStdinReachesTheCommand() async throws {
    try await withTransport(try sshd.transport()) { transport in
      // A 300 KB script on stdin, far past the exec-string limit.
      var script = "set -eu\n"
      for index in 0..<10_000 { script += "x\(index)=\"value \(index) ✓\"\n" }
      script += "echo \"$x9999\"\nexit 4\n"
      let result = try await transport.run(
        RemoteCommand(node: "pve1", argv: ["sh", "-s"], mutating: false),
        options: RunOptions(stdin: Data(script.utf8)))
      #expect(result.stdoutText == "value 9999 ✓\n")
      #expect(result.exitStatus == 4)
    }
  }

  @Test func stdinIgnoredByCommandDoesNotHang() async throws {
    try await withTransport(try sshd.transport()) { transport in
      let result = try await transport.run(
        RemoteCommand(node: "pve1", argv: ["true"], mutating: false),
        options: RunOptions(stdin: Data(repeating: 0x41, count: 5_000_000), timeout: .seconds(30)))
      #expect(result.exitStatus == 0)
    }
  }

  @Test func commandLongerThanTheExecLimitGoesOverStdin() async throws {
    try await withTransport(try sshd.transport()) { transport in
      let long = String(repeating: "y", count: 50_000)
      let result = try await transport.run(
        RemoteCommand(node: "pve1", argv: ["printf", "%s", long], mutating: false))
      #expect(result.stdout.count == 50_000)
      #expect(result.exitStatus == 0)
    }
  }

  @Test func timeoutStopsTheRemoteCommand() async throws {
    try await withTransport(try sshd.transport()) { transport in
      let marker = try temporaryDirectory().appendingPathComponent("marker")
      do {
        let result = try await transport.run(
          shell("sleep 1; touch \(marker.path)"), options: RunOptions(timeout: .milliseconds(300)))
        Issue.record("expected a timeout, got \(result)")
      } catch let error as TransportError {
        guard case .timedOut(let node, let argv, let seconds) = error else {
          Issue.record("expected timedOut, got \(error)")
          return
        }
        #expect(node == "pve1")
        #expect(argv.first == "sh")
        #expect(seconds == 0.3)
      }
      try await Task.sleep(for: .seconds(1.2))
      #expect(!FileManager.default.fileExists(atPath: marker.path))
      // The connection still works.
      #expect(try await transport.run(shell("echo ok")).stdoutText == "ok\n")
    }
  }

  @Test func commandsReuseOneConnection() async throws {
    try await withTransport(try sshd.transport()) { transport in
      // SSH_CONNECTION names the client's source port: one TCP connection for all commands.
      var parents: Set<String> = []
      for index in 0..<20 {
        let result = try await transport.run(shell("echo \(index); echo $SSH_CONNECTION"))
        let lines = result.stdoutText.split(separator: "\n")
        #expect(lines.first.map(String.init) == "\(index)")
        parents.insert(lines.last.map(String.init) ?? "")
      }
      #expect(parents.count == 1)
    }
  }
}
