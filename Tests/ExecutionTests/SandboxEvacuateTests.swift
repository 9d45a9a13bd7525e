import Evacuate
import Execution
import Foundation
import PVEMendTestSupport
import PVEModel
import Planning
import Playbook
import Testing
import Transport

/// Rolling maintenance on the sandbox, over real SSH: evacuate a node of the reference cluster
/// with `--maintenance` (execute), check it is empty but for the guests the plan lists and its LRM
/// in maintenance mode, then undo the journal (maintenance off, every guest migrated back) and
/// check the placement equals the start.
@Suite("Evacuate on the sandbox", .serialized)
struct SandboxEvacuateTests {
  static let node = "proxmox2"

  @Test("evacuate a node of the reference cluster, then undo: the placement is the start's")
  func evacuateAndReturn() async throws {
    try await Sandbox.with(snapshot: SandboxApplyTests.reference) { sandbox in
      let (recording, live) = try SandboxApplyTests.transport(sandbox)
      defer { Task { await live.shutdown() } }
      let snapshot = try await SnapshotCollector(transport: live, entryNode: "proxmox").collect(
        collectedAt: "2025-11-09T10:00:00Z", source: "sandbox")
      let cluster = try Cluster(snapshot: snapshot)
      let playbookURL = Fixtures.playbook("homelab.yaml")
      let text = try String(contentsOf: playbookURL, encoding: .utf8)
      let policy = try PlaybookDecoder.decode(text, file: playbookURL.path)
      let plan = try NodeEvacuation.plan(
        snapshot: snapshot, cluster: cluster, policy: policy, node: Self.node,
        maintenance: true, playbookPath: "playbooks/homelab.yaml", playbookText: text)
      #expect(plan.steps.contains { $0.kind == .migrate })
      #expect(plan.steps.last?.kind == .nodeMaintenance)
      func maintenance() async throws -> Bool {
        let status = try await live.run(
          RemoteCommand(node: "proxmox", argv: ["ha-manager", "status"], mutating: false))
        return status.stdoutText.contains("lrm \(Self.node) (maintenance mode, ")
      }
      let before = try await SandboxApplyTests.read(live)

      let journal = MemoryJournal()
      let run = await SandboxApplyTests.executor(recording, journal: journal).apply(
        plan, planDigest: "evacuate", options: SandboxApplyTests.options)
      #expect(run.status == .success, "\(ExecutionText.table(run))")
      let after = try await SandboxApplyTests.read(live)
      let left = after.guests.filter { $0.node == Self.node }.map(\.sid)
      #expect(Set(left) == Set(plan.evacuation?.staying ?? []), "left on \(Self.node): \(left)")
      #expect(try await maintenance())

      let undo = try UndoPlan.make(from: journal.entries, file: "evacuate.journal.jsonl")
      // Maintenance mode ends first, then every guest migrates back.
      #expect(undo.steps.count == plan.steps.count)
      #expect(undo.steps.first?.kind == .nodeMaintenance)
      // The return checked against the cluster as it is now: every guest fits back; on a node
      // that lost most of its memory during maintenance, the running ones do not.
      #expect(ReturnCheck.violations(of: undo, cluster: after, policy: policy) == [])
      var shrunk = after
      if let i = shrunk.nodes.firstIndex(where: { $0.name == Self.node }) {
        shrunk.nodes[i].memoryTotal = policy.capacity.memoryReserve + 256 * 1024 * 1024
      }
      let refused = ReturnCheck.violations(of: undo, cluster: shrunk, policy: policy)
      #expect(!refused.isEmpty)
      #expect(refused.allSatisfy { $0.contains("back to \(Self.node)") })
      let undone = await SandboxApplyTests.executor(recording).apply(
        undo, planDigest: "undo", options: SandboxApplyTests.options)
      #expect(undone.status == .success, "\(ExecutionText.table(undone))")
      let back = try await SandboxApplyTests.read(live)
      #expect(try await maintenance() == false)
      #expect(
        back.guests.map { "\($0.sid)@\($0.node)" } == before.guests.map { "\($0.sid)@\($0.node)" })
      #expect(
        back.guests.map { $0.disks.map { "\($0.key):\($0.storage ?? "-")" } }
          == before.guests.map { $0.disks.map { "\($0.key):\($0.storage ?? "-")" } })
    }
  }
}
