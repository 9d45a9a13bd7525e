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
  /// The phases in the order they run; each drafts its steps on the shared `PlanState`.
  static let phases: [any PlanPhase] = [
    VolumesPhase(), KeepApartPhase(), RebalancePhase(), SpreadPhase(), PruneMovesPhase(),
    FailoverPhase(), HAGroupPhase(), HAResourcePhase(), HARulePhase(), FailoverCheckPhase(),
    BackupPhase(), AdvicePhase(),
  ]

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
    var plan = Plan(
      drafting: snapshot, cluster: cluster, policy: policy, playbookPath: playbookPath,
      playbookText: playbookText, findings: findings.sorted(), steps: work.steps,
      unresolved: work.unresolved,
      before: Figures(
        score: before,
        nodes: cluster.nodes.compactMap { initial.figures($0.name) },
        findings: findings.count),
      after: Figures(
        score: afterReport.overallScore,
        nodes: predicted.nodes.compactMap { work.final.figures($0.name) },
        findings: afterReport.findings.count),
      summary: work.summary)
    plan.limits = PlanLimits(policy.capacity)
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

  /// Plans once per way of counting already scheduled outages and keeps the plan the objective
  /// (docs/playbook.md) ranks best: the predicted audit's score, then its findings, then fewest
  /// outages, outage seconds, migrations. One run when no container that stops for its volume
  /// move migrates in the first.
  private static func draft(cluster: Cluster, findings: [Finding], policy: Policy) -> Work {
    var best: (key: Objective, work: Work)?
    var first: Work?
    for discount in OutageDiscount.allCases {
      var state = PlanState(
        cluster: cluster, findings: findings, policy: policy, outageDiscount: discount)
      state.run()
      let steps = StepDraft.steps(from: state.drafts)
      let work = Work(
        steps: steps, unresolved: state.unresolvedList(), predicted: state.sim.cluster,
        final: state.sim, summary: state.summary(steps: steps))
      if first == nil {
        first = work
        // The variants differ only in the cost of containers whose volume move stops them: when
        // none of those migrates here, counting their outage cannot change any choice (every
        // choice takes the cheapest candidate that fits, and they only got cheaper).
        let folded = state.migrationOf.keys.contains { state.storageMoves[$0]?.outage == true }
        if !folded { return work }
      }
      let key = Objective(work, policy: policy)
      if best.map({ key < $0.key }) ?? true { best = (key, work) }
    }
    return best?.work ?? first
      ?? Work(
        steps: [], unresolved: [], predicted: cluster,
        final: Simulation(cluster: cluster, policy: policy),
        summary: Summary(
          haEnablements: 0, haPlacements: 0, volumeMoves: 0, migrations: 0, backupJobs: 0,
          advisories: 0, unresolved: 0, downtimeSeconds: 0))
  }

  /// What the plan is ranked by, best first (docs/playbook.md, "Objective").
  private struct Objective: Comparable {
    var values: [Double]

    init(_ work: Work, policy: Policy) {
      let report = AuditReport(cluster: work.predicted, policy: policy)
      values = [
        -report.overallScore, Double(report.findings.count), Double(work.unresolved.count),
        Double(work.summary.outages ?? 0), Double(work.summary.outageSeconds ?? 0),
        Double(work.summary.migrations),
      ]
    }

    static func < (a: Objective, b: Objective) -> Bool {
      for (x, y) in zip(a.values, b.values) where abs(x - y) > 1e-9 { return x < y }
      return false
    }
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

extension Plan {
  /// A plan of `steps` drafted from `snapshot` (and its `cluster`) under `policy`, read from
  /// `playbookPath` as `playbookText`: the header every planning command writes the same way
  /// (cluster name, PVE major, HA placement, snapshot and playbook digests).
  package init(
    drafting snapshot: Snapshot, cluster: Cluster, policy: Policy, playbookPath: String,
    playbookText: String, findings: [Finding], steps: [Step], unresolved: [Unresolved],
    before: Figures, after: Figures, summary: Summary
  ) {
    let usesRules = cluster.usesHARules
    self.init(
      tool: Planner.tool, createdAt: snapshot.collectedAt,
      cluster: cluster.name ?? cluster.nodes.first?.name ?? "cluster",
      pveMajor: cluster.pveMajor ?? (usesRules ? 9 : 8),
      haPlacement: usesRules ? "rules" : "groups",
      snapshotSHA256: Planner.sha256(snapshot.encoded()), snapshot: snapshot,
      playbook: PlaybookRef(
        name: policy.name, path: playbookPath,
        sha256: Planner.sha256(Data(playbookText.utf8))),
      findings: findings, steps: steps, unresolved: unresolved, before: before, after: after,
      summary: summary)
  }
}

extension PlanLimits {
  /// The everyday hard limits of a playbook's capacity section.
  package init(_ capacity: CapacityPolicy) {
    self.init(
      vcpuPerCore: capacity.vcpuPerCore, memoryReserve: capacity.memoryReserve,
      localStorageReserve: capacity.localStorageReserve)
  }
}
