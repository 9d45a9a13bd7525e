import Foundation
import PVEMendTestSupport
import PVEModel
import Testing

/// `pvemend collect` (the built binary) against a running sandbox: real sshd per node on 127.0.0.1.
@Suite struct CollectCommandTests {
  struct Run {
    var status: Int32
    var stderr: String
  }

  func pvemend(_ arguments: [String]) throws -> Run {
    let process = Process()
    process.executableURL = try Sandbox.builtProduct("pvemend")
    process.arguments = arguments
    let err = Pipe()
    process.standardError = err
    process.standardOutput = FileHandle.nullDevice
    process.standardInput = FileHandle.nullDevice
    try process.run()
    let text = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
    process.waitUntilExit()
    return Run(status: process.terminationStatus, stderr: text)
  }

  @Test(arguments: RoundTrip.examples)
  func collectsEveryExampleOverSSH(_ file: URL) async throws {
    let original = try Snapshot.decode(Data(contentsOf: file), file: file.path)
    try await Sandbox.with(snapshot: file) { sandbox in
      let out = sandbox.directory.appendingPathComponent("collected.json")
      let entry = RoundTrip.entryNode(original)
      let run = try pvemend([
        "collect", "--inventory", sandbox.inventory.path, "--node", entry, "--out", out.path,
      ])
      #expect(run.status == 0, "\(run.stderr)")
      #expect(run.stderr.contains("collect: wrote \(out.path)"))
      let collected = try Snapshot.decode(Data(contentsOf: out), file: out.path)
      #expect(collected.source == "ssh://\(entry)")
      #expect(collected.collectedAt.wholeMatch(of: /\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ/) != nil)
      RoundTrip.expectSameAPI(
        collected, RoundTrip.withSandboxDigests(original, collected),
        file.lastPathComponent)
    }
  }

  @Test func failureWritesNothing() async throws {
    let file = Fixtures.example("pve8-groups-cluster.json")
    try await Sandbox.with(snapshot: file) { sandbox in
      // hv3 is offline in that snapshot: the sandbox runs no sshd for it.
      let out = sandbox.directory.appendingPathComponent("collected.json")
      let run = try pvemend([
        "collect", "--inventory", sandbox.inventory.path, "--node", "hv3", "--out", out.path,
      ])
      #expect(run.status != 0)
      #expect(
        run.stderr.contains("could not read 8 API path(s) through node 'hv3'; nothing was written"))
      #expect(run.stderr.contains("/cluster/status"))
      #expect(!FileManager.default.fileExists(atPath: out.path))
      // A state the sandbox broke on purpose: a missing guest config fails that one path.
      var snapshot = try Snapshot.decode(Data(contentsOf: file), file: file.path)
      let config = snapshot.api.keys.sorted().first { $0.hasSuffix("/config") } ?? ""
      snapshot.api[config] = nil
      try snapshot.encoded().write(to: URL(fileURLWithPath: sandbox.statePath))
      // The state was edited behind the stand-ins' back: remove the file /etc/pve shows as well.
      let parts = config.split(separator: "/")
      try? FileManager.default.removeItem(
        at: sandbox.pmxcfs.appendingPathComponent(
          "nodes/\(parts[1])/\(parts[2] == "qemu" ? "qemu-server" : "lxc")/\(parts[3]).conf"))
      let partial = try pvemend([
        "collect", "--inventory", sandbox.inventory.path, "--out", out.path,
      ])
      #expect(partial.status != 0)
      #expect(partial.stderr.contains("could not read 1 API path(s) through node 'hv1'"))
      #expect(partial.stderr.contains("  \(config): exit 255: Configuration file"))
      #expect(!FileManager.default.fileExists(atPath: out.path))
    }
  }
}
