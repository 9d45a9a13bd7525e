import Foundation
import PVEMendTestSupport
import PVEModel
import SandboxCore
import Testing
import Transport

/// The real `pve-standin` executable, called by the tool names through the node environment, on a
/// state file shared under flock.
@Suite struct ExecutableTests {
  func call(
    _ transport: StandInTransport, _ argv: [String], on node: String = "pve1"
  ) async throws -> CommandResult {
    try await transport.run(RemoteCommand(node: node, argv: argv, mutating: true))
  }

  @Test func refusalsThroughTheExecutable() async throws {
    let fixture = try StateFixture(TinyCluster.snapshot())
    defer { fixture.remove() }
    let t = StandInTransport(mode: .process(try Sandbox.standInBinary()), statePath: fixture.path)
    let unknown = try await call(t, ["qm", "migrate", "101", "pve2", "--onlin", "1"])
    #expect(unknown.exitStatus == 255)
    #expect(
      unknown.stderrText.hasPrefix(
        "400 Parameter verification failed.\nonlin: property is not defined in schema"))
    let online = try await call(t, ["qm", "migrate", "101", "pve2"])
    #expect(online.exitStatus == 255)
    #expect(online.stderrText == "can't migrate running VM without --online\n")
    let existing = try await call(t, ["ha-manager", "add", "vm:114"])
    #expect(existing.stderrText == "create resource failed: resource ID 'vm:114' already defined\n")
    let wrongNode = try await call(
      t, ["pct", "migrate", "110", "pve3", "--restart", "1"], on: "pve1")
    #expect(wrongNode.stderrText == "Configuration file 'nodes/pve1/lxc/110.conf' does not exist\n")
    let running = try await call(
      t, ["pct", "move-volume", "110", "rootfs", "nfs-shared"], on: "pve2")
    #expect(running.stderrText == "cannot move volumes of a running container\n")
    // Refusals leave the file as it was.
    #expect(
      try Data(contentsOf: URL(fileURLWithPath: fixture.path)) == TinyCluster.snapshot().encoded())
  }

  @Test func mutationsPersistAndQueuedMovesCompleteLater() async throws {
    // A long delay: the request stays queued across calls (no clock games, no sleeping).
    let slow = try StateFixture(TinyCluster.snapshot())
    defer { slow.remove() }
    let t = StandInTransport(
      mode: .process(try Sandbox.standInBinary()), statePath: slow.path, haDelay: 600)
    let migrate = try await call(t, ["ha-manager", "migrate", "vm:114", "pve2"])
    #expect(migrate.exitStatus == 0, "\(migrate.stderrText)")
    let status = try await call(t, ["ha-manager", "status"])
    #expect(status.stdoutText.contains("service vm:114 (pve1, migrate)"))
    let pending = try slow.state().pending
    #expect(pending.map(\.sid) == ["vm:114"])
    #expect(pending.first.map { $0.due > Date().timeIntervalSince1970 + 500 } == true)
    // No delay: the next call, whatever it is, finds it due and completes it.
    let fast = try StateFixture(TinyCluster.snapshot())
    defer { fast.remove() }
    let u = StandInTransport(mode: .process(try Sandbox.standInBinary()), statePath: fast.path)
    #expect(try await call(u, ["ha-manager", "migrate", "vm:114", "pve2"]).exitStatus == 0)
    let after = try await call(
      u, ["pvesh", "get", "/cluster/ha/status/current", "--output-format", "json"])
    #expect(after.stdoutText.contains("\"status\":\"vm:114 (pve2, started)\""))
    #expect(try fast.state().guest(vmid: 114)?.node == "pve2")
    #expect(try fast.state().pending.isEmpty)
    let version = try await call(u, ["pveversion"], on: "pve3")
    #expect(
      version.stdoutText == "pve-manager/9.1.1/42db4a6cf33dac83 (running kernel: 6.17.2-1-pve)\n")
  }

  @Test func concurrentWritersLoseNothing() async throws {
    let fixture = try StateFixture(TinyCluster.snapshot())
    defer { fixture.remove() }
    let t = StandInTransport(mode: .process(try Sandbox.standInBinary()), statePath: fixture.path)
    let ids = (1...12).map { "job\($0)" }
    try await withThrowingTaskGroup(of: Int32.self) { group in
      for id in ids {
        group.addTask {
          try await self.call(
            t,
            [
              "pvesh", "create", "/cluster/backup", "--id", id, "--schedule", "daily", "--all", "1",
              "--storage", "pbs",
            ]
          ).exitStatus
        }
        group.addTask {
          try await self.call(t, ["pvesh", "get", "/cluster/backup", "--output-format", "json"])
            .exitStatus
        }
      }
      for try await status in group { #expect(status == 0) }
    }
    let jobs = try fixture.state().list("/cluster/backup").compactMap { $0["id"]?.stringValue }
    #expect(jobs.sorted() == ids.sorted())
  }

  @Test func missingEnvironmentIsExplained() async throws {
    let process = Process()
    process.executableURL = try Sandbox.standInBinary()
    process.arguments = ["pvesh", "get", "/version"]
    process.environment = ["PATH": "/usr/bin:/bin"]
    let err = Pipe()
    process.standardError = err
    process.standardOutput = FileHandle.nullDevice
    try process.run()
    let text = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
    process.waitUntilExit()
    #expect(process.terminationStatus == 255)
    #expect(text.contains("PVEMEND_SANDBOX_STATE is not set"))
  }
}
