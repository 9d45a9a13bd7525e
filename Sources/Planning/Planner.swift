import Audit
import Crypto
import Foundation
import PVEModel
import Playbook

/// Turns findings and a policy into an ordered plan. Pure: no I/O, no clock, no randomness.
///
/// The phases run in the order an admin would run them: move local volumes of guests that become HA
/// to shared storage, keep keep-apart sets on different nodes, rebalance overloaded nodes, spread HA
/// guests, add HA resources and their placement (groups on PVE 8, rules on PVE 9), create backup
/// jobs for what the predicted layout leaves uncovered, and add advice for human hands. Every step
/// is checked against the simulated cluster as it will be when the step runs.
package enum Planner {
  /// The tool name and version written into plans.
  package static let tool = "pvemend 0.1.0"

  /// Plans remediation for `findings` (from `Auditor.findings(in:policy:)`) on `cluster` (derived
  /// from `snapshot`). `playbookPath` is recorded as given; `playbookText` is hashed.
  package static func plan(
    snapshot: Snapshot, cluster: Cluster, findings: [Finding], policy: Policy,
    playbookPath: String, playbookText: String
  ) -> Plan {
    outcome(
      snapshot: snapshot, cluster: cluster, findings: findings, policy: policy,
      playbookPath: playbookPath, playbookText: playbookText
    ).plan
  }

  /// Plans from an audit report of `cluster` (its findings and its score), so the cluster is
  /// audited once before the plan (what `pvemend plan` does).
  package static func plan(
    snapshot: Snapshot, cluster: Cluster, report: AuditReport, policy: Policy,
    playbookPath: String, playbookText: String
  ) -> Plan {
    outcome(
      snapshot: snapshot, cluster: cluster, findings: report.findings, policy: policy,
      playbookPath: playbookPath, playbookText: playbookText, beforeScore: report.overallScore
    ).plan
  }

  /// The plan and the cluster it predicts after all its steps.
  package static func outcome(
    snapshot: Snapshot, cluster: Cluster, findings: [Finding], policy: Policy,
    playbookPath: String, playbookText: String, beforeScore: Double? = nil
  ) -> PlanOutcome {
    let work = draft(cluster: cluster, findings: findings, policy: policy)
    let predicted = work.predicted
    let before = beforeScore ?? AuditReport(cluster: cluster, policy: policy).overallScore
    let afterReport = AuditReport(cluster: predicted, policy: policy)
    let initial = Simulation(cluster: cluster, policy: policy)
    let steps = work.steps
    let usesRules = cluster.usesHARules
    var plan = Plan(
      tool: tool, createdAt: snapshot.collectedAt,
      cluster: cluster.name ?? cluster.nodes.first?.name ?? "cluster",
      pveMajor: cluster.pveMajor ?? (usesRules ? 9 : 8),
      haPlacement: usesRules ? "rules" : "groups",
      snapshotSHA256: sha256(snapshot.encoded()), snapshot: snapshot,
      playbook: PlaybookRef(
        name: policy.name, path: playbookPath, sha256: sha256(Data(playbookText.utf8))),
      findings: findings.sorted(), steps: steps, unresolved: work.unresolved,
      before: Figures(
        score: before,
        nodes: cluster.nodes.compactMap { initial.figures($0.name) },
        findings: findings.count),
      after: Figures(
        score: afterReport.overallScore,
        nodes: predicted.nodes.compactMap { work.final.figures($0.name) },
        findings: afterReport.findings.count),
      summary: work.summary)
    plan.limits = PlanLimits(
      vcpuPerCore: policy.capacity.vcpuPerCore, memoryReserve: policy.capacity.memoryReserve,
      localStorageReserve: policy.capacity.localStorageReserve)
    return PlanOutcome(plan: plan, predicted: predicted)
  }

  /// The planner alone: ordered steps, unresolved findings and the predicted cluster, without the
  /// snapshot digest and the before/after audits that `plan` adds.
  package static func steps(cluster: Cluster, findings: [Finding], policy: Policy) -> (
    steps: [Step], unresolved: [Unresolved], predicted: Cluster
  ) {
    let work = draft(cluster: cluster, findings: findings, policy: policy)
    return (work.steps, work.unresolved, work.predicted)
  }

  private static func draft(cluster: Cluster, findings: [Finding], policy: Policy) -> Work {
    var builder = PlanBuilder(cluster: cluster, findings: findings, policy: policy)
    builder.run()
    let steps = StepDraft.steps(from: builder.drafts)
    return Work(
      steps: steps, unresolved: builder.unresolvedList(), predicted: builder.sim.cluster,
      final: builder.sim, summary: builder.summary(steps: steps))
  }

  /// What the planner worked out, before it becomes a plan document.
  private struct Work {
    var steps: [Step]
    var unresolved: [Unresolved]
    var predicted: Cluster
    var final: Simulation
    var summary: Summary
  }

  /// Lower-case hex SHA-256.
  package static func sha256(_ data: Data) -> String {
    SHA256.hash(data: data).map { String(format: "%02x", $0) }.joined()
  }
}

/// A plan and the cluster it predicts once every step ran.
package struct PlanOutcome: Sendable {
  package var plan: Plan
  /// The snapshot's cluster with every step applied: audit it to see what the plan achieves.
  package var predicted: Cluster
}
