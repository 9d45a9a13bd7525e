import Evacuate
import Execution
import Foundation
import PVEMendTestSupport
import PVEModel
import Planning
import Playbook
import Testing
import Transport

/// Rolling maintenance on the sandbox, over real SSH: evacuate a node with `--maintenance`
/// (execute), check it is empty but for the guests the plan lists and its LRM in maintenance mode,
/// then undo the journal (maintenance off, every guest migrated back) and check the placement
/// equals the start. The reference cluster (PVE 8, HA groups) and pve9-rules-cluster (PVE 9, HA
/// node-affinity and keep-apart rules, `ha-manager migrate` and `relocate`, live migration with
/// local disks, container restarts).
@Suite("Evacuate on the sandbox", .serialized)
struct SandboxEvacuateTests {
  struct Case: Sendable, CustomStringConvertible {
    var example: String
    var playbook: String
    var entry: String
    var node: String
    var description: String { "\(example)/\(node)" }
  }

  static let cases = [
    Case(example: "homelab-cluster", playbook: "homelab.yaml", entry: "proxmox", node: "proxmox2"),
    Case(
      example: "pve9-rules-cluster", playbook: "pve9-example.yaml", entry: "pve1", node: "pve3"),
  ]

  @Test(
    "evacuate a node, then undo: the placement is the start's", arguments: cases)
  func evacuateAndReturn(_ c: Case) async throws {
    try await Sandbox.with(snapshot: Fixtures.example(c.example + ".json")) { sandbox in
      let (recording, live) = try SandboxApplyTests.transport(sandbox)
      defer { Task { await live.shutdown() } }
      let snapshot = try await SnapshotCollector(transport: live, entryNode: c.entry).collect(
        collectedAt: "2025-11-09T10:00:00Z", source: "sandbox")
      let cluster = try Cluster(snapshot: snapshot)
      let playbookURL = Fixtures.playbook(c.playbook)
      let text = try String(contentsOf: playbookURL, encoding: .utf8)
      let policy = try PlaybookDecoder.decode(text, file: playbookURL.path)
      let plan = try NodeEvacuation.plan(
        snapshot: snapshot, cluster: cluster, policy: policy, node: c.node,
        maintenance: true, playbookPath: "playbooks/\(c.playbook)", playbookText: text)
      #expect(plan.steps.contains { $0.kind == .migrate })
      #expect(plan.steps.last?.kind == .nodeMaintenance)
      func maintenance() async throws -> Bool {
        let status = try await live.run(
          RemoteCommand(node: c.entry, argv: ["ha-manager", "status"], mutating: false))
        return status.stdoutText.contains("lrm \(c.node) (maintenance mode, ")
      }
      let before = try await SandboxApplyTests.read(live, entryNode: c.entry)

      let journal = MemoryJournal()
      let run = await SandboxApplyTests.executor(
        recording, journal: journal, entryNode: c.entry
      ).apply(plan, planDigest: "evacuate", options: SandboxApplyTests.options)
      #expect(run.status == .success, "\(ExecutionText.table(run))")
      let after = try await SandboxApplyTests.read(live, entryNode: c.entry)
      let left = after.guests.filter { $0.node == c.node }.map(\.sid)
      #expect(Set(left) == Set(plan.evacuation?.staying ?? []), "left on \(c.node): \(left)")
      #expect(try await maintenance())

      let undo = try UndoPlan.make(from: journal.entries, file: "evacuate.journal.jsonl")
      // Maintenance mode ends first, then every guest migrates back.
      #expect(undo.steps.count == plan.steps.count)
      #expect(undo.steps.first?.kind == .nodeMaintenance)
      // The return checked against the cluster as it is now: every guest fits back; on a node
      // that lost most of its memory during maintenance, the running ones do not.
      #expect(ReturnCheck.violations(of: undo, cluster: after, policy: policy) == [])
      var shrunk = after
      if let i = shrunk.nodes.firstIndex(where: { $0.name == c.node }) {
        shrunk.nodes[i].memoryTotal = policy.capacity.memoryReserve + 256 * 1024 * 1024
      }
      let refused = ReturnCheck.violations(of: undo, cluster: shrunk, policy: policy)
      #expect(!refused.isEmpty)
      #expect(refused.allSatisfy { $0.contains("back to \(c.node)") })
      let undone = await SandboxApplyTests.executor(recording, entryNode: c.entry).apply(
        undo, planDigest: "undo", options: SandboxApplyTests.options)
      #expect(undone.status == .success, "\(ExecutionText.table(undone))")
      let back = try await SandboxApplyTests.read(live, entryNode: c.entry)
      #expect(try await maintenance() == false)
      #expect(
        back.guests.map { "\($0.sid)@\($0.node)" } == before.guests.map { "\($0.sid)@\($0.node)" })
      #expect(
        back.guests.map { $0.disks.map { "\($0.key):\($0.storage ?? "-")" } }
          == before.guests.map { $0.disks.map { "\($0.key):\($0.storage ?? "-")" } })
    }
  }
}
