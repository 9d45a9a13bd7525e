import PVEModel
import Playbook

/// Everything the audit report shows, computed from a cluster and a policy: every section of the
/// seed report (1–13), the findings behind them, the scores.
///
/// Pure and deterministic: the date is the snapshot's `collectedAt`, lists are sorted, numbers are
/// rounded to fixed decimals. `overallScore` is what the planner compares before and after a plan.
package struct AuditReport: Sendable, Codable, Hashable {
  package static let formatVersion = "pvemend-audit/1"

  /// Always `pvemend-audit/1`.
  package var format: String
  package var summary: ReportSummary
  /// 1. Node resources.
  package var nodes: [NodeResources]
  /// 2. Guest distribution.
  package var distribution: GuestDistribution
  /// 3. HA configuration.
  package var ha: HAOverview
  /// 4. Critical services without HA (from the policy).
  package var criticalWithoutHA: [CriticalService]
  /// 5. Storage, shared pools counted once.
  package var storage: StorageOverview
  /// 6. Network and quorum.
  package var network: NetworkOverview
  /// 7. Single points of failure.
  package var singlePointsOfFailure: [SinglePointOfFailure]
  /// 8. Backup coverage.
  package var backup: BackupOverview
  /// 9. Recovery time per failure scenario.
  package var recovery: [RecoveryScenario]
  /// 9b. Measured recovery from restore tests (`audit --restore-tests`); nil when none were given.
  package var measuredRecovery: MeasuredRecovery?
  /// 10. Recommendations.
  package var recommendations: [Recommendation]
  /// 11. Capacity and N+1 headroom.
  package var capacity: CapacityOverview
  /// 12. Health scores per category (formula: `CategoryScore`).
  package var scores: [CategoryScore]
  /// Overall health score 0…10: the mean of `scores`.
  package var overallScore: Double
  /// 13. Risk matrix.
  package var risks: [Risk]
  /// Every finding, most severe first.
  package var findings: [Finding]

  package init(cluster: Cluster, policy: Policy, restoreTests: [RestoreRecord]? = nil) {
    self.init(context: AuditContext(cluster: cluster, policy: policy, restoreTests: restoreTests))
  }

  package init(context: AuditContext) {
    let findings = Auditor.findings(in: context)
    format = Self.formatVersion
    summary = ReportSummary(context: context, findings: findings)
    nodes = context.cluster.nodes.map(NodeResources.init)
    distribution = GuestDistribution(context: context)
    ha = HAOverview(context: context)
    criticalWithoutHA = CriticalService.all(context)
    storage = StorageOverview(context: context)
    network = NetworkOverview(context: context)
    singlePointsOfFailure = SinglePointOfFailure.all(findings, context: context)
    backup = BackupOverview(context: context)
    let measured = context.restoreTests.map { MeasuredRecovery(context: context, records: $0) }
    measuredRecovery = measured
    recovery = RecoveryScenario.all(context, measured: measured)
    recommendations = Recommendation.all(findings)
    capacity = CapacityOverview(context: context, storage: storage)
    scores = CategoryScore.all(findings, measured: measured)
    overallScore = CategoryScore.overall(scores)
    risks = Risk.all(findings, context: context)
    self.findings = findings
  }

  /// The findings of one rule.
  package func findings(of rule: String) -> [Finding] { findings.filter { $0.rule == rule } }
}
