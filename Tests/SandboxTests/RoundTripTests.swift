import Execution
import Foundation
import PVEMendTestSupport
import PVEModel
import SandboxCore
import Synchronization
import Synth
import Testing
import Transport

/// Sandbox seeded with a snapshot → `SnapshotCollector` → the same snapshot (but collectedAt/source).
@Suite struct RoundTripTests {
  static var examples: [URL] { RoundTrip.examples }

  static func entryNode(_ snapshot: Snapshot) -> String { RoundTrip.entryNode(snapshot) }

  static func expectSameAPI(_ collected: Snapshot, _ original: Snapshot, _ name: String) {
    RoundTrip.expectSameAPI(collected, original, name)
  }

  @Test func examplesExist() {
    #expect(
      Self.examples.count >= 3, "examples/ should hold the reference, PVE 8 and PVE 9 clusters")
  }

  @Test(arguments: RoundTripTests.examples)
  func throughTheExecutable(_ file: URL) async throws {
    let original = try Snapshot.decode(Data(contentsOf: file), file: file.path)
    let fixture = try StateFixture(file: file)
    defer { fixture.remove() }
    let transport = StandInTransport(
      mode: .process(try Sandbox.standInBinary()), statePath: fixture.path)
    let entry = Self.entryNode(original)
    let collector = SnapshotCollector(transport: transport, entryNode: entry, parallelism: 4)
    let collected = try await collector.collect(
      collectedAt: "2030-01-01T00:00:00Z", source: "ssh://\(entry)")
    #expect(collected.collectedAt == "2030-01-01T00:00:00Z")
    #expect(collected.source == "ssh://\(entry)")
    #expect(collected.format == Snapshot.formatVersion)
    Self.expectSameAPI(collected, original, file.lastPathComponent)
    // Only read batches, all on the entry node, a handful whatever the guest count.
    #expect(transport.calls.allSatisfy { $0.node == entry && ClusterRead.isReadBatch($0.argv) })
    #expect(transport.calls.allSatisfy { ReadOnlyCommands.isReadOnly($0.argv) })
    #expect(transport.calls.count <= 4, "\(transport.calls.count) commands")
  }

  @Test(arguments: RoundTripTests.examples)
  func perPathAndBatchedAgree(_ file: URL) async throws {
    let original = try Snapshot.decode(Data(contentsOf: file), file: file.path)
    let fixture = try StateFixture(file: file)
    defer { fixture.remove() }
    let transport = StandInTransport(
      mode: .process(try Sandbox.standInBinary()), statePath: fixture.path)
    let entry = Self.entryNode(original)
    let perPath = try await SnapshotCollector(
      transport: transport, entryNode: entry, mode: .perPath
    )
    .collect(collectedAt: "t", source: "s")
    #expect(
      transport.calls.allSatisfy { $0.node == entry && $0.argv.starts(with: ["pvesh", "get"]) })
    let batched = try await SnapshotCollector(transport: transport, entryNode: entry)
      .collect(collectedAt: "t", source: "s")
    Self.expectSameAPI(batched, perPath, file.lastPathComponent)
    #expect(try Cluster(snapshot: batched) == Cluster(snapshot: perPath))
  }

  @Test(arguments: [8, 9])
  func tinyClusterInProcess(_ major: Int) async throws {
    let snapshot = try Snapshot.decode(TinyCluster.snapshot(major: major).encoded(), file: "tiny")
    let fixture = try StateFixture(snapshot)
    defer { fixture.remove() }
    let transport = StandInTransport(mode: .inProcess, statePath: fixture.path)
    let collected = try await SnapshotCollector(transport: transport, entryNode: "pve2").collect(
      collectedAt: "t", source: "s")
    Self.expectSameAPI(collected, snapshot, "tiny PVE \(major)")
  }

  @Test(arguments: [8, 9])
  func synthClustersInProcess(_ major: Int) async throws {
    let generated = Synth.snapshot(nodes: 5, guests: 120, seed: 7, pveMajor: major)
    let snapshot = try Snapshot.decode(generated.encoded(), file: "synth")
    let fixture = try StateFixture(snapshot)
    defer { fixture.remove() }
    let transport = StandInTransport(mode: .inProcess, statePath: fixture.path)
    let entry = Self.entryNode(snapshot)
    let collected = try await SnapshotCollector(
      transport: transport, entryNode: entry, parallelism: 8
    )
    .collect(collectedAt: "t", source: "s")
    Self.expectSameAPI(collected, snapshot, "synth PVE \(major)")
  }

  @Test func eachNodeRouteReadsNodePathsOnTheirNode() async throws {
    let snapshot = try Snapshot.decode(TinyCluster.snapshot().encoded(), file: "tiny")
    let fixture = try StateFixture(snapshot)
    defer { fixture.remove() }
    let transport = StandInTransport(mode: .inProcess, statePath: fixture.path)
    let collected = try await SnapshotCollector(
      transport: transport, entryNode: "pve1", parallelism: 6, route: .eachNode, mode: .perPath
    ).collect(collectedAt: "t", source: "s")
    Self.expectSameAPI(collected, snapshot, "tiny, each node")
    for call in transport.calls {
      let path = call.argv[2]
      let expected = path.hasPrefix("/nodes/") ? String(path.split(separator: "/")[1]) : "pve1"
      #expect(call.node == expected, "\(path) ran on \(call.node)")
    }
    #expect(Set(transport.calls.map(\.node)) == ["pve1", "pve2", "pve3"])
  }

  @Test func eachNodeRouteBatchesPerNode() async throws {
    let snapshot = try Snapshot.decode(TinyCluster.snapshot().encoded(), file: "tiny")
    let fixture = try StateFixture(snapshot)
    defer { fixture.remove() }
    let transport = StandInTransport(mode: .inProcess, statePath: fixture.path)
    let collected = try await SnapshotCollector(
      transport: transport, entryNode: "pve1", parallelism: 6, route: .eachNode
    ).collect(collectedAt: "t", source: "s")
    Self.expectSameAPI(collected, snapshot, "tiny, each node, batched")
    #expect(transport.calls.allSatisfy { ClusterRead.isReadBatch($0.argv) })
    // Cluster-wide + config files on pve1; status+storage on each node; configs not in
    // /etc/pve by pvesh on their own node.
    #expect(transport.calls.count <= 4 + 2 * 3, "\(transport.calls.count) commands")
    for call in transport.calls {
      for path in call.argv.dropFirst(5) where path.hasPrefix("/nodes/") {
        #expect(call.node == String(path.split(separator: "/")[1]), "\(path) ran on \(call.node)")
      }
    }
    #expect(Set(transport.calls.map(\.node)) == ["pve1", "pve2", "pve3"])
  }

  @Test func unmigratedPVE9KeepsGroups() async throws {
    let snapshot = try Snapshot.decode(
      TinyCluster.snapshot(major: 9, unmigratedGroups: true).encoded(), file: "tiny")
    let fixture = try StateFixture(snapshot)
    defer { fixture.remove() }
    let transport = StandInTransport(mode: .inProcess, statePath: fixture.path)
    let collected = try await SnapshotCollector(transport: transport, entryNode: "pve1").collect(
      collectedAt: "t", source: "s")
    Self.expectSameAPI(collected, snapshot, "tiny PVE 9 unmigrated")
    #expect(collected.api["/cluster/ha/rules"] == nil)
  }

  @Test func aCollectionAfterChangesSeesThem() async throws {
    let fixture = try StateFixture(TinyCluster.snapshot())
    defer { fixture.remove() }
    let transport = StandInTransport(mode: .inProcess, statePath: fixture.path)
    let add = try await transport.run(
      RemoteCommand(node: "pve1", argv: ["ha-manager", "add", "vm:102"], mutating: true))
    #expect(add.exitStatus == 0)
    let migrate = try await transport.run(
      RemoteCommand(
        node: "pve1",
        argv: ["qm", "migrate", "100", "pve3", "--online", "1", "--with-local-disks", "1"],
        mutating: true))
    #expect(migrate.exitStatus == 0, "\(migrate.stderrText)")
    let collected = try await SnapshotCollector(transport: transport, entryNode: "pve1").collect(
      collectedAt: "t", source: "s")
    let cluster = try Cluster(snapshot: collected)
    #expect(cluster.guest(vmid: 100)?.node == "pve3")
    #expect(cluster.guest(vmid: 102)?.isRunning == true)
    #expect(cluster.haResource("vm:102") != nil)
    #expect(cluster.inconsistencies.isEmpty)
  }

  @Test func failuresNameEveryPath() async throws {
    var snapshot = TinyCluster.snapshot()
    snapshot.api["/nodes/pve2/storage"] = nil
    snapshot.api["/nodes/pve1/qemu/101/config"] = nil
    let fixture = try StateFixture(snapshot)
    defer { fixture.remove() }
    let transport = StandInTransport(mode: .inProcess, statePath: fixture.path)
    do {
      _ = try await SnapshotCollector(transport: transport, entryNode: "pve1").collect(
        collectedAt: "t", source: "s")
      Issue.record("expected a failure")
    } catch let error as CollectError {
      guard case .failed(let node, let paths) = error else { return }
      #expect(node == "pve1")
      #expect(paths.map(\.path) == ["/nodes/pve1/qemu/101/config", "/nodes/pve2/storage"])
      #expect(
        paths.first?.reason
          == "exit 255: Configuration file 'nodes/pve1/qemu-server/101.conf' does not exist")
      let text = "\(error)"
      #expect(
        text.contains(
          "/nodes/pve2/storage: exit 255: No 'get' handler defined for 'nodes/pve2/storage'"))
      #expect(text.contains("nothing was written"))
    }
  }

  @Test func progressIsReported() async throws {
    let fixture = try StateFixture(TinyCluster.snapshot())
    defer { fixture.remove() }
    let lines = Lines()
    let transport = StandInTransport(mode: .inProcess, statePath: fixture.path)
    _ = try await SnapshotCollector(
      transport: transport, entryNode: "pve1", progress: { lines.append($0) }
    )
    .collect(collectedAt: "t", source: "s")
    let all = lines.all
    #expect(
      all.first
        == "collecting 8 cluster-wide paths from pve1, and the guest config files in /etc/pve/nodes"
    )
    #expect(all.contains("found 3 nodes (3 online) and 8 guests"))
    #expect(all.contains("HA placement: rules (PVE 9, groups migrated)"))
    #expect(all.last == "collected 27 paths")
  }
}

/// Collected progress lines.
final class Lines: Sendable {
  private let storage = Mutex<[String]>([])
  func append(_ line: String) { storage.withLock { $0.append(line) } }
  var all: [String] { storage.withLock { $0 } }
}
