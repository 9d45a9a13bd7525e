import Audit
import PVEModel
import Playbook

/// Drops migrations that later moves made unneeded, so the plan meets its goals with the fewest
/// migrations: a guest moved for a keep-apart set whose partner left the node later anyway, or
/// for a node's load that later moves brought within its limits. A migration is dropped only
/// when nothing waits for it, the guest fits back where it is now within every hard limit, every
/// goal it served still holds without it (keep-apart sets apart, the node's vCPU, memory and
/// share excess at zero, every node keeping an HA guest), and each finding it answered is
/// answered by a migration that stays. Runs after the spread, before the HA phases.
struct PruneMovesPhase: PlanPhase {
  func run(_ s: inout PlanState) {
    let records = s.migrationOf.sorted { $0.value.draft < $1.value.draft }
    for (sid, record) in records {
      s.dropIfRedundant(sid, record)
    }
  }
}

extension PlanState {
  fileprivate mutating func dropIfRedundant(_ sid: String, _ r: MigrationRecord) {
    let d = r.draft
    guard r.plain, drafts[d].absorbedInto == nil, !drafts[d].dropped,
      lastStepOfGuest[sid] == d, let g = sim.guest(sid), g.node == r.to,
      !drafts.indices.contains(where: { !drafts[$0].dropped && drafts[$0].dependencies.contains(d) }
      )
    else { return }
    guard case .success(let back) = sim.landing(of: g, on: r.from), back.targetStorage == nil else {
      return
    }
    // Who answers the findings this migration named once it is gone.
    var receivers: [String: Int] = [:]
    let others = migrationOf.filter { $0.key != sid && !drafts[$0.value.draft].dropped }
    for reason in drafts[d].reasons {
      let receiver: Int?
      if reason.hasPrefix("ha.distribution/") {
        receiver = others.values.filter { $0.to == r.to }.map(\.draft).min()
      } else {
        receiver = others.values.filter { $0.from == r.from }.map(\.draft).min()
      }
      guard let receiver else { return }
      receivers[reason] = receiver
    }
    var trial = self
    trial.sim.moveGuest(sid, to: r.from, targetStorage: nil)
    if trial.haPlanned[sid] != nil, !trial.sim.isHAManaged(sid) {
      trial.plannedHAOn[r.to, default: 0] -= 1
      trial.plannedHAOn[r.from, default: 0] += 1
    }
    guard trial.goalsHold(comparedWith: self, around: [r.from, r.to]) else { return }
    trial.drafts[d].dropped = true
    for (reason, receiver) in receivers where !trial.drafts[receiver].reasons.contains(reason) {
      trial.drafts[receiver].reasons = (trial.drafts[receiver].reasons + [reason]).sorted()
    }
    trial.freed[r.from]?.removeAll { $0.step == d }
    if trial.haArrival[r.to] == d { trial.haArrival[r.to] = nil }
    trial.lastStepOfGuest[sid] = r.previous
    trial.migrationOf[sid] = nil
    trial.moved.remove(sid)
    trial.migrations -= 1
    self = trial
  }

  /// Whether this state keeps every goal `before` meets: keep-apart sets as far apart, the nodes
  /// `around` within the load limits their findings ask for, and every node that has an HA guest
  /// keeping one.
  fileprivate func goalsHold(comparedWith before: PlanState, around nodes: [String]) -> Bool {
    for set in sim.keepApart {
      func spread(_ state: PlanState) -> Int {
        Set(set.sids.compactMap { state.sim.guest($0)?.node }).count
      }
      if spread(self) < spread(before) { return false }
    }
    for node in nodes {
      guard let now = sim.load(node), let was = before.sim.load(node) else { return false }
      let e1 = sim.limits.excess(now)
      let e0 = before.sim.limits.excess(was)
      for metric in LoadMetric.allCases where policy.action(for: metric.rawValue) == .rebalance {
        if metric.of(e1) > max(0, metric.of(e0)) + 1e-9 { return false }
      }
      if policy.ha.spread, before.haCount(node) > 0, haCount(node) == 0 { return false }
    }
    return true
  }
}
