import Audit
import Execution
import Foundation
import PVEMendTestSupport
import PVEModel
import Planning
import Playbook
import SSHTransport
import Synth
import Testing
import Transport

/// The remote command budget (issue 10), counted by a recording transport in front of the
/// sandbox over real SSH: collect ≤ 4 + 2 × nodes + backup listings whatever the guest count (the
/// batched mode reads the listings inside the node batches, so it stays ≤ 4 + 2 × nodes), and every
/// backup storage's content is in the snapshot (issue 15); apply --execute of the
/// reference plan ≤ 3 × steps + 4 + nodes. So the cost of reading a cluster cannot silently regrow.
@Suite("Remote command budget on the sandbox", .serialized)
struct ReadBudgetTests {
  static func collect(
    _ transport: any Transport, entry: String, mode: SnapshotCollector.Mode = .batched,
    route: SnapshotCollector.Route = .entryNode, lines: LockedLines? = nil
  ) async throws -> Snapshot {
    var progress: (@Sendable (String) -> Void)?
    if let lines { progress = { line in lines.append(line) } }
    return try await SnapshotCollector(
      transport: transport, entryNode: entry, progress: progress, route: route, mode: mode
    ).collect(collectedAt: "t", source: "s")
  }

  @Test("collect of the reference cluster: ≤ 4 + 2 × nodes commands, the same cluster as per path")
  func collectReference() async throws {
    try await Sandbox.with(snapshot: SandboxApplyTests.reference) { sandbox in
      let (recording, live) = try SandboxApplyTests.transport(sandbox)
      defer { Task { await live.shutdown() } }
      let perPath = try await Self.collect(live, entry: "proxmox", mode: .perPath)
      let lines = LockedLines()
      let batched = try await Self.collect(recording, entry: "proxmox", lines: lines)
      #expect(batched.api == perPath.api)
      #expect(try Cluster(snapshot: batched) == Cluster(snapshot: perPath))
      let cluster = try Cluster(snapshot: batched)
      let nodes = cluster.nodes.count
      let listings = Snapshot.backupContentReads(
        storage: batched.api["/storage"], online: cluster.nodes.filter(\.online).map(\.name))
      #expect(!listings.isEmpty)
      #expect(listings.allSatisfy { batched.api[$0.path] != nil })
      #expect(cluster.backups.complete)
      #expect(
        recording.commands.count <= 4 + 2 * nodes + listings.count,
        "\(recording.commands.count) commands")
      #expect(recording.commands.count <= 4 + 2 * nodes, "\(recording.commands.count) commands")
      print(
        "collect budget (reference): \(recording.commands.count) commands for \(nodes) nodes, \(listings.count) backup listing(s)"
      )
      #expect(recording.commands.allSatisfy { ClusterRead.isReadBatch($0.argv) })
      if sandbox.pmxcfsUnavailable == nil {
        // Every config came from the files in /etc/pve, none by pvesh.
        #expect(lines.all.contains("read 37 guest configs from /etc/pve/nodes"), "\(lines.all)")
        #expect(recording.commands.count == 3)
      }
    }
  }

  @Test("collect of 16 nodes / 1,000 guests: ≤ 4 + 2 × nodes commands, through one node or each")
  func collectSynth() async throws {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent(
      "pvemend-budget-\(UUID().uuidString.prefix(8))")
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: dir) }
    let file = dir.appendingPathComponent("synth.json")
    let original = Synth.snapshot(nodes: 16, guests: 1000, seed: 1, pveMajor: 9)
    try original.encoded().write(to: file)
    let entry = ClusterReader.entryNode(of: original) ?? "pve1"
    try await Sandbox.with(snapshot: file) { sandbox in
      let (recording, live) = try SandboxApplyTests.transport(sandbox)
      defer { Task { await live.shutdown() } }
      let through = try await Self.collect(recording, entry: entry)
      // The sandbox rewrites config digests (SHA-1 of the files it writes): compare the paths.
      #expect(Set(through.api.keys) == Set(original.api.keys))
      let listings = Snapshot.backupContentReads(
        storage: original.api["/storage"], online: try Cluster(snapshot: original).nodes.map(\.name)
      )
      #expect(listings.count == 17)  // local on each of 16 nodes, pbs once
      #expect(listings.allSatisfy { through.api[$0.path] == original.api[$0.path] })
      #expect(
        recording.commands.count <= 4 + 2 * 16 + listings.count,
        "\(recording.commands.count) commands")
      #expect(recording.commands.count <= 4 + 2 * 16, "\(recording.commands.count) commands")
      print(
        "collect budget (16 nodes, 1,000 guests): \(recording.commands.count) commands, \(listings.count) backup listing(s)"
      )
      let before = recording.commands.count
      let each = try await Self.collect(recording, entry: entry, route: .eachNode)
      let same = each.api == through.api
      #expect(same, "collected through \(entry) and on each node differ")
      #expect(recording.commands.count - before <= 4 + 2 * 16 + listings.count)
    }
  }

  @Test("apply --execute of the reference plan: ≤ 3 × steps + 4 + nodes commands, effects verified")
  func applyReference() async throws {
    try await Sandbox.with(snapshot: SandboxApplyTests.reference) { sandbox in
      let (recording, live) = try SandboxApplyTests.transport(sandbox)
      defer { Task { await live.shutdown() } }
      let snapshot = try await Self.collect(live, entry: "proxmox")
      let (cluster, outcome) = try ReferencePlan.outcome(for: snapshot)
      let plan = outcome.plan
      let run = await SandboxApplyTests.executor(recording, baseline: plan.snapshot).apply(
        plan, planDigest: "p", options: SandboxApplyTests.options)
      #expect(run.status == .success, "\(ExecutionText.table(run))")
      let steps = plan.steps.count
      let total = recording.commands.count
      let mutating = recording.mutatingCommands.count
      #expect(total <= 3 * steps + 4 + cluster.nodes.count, "\(total) commands for \(steps) steps")
      #expect(
        recording.commands.filter { !$0.mutating }.allSatisfy { ClusterRead.isReadBatch($0.argv) })
      // Every effect holds in a full collection afterwards.
      let after = try Cluster(snapshot: try await Self.collect(live, entry: "proxmox"))
      #expect(
        plan.steps.allSatisfy { s in
          s.kind == .advice || PlanCheck.complete(plan.steps, in: after).contains(s.id)
        })
      print("apply budget: \(total) remote commands (\(mutating) mutating) for \(steps) steps")
    }
  }
}
