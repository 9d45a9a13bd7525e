import Execution
import Foundation
import PVEMendTestSupport
import PVEModel
import SSHTransport
import SandboxCore
import Testing
import Transport

/// The sandbox over real sshd and `LibSSH2Transport`: collect round trips, and changes made over
/// SSH are what the next collection sees.
@Suite struct SSHRoundTripTests {
  static func transport(_ sandbox: Sandbox) -> LibSSH2Transport {
    let endpoints = sandbox.ports.map { node, port in
      NodeEndpoint(
        node: node, host: "127.0.0.1", port: port, user: NSUserName(),
        identityFiles: [sandbox.identity.path], knownHostsFile: sandbox.knownHosts.path)
    }
    return LibSSH2Transport(endpoints: endpoints)
  }

  static func withSandboxDigests(_ original: Snapshot, _ collected: Snapshot) -> Snapshot {
    RoundTrip.withSandboxDigests(original, collected)
  }

  @Test(arguments: RoundTripTests.examples)
  func eachNodeRouteOverSSH(_ file: URL) async throws {
    let original = try Snapshot.decode(Data(contentsOf: file), file: file.path)
    try await Sandbox.with(snapshot: file) { sandbox in
      let transport = Self.transport(sandbox)
      let entry = RoundTripTests.entryNode(original)
      do {
        let collected = try await SnapshotCollector(
          transport: transport, entryNode: entry, parallelism: 6, route: .eachNode
        ).collect(collectedAt: "t", source: "ssh://\(entry)")
        // The sandbox's guest config digests are the SHA-1 of the files it serves in /etc/pve;
        // everything else is the snapshot's.
        RoundTripTests.expectSameAPI(
          collected, Self.withSandboxDigests(original, collected), file.lastPathComponent)
        for (path, value) in collected.api {
          guard let location = GuestConfigLocation(apiPath: path) else { continue }
          let bytes = try Data(contentsOf: sandbox.pmxcfs.appendingPathComponent(location.file))
          #expect(value["digest"]?.stringValue == PmxcfsTests.sha1(bytes), "\(path)")
        }
      } catch {
        Issue.record("\(error)")
      }
      await transport.shutdown()
    }
  }

  @Test func changesOverSSHShowInTheNextCollection() async throws {
    try await Sandbox.with(snapshot: Fixtures.example("pve9-rules-cluster.json")) { sandbox in
      let transport = Self.transport(sandbox)
      let before = try await SnapshotCollector(transport: transport, entryNode: "pve1").collect(
        collectedAt: "t", source: "s")
      let cluster = try Cluster(snapshot: before)
      // A running VM with only shared disks, not HA-managed: migrate it live to another node.
      let guest = try #require(
        cluster.guests.first { g in
          g.kind == .qemu && g.isRunning && g.haState == nil && !g.template
            && g.disks.allSatisfy { $0.storage.map(cluster.isShared) ?? false }
            && cluster.nodes.contains { $0.name != g.node && $0.online && $0.cores >= g.vcpus }
        })
      let target = try #require(
        cluster.nodes.first { $0.name != guest.node && $0.online && $0.cores >= guest.vcpus }?.name)
      let refused = try await transport.run(
        RemoteCommand(
          node: guest.node, argv: ["qm", "migrate", "\(guest.vmid)", target], mutating: true))
      #expect(refused.exitStatus == 255)
      #expect(refused.stderrText == "can't migrate running VM without --online\n")
      let moved = try await transport.run(
        RemoteCommand(
          node: guest.node, argv: ["qm", "migrate", "\(guest.vmid)", target, "--online", "1"],
          mutating: true))
      #expect(moved.exitStatus == 0, "\(moved.stderrText)")
      let after = try Cluster(
        snapshot: try await SnapshotCollector(transport: transport, entryNode: "pve1").collect(
          collectedAt: "t", source: "s"))
      #expect(after.guest(vmid: guest.vmid)?.node == target)
      let memory = { (c: Cluster, n: String) in c.node(n)?.memoryUsed ?? 0 }
      #expect(memory(after, target) == memory(cluster, target) + guest.memoryUsed)
      #expect(memory(after, guest.node) == memory(cluster, guest.node) - guest.memoryUsed)
      await transport.shutdown()
    }
  }
}
