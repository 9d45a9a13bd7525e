import Audit
import PVEModel
import Planning
import Playbook

/// Planning a hand-built cluster the way `pvemend plan` does.
enum Plans {
  static let snapshot = Snapshot(collectedAt: "2025-01-01T00:00:00Z", source: "test", api: [:])

  static func outcome(_ cluster: Cluster, _ policy: Policy, findings: [Finding]? = nil)
    -> PlanOutcome
  {
    Planner.outcome(
      snapshot: snapshot, cluster: cluster,
      findings: findings ?? TestAudit.findings(in: cluster, policy: policy), policy: policy,
      playbookPath: "test.yaml", playbookText: "name: test\n")
  }

  static func plan(_ cluster: Cluster, _ policy: Policy, findings: [Finding]? = nil) -> Plan {
    outcome(cluster, policy, findings: findings).plan
  }
}
