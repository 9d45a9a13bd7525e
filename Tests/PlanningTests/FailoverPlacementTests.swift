import Audit
import PVEModel
import Playbook
import Rehearse
import Testing

@testable import Planning

/// Plans that survive any one node (issue 12 part 3), over generated clusters: when a plan that
/// adds HA guests reports no `ha.failover-capacity/<node>` unresolved, every single-node failure
/// of its predicted cluster, rehearsed as Proxmox's HA stack would, leaves every survivor that
/// takes recovered guests within the playbook's failover limits; and the summary names each
/// failure's worst survivor with the same verdict.
@Suite struct FailoverPlacementTests {
  static let seeds: [UInt64] = Array(1...120)

  @Test(arguments: seeds) func noUnresolvedMeansEverySurvivorFits(seed: UInt64) throws {
    let input = RandomCluster(seed: seed)
    let outcome = Plans.outcome(input.cluster, input.policy)
    let plan = outcome.plan
    guard plan.steps.contains(where: { $0.kind == .haAdd }) else { return }
    let unresolved = Set(
      plan.unresolved.map(\.finding).filter { $0.hasPrefix("ha.failover-capacity/") })
    let outcomes = Rehearsal(cluster: outcome.predicted, policy: input.policy).runEachNode()
    for o in outcomes {
      let node = o.failedNodes.joined(separator: "+")
      let over = o.survivors.filter { !$0.recovered.isEmpty && !$0.withinCeilings }
      if unresolved.contains("ha.failover-capacity/\(node)") { continue }
      #expect(over.isEmpty, "seed \(seed): \(node) fails → \(over.map(\.node)) over, not reported")
    }
    // An unresolved entry only for failures that really overload a survivor.
    for id in unresolved {
      let node = String(id.dropFirst("ha.failover-capacity/".count))
      let o = outcomes.first { $0.failedNodes.joined(separator: "+") == node }
      #expect(
        o?.survivors.contains { !$0.recovered.isEmpty && !$0.withinCeilings } == true,
        "seed \(seed): \(id) reported but the rehearsal fits")
    }
    // The summary: one worst survivor per failure, in node order.
    if let worst = plan.summary.failover {
      let failed = outcomes.compactMap {
        $0.worstSurvivor == nil ? nil : $0.failedNodes.joined(separator: "+")
      }
      #expect(worst.map(\.failed) == failed, "seed \(seed)")
    }
  }

  /// The crs property keeps its other keys when the scheduler changes.
  @Test func crsKeepsOtherKeys() {
    #expect(
      PlanState.crs("ha=basic,ha-rebalance-on-start=1", scheduler: .static)
        == "ha=static,ha-rebalance-on-start=1")
    #expect(PlanState.crs(nil, scheduler: .static) == "ha=static")
  }
}
