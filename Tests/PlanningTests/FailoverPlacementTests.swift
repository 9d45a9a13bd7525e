import Audit
import Foundation
import PVEMendTestSupport
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
      let over = o?.survivors.contains { !$0.recovered.isEmpty && !$0.withinCeilings } ?? false
      let lost = !(o?.capacityFailures.isEmpty ?? true)
      #expect(over || lost, "seed \(seed): \(id) reported but the rehearsal fits")
    }
    // The summary: one worst survivor per failure, in node order.
    if let worst = plan.summary.failover {
      let failed = outcomes.compactMap {
        $0.worstSurvivor == nil ? nil : $0.failedNodes.joined(separator: "+")
      }
      #expect(worst.map(\.failed) == failed, "seed \(seed)")
    }
  }

  /// `a` (8 cores, 64 GiB) with HA guests ct:100 and ct:101 (2 vCPU, 12 GiB each, no group), `big`
  /// (16 cores, 128 GiB) with HA guests ct:300 and ct:301 (and, with `router`, ct:200 "router"),
  /// `small` (4 cores, 32 GiB) with an 8 GiB guest.
  static func threeNodes(router: Bool) -> Cluster {
    var c = TestCluster().node("a", cores: 8, memoryGiB: 64)
      .node("big", cores: 16, memoryGiB: 128).node("small", cores: 4, memoryGiB: 32)
      .guest(100, on: "a", vcpus: 2, memoryGiB: 12).guest(101, on: "a", vcpus: 2, memoryGiB: 12)
      .ha("ct:100").ha("ct:101")
      .guest(300, on: "big").guest(301, on: "big").ha("ct:300").ha("ct:301")
    if router { c = c.guest(200, on: "big", name: "router") }
    return c.guest(400, on: "small", memoryGiB: 8).cluster
  }

  /// A disarmed HA stack recovers nothing, but the plan advises re-arming it: failover placement
  /// and the summary's failures are planned for the armed stack, the same as without the disarm.
  @Test func aDisarmedStackIsPlannedAsReArmed() throws {
    var cluster = Self.threeNodes(router: true)
    cluster.options["crs"] = "ha=basic"
    let policy = Policy(
      critical: [CriticalEntry(selector: GuestSelector(vmid: 200), level: .critical)])
    let armed = Plans.plan(cluster, policy)
    cluster.haManager.disarm = HADisarm(state: "disarmed", mode: "freeze")
    let disarmed = Plans.plan(cluster, policy)
    let advice = try #require(disarmed.steps.first { $0.title == "Re-arm the HA stack" })
    #expect(advice.reasons == ["ha.disarmed/cluster"])
    #expect(disarmed.summary.failover == armed.summary.failover)
    #expect(disarmed.summary.failover?.allSatisfy(\.within) == true)
    #expect(
      disarmed.steps.filter { $0.kind != .advice }.map(\.commands)
        == armed.steps.filter { $0.kind != .advice }.map(\.commands))
  }

  /// The crs property keeps its other keys when the scheduler changes.
  @Test func crsKeepsOtherKeys() {
    #expect(
      PlanState.crs("ha=basic,ha-rebalance-on-start=1", scheduler: .static)
        == "ha=static,ha-rebalance-on-start=1")
    #expect(PlanState.crs(nil, scheduler: .static) == "ha=static")
  }

  /// basic sends a failed node's HA guests without a group to the node with the fewest HA
  /// services: `small` (none; `big` has two). With its own 8 GiB guest, `small` ends at 32 GiB of
  /// its 30 GiB failover limit (32 GiB − 2 GiB) when `a` fails. No failover node can steer
  /// ct:100 and ct:101 (they are HA already, not planned), but static (TOPSIS over configured CPU
  /// and memory) sends them to `big`: the plan switches crs to static, keeping its other keys,
  /// and every failure fits.
  @Test func staticWhereOnlyItFits() throws {
    var cluster = Self.threeNodes(router: true)
    cluster.options["crs"] = "ha=basic,ha-rebalance-on-start=1"
    let policy = Policy(
      critical: [CriticalEntry(selector: GuestSelector(vmid: 200), level: .critical)])
    let before = Rehearsal(cluster: cluster, policy: policy).run(.init(failedNodes: ["a"]))
    #expect(before.recovered.map { "\($0.sid)→\($0.to)" } == ["ct:100→small", "ct:101→small"])
    #expect(before.verdict == .overloaded)

    let outcome = Plans.outcome(cluster, policy)
    let step = try #require(outcome.plan.steps.first { $0.kind == .haScheduler })
    #expect(
      step.commands.map(\.argv) == [
        ["pvesh", "set", "/cluster/options", "--crs", "ha=static,ha-rebalance-on-start=1"]
      ])
    #expect(
      step.inverse.map(\.argv) == [
        ["pvesh", "set", "/cluster/options", "--crs", "ha=basic,ha-rebalance-on-start=1"]
      ])
    #expect(step.detail?.contains("static weighs each node's configured CPU and memory") == true)
    #expect(!outcome.plan.unresolved.contains { $0.finding.hasPrefix("ha.failover-capacity/") })
    let after = Rehearsal(cluster: outcome.predicted, policy: policy).run(
      .init(failedNodes: ["a"]))
    #expect(after.recovered.map { "\($0.sid)→\($0.to)" } == ["ct:100→big", "ct:101→big"])
    #expect(after.verdict == .survivable)
    #expect(outcome.plan.summary.failover?.allSatisfy(\.within) == true)
  }

  /// The same cluster with nothing to make HA: ct:100 and ct:101 are HA already, without a group,
  /// so basic alone decides where they go when `a` fails (`small`, over its memory limit). The
  /// plan steers them: a group preferring `a`, then `big`, and `ha-manager set --group` for each
  /// (undone with `--delete group`); no scheduler switch is needed. The guests of `big` (HA, no
  /// group, fine when `big` fails) are left as they are; a plan of the predicted cluster finds
  /// nothing more to do; with ha.failover-capacity ignored nothing is steered.
  @Test func existingHAGuestsAreSteeredWhenThatMakesEveryFailureFit() throws {
    var cluster = Self.threeNodes(router: false)
    cluster.options["crs"] = "ha=basic"
    let policy = Policy()
    let before = Rehearsal(cluster: cluster, policy: policy).run(.init(failedNodes: ["a"]))
    #expect(before.verdict == .overloaded)

    let outcome = Plans.outcome(cluster, policy)
    let steps = outcome.plan.steps
    #expect(!steps.contains { $0.kind == .haScheduler })
    let group = try #require(
      steps.first { $0.commands.first?.argv.starts(with: ["ha-manager", "groupadd"]) == true })
    #expect(
      group.commands[0].argv.prefix(5).map { $0 } == [
        "ha-manager", "groupadd", "pvemend-prefer-a-then-big", "--nodes", "a:3,big:2,small:1",
      ])
    let sets = steps.filter { $0.commands.first?.argv.starts(with: ["ha-manager", "set"]) == true }
    #expect(
      sets.map { $0.commands[0].argv } == [
        ["ha-manager", "set", "ct:100", "--group", "pvemend-prefer-a-then-big"],
        ["ha-manager", "set", "ct:101", "--group", "pvemend-prefer-a-then-big"],
      ])
    #expect(
      sets.map { $0.inverse.map(\.argv) } == [
        [["ha-manager", "set", "ct:100", "--delete", "group"]],
        [["ha-manager", "set", "ct:101", "--delete", "group"]],
      ])
    #expect(sets.allSatisfy { $0.after == [group.id] && $0.reasons == ["ha.failover-capacity/a"] })
    #expect(!steps.contains { $0.commands.contains { $0.argv.contains("ct:300") } })
    #expect(!outcome.plan.unresolved.contains { $0.finding.hasPrefix("ha.failover-capacity/") })
    let after = Rehearsal(cluster: outcome.predicted, policy: policy).run(
      .init(failedNodes: ["a"]))
    #expect(after.recovered.map { "\($0.sid)→\($0.to)" } == ["ct:100→big", "ct:101→big"])
    #expect(after.verdict == .survivable)

    if let shared = Fixtures.shared {
      try GoldenPlanTests.expectProxmoxAccepts(outcome.plan, shared: shared, name: "steered")
    }

    let again = Plans.plan(outcome.predicted, policy)
    #expect(again.steps.filter { $0.kind != .advice }.isEmpty)

    var ignoring = policy
    ignoring.actions["ha.failover-capacity"] = .ignore
    let untouched = Plans.outcome(cluster, ignoring).plan.steps
    #expect(!untouched.contains { $0.kind == .haGroup })
  }
}
