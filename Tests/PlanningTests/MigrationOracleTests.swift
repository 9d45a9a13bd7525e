import Audit
import PVEModel
import Planning
import Playbook
import Testing

/// An exhaustive oracle for tiny clusters (≤ 3 nodes, ≤ 10 guests): the planner's migration count
/// equals the fewest migrations that meet the same goals.
///
/// The goals are the ones the planner meets by moving guests: the audit's `node.overcommit`,
/// `node.memory`, `node.imbalance` and `ha.distribution`, and the playbook's keep-apart sets. A
/// layout meets them when its audit has no goal finding the planner's predicted layout does not
/// have and every keep-apart set the plan did not leave unresolved runs on distinct nodes. The
/// oracle tries every layout with fewer moves than the plan (each moved guest on any other online
/// node its cores allow, `never_move` guests fixed) and must find none; the plan's own layout
/// meets them by construction. It relaxes local storage and HA placement limits, so it can only
/// find fewer moves than a plan under the real limits, never more: a pass is a proof of minimality.
@Suite struct MigrationOracleTests {
  static let goalRules: Set<String> = [
    "node.overcommit", "node.memory", "node.imbalance", "ha.distribution",
  ]
  static let seeds: [UInt64] = Array(1...120)

  /// The oracle compares only plans that meet every goal (a goal left unresolved has no minimum
  /// to compare with) and need at most three migrations; at least 40 of the seeds qualify.
  @Test func plannerUsesTheFewestMigrations() throws {
    var checked = 0
    var moving = 0
    for seed in Self.seeds {
      guard let migrations = try Self.check(seed: seed) else { continue }
      checked += 1
      if migrations > 0 { moving += 1 }
    }
    #expect(checked >= 40, "only \(checked) tiny clusters checked")
    #expect(moving >= 15, "only \(moving) of them migrate anything")
    print("oracle: \(checked) tiny clusters checked, \(moving) with migrations")
  }

  /// The plan's migration count when it qualified for the comparison, else nil.
  static func check(seed: UInt64) throws -> Int? {
    var r = RandomCluster.Generator(state: seed &* 7919)
    let input = RandomCluster(seed: seed, nodes: r.int(2...3), guests: r.int(4...10))
    let outcome = Plans.outcome(input.cluster, input.policy)
    let plan = outcome.plan
    let migrations = plan.steps.filter { $0.commands.contains(where: \.isMigration) }.count
    // Keep the oracle cheap: at most three moves to rule out.
    let policy = input.policy
    let unresolved = Set(plan.unresolved.map(\.finding))
    let unmet = unresolved.contains {
      $0.hasPrefix("keep-apart/") || goalRules.contains(String($0.prefix { $0 != "/" }))
    }
    guard migrations <= 3, !unmet else { return nil }
    let allowed = Self.goalFindings(outcome.predicted, policy)
    let sets = policy.keepApart.filter { !unresolved.contains("keep-apart/\($0.name)") }
    func meetsGoals(_ c: Cluster) -> Bool {
      for set in sets {
        let nodes = c.guests.filter { g in set.guests.contains { $0.matches(g) } }.map(\.node)
        if Set(nodes).count < nodes.count { return false }
      }
      return Self.goalFindings(c, policy).isSubset(of: allowed)
    }
    #expect(meetsGoals(outcome.predicted), "seed \(seed): the plan's own layout")

    // The predicted cluster (HA resources, groups, rules and volume moves of the plan applied)
    // with every guest back where it was: the layouts differ only in where guests run.
    var base = outcome.predicted
    let original = Dictionary(
      input.cluster.guests.map { ($0.sid, $0.node) }, uniquingKeysWith: { a, _ in a })
    for i in base.guests.indices { base.guests[i].node = original[base.guests[i].sid] ?? "" }
    let online = base.nodes.filter(\.online)
    let movable = base.guests.indices.filter { i in
      let g = base.guests[i]
      return !g.template && !policy.migration.neverMove.contains { $0.matches(g) }
        && online.contains { $0.name == g.node }
    }
    var tried = 0
    var fewer: [String]?
    func search(_ from: Int, _ left: Int, _ c: inout Cluster, _ moves: [String]) {
      guard fewer == nil else { return }
      tried += 1
      if meetsGoals(c) {
        fewer = moves
        return
      }
      guard left > 0 else { return }
      for k in from..<movable.count {
        let i = movable[k]
        let g = c.guests[i]
        for n in online where n.name != g.node && g.vcpus <= n.cores {
          c.guests[i].node = n.name
          search(k + 1, left - 1, &c, moves + ["\(g.sid)→\(n.name)"])
          c.guests[i].node = g.node
          if fewer != nil { return }
        }
      }
    }
    if migrations > 0 { search(0, migrations - 1, &base, []) }
    #expect(
      fewer == nil,
      "seed \(seed): the plan migrates \(migrations) guests, \(fewer?.count ?? 0) suffice: \(fewer ?? []) (\(tried) layouts)"
    )
    return migrations
  }

  static func goalFindings(_ c: Cluster, _ policy: Policy) -> Set<String> {
    Set(
      TestAudit.findings(in: c, policy: policy).filter {
        goalRules.contains($0.rule) && policy.action(for: $0.rule) != .ignore
      }.map(\.id))
  }
}
