import Audit
import Execution
import Foundation
import PVEMendTestSupport
import PVEModel
import Planning
import Playbook
import Transport

/// The reference plan as `pvemend plan --playbook playbooks/homelab.yaml` makes it for a cluster:
/// the one way the sandbox tests plan, from a snapshot they collect from the sandbox.
enum ReferencePlan {
  /// `playbooks/homelab.yaml`: its policy and its text.
  static func playbook() throws -> (policy: Policy, text: String) {
    let url = Fixtures.playbook("homelab.yaml")
    let text = try String(contentsOf: url, encoding: .utf8)
    return (try PlaybookDecoder.decode(text, file: url.path), text)
  }

  /// The plan (and predicted cluster) for `snapshot`.
  static func outcome(for snapshot: Snapshot) throws -> (cluster: Cluster, outcome: PlanOutcome) {
    let cluster = try Cluster(snapshot: snapshot)
    let (policy, text) = try playbook()
    let outcome = Planner.outcome(
      snapshot: snapshot, cluster: cluster,
      findings: Auditor.findings(in: cluster, policy: policy), policy: policy,
      playbookPath: "playbooks/homelab.yaml", playbookText: text)
    return (cluster, outcome)
  }

  /// Collects the sandbox's state through `live` (entry node proxmox) and plans for it.
  static func collect(_ live: any Transport, at collectedAt: String = "2025-11-09T10:00:00Z")
    async throws -> (snapshot: Snapshot, cluster: Cluster, outcome: PlanOutcome)
  {
    let snapshot = try await SnapshotCollector(transport: live, entryNode: "proxmox").collect(
      collectedAt: collectedAt, source: "sandbox")
    let (cluster, outcome) = try outcome(for: snapshot)
    return (snapshot, cluster, outcome)
  }
}
