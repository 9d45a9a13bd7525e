import Audit
import PVEModel
import Planning
import Playbook
import Testing

/// Properties of every plan, over generated clusters: hard limits hold after every step, the
/// same input gives the same bytes, and planning again on the predicted state does nothing more.
@Suite struct PlanPropertyTests {
  static let seeds: [UInt64] = Array(1...150)

  @Test(arguments: seeds) func everyStepKeepsEveryHardLimit(seed: UInt64) throws {
    let input = RandomCluster(seed: seed)
    let outcome = Plans.outcome(input.cluster, input.policy)
    var replay = Replay(cluster: input.cluster, policy: input.policy)
    replay.play(outcome.plan.steps)
    #expect(replay.violations == [], "seed \(seed)")
    // The replayed layout is the predicted one.
    let replayed = replay.cluster.guests.map { "\($0.sid)@\($0.node)" }
    let predicted = outcome.predicted.guests.map { "\($0.sid)@\($0.node)" }
    #expect(replayed == predicted, "seed \(seed)")
    // Every finding the playbook acts on is answered by a step or listed as unresolved.
    let named = Set(outcome.plan.steps.flatMap(\.reasons) + outcome.plan.unresolved.map(\.finding))
    for f in outcome.plan.findings where input.policy.action(for: f.rule) != .ignore {
      #expect(named.contains(f.id), "seed \(seed): \(f.id) dropped")
    }
  }

  @Test(arguments: seeds) func planningIsDeterministicAndIdempotent(seed: UInt64) throws {
    let input = RandomCluster(seed: seed)
    let first = Plans.outcome(input.cluster, input.policy)
    let again = Plans.outcome(input.cluster, input.policy)
    #expect(PlanFile.encode(first.plan) == PlanFile.encode(again.plan), "seed \(seed)")
    let next = Plans.plan(first.predicted, input.policy)
    let actions = next.steps.filter { $0.kind != .advice }
    #expect(actions.isEmpty, "seed \(seed): \(actions.map(\.title))")
  }
}
