import Audit
import PVEModel
import Planning
import Playbook
import Testing

/// Properties of every plan, over generated clusters: hard limits hold after every step, no guest
/// has more than one outage or migrates twice, the
/// same input gives the same bytes, and planning again on the predicted state does nothing more.
@Suite struct PlanPropertyTests {
  static let seeds: [UInt64] = Array(1...200)

  @Test(arguments: seeds) func everyStepKeepsEveryHardLimit(seed: UInt64) throws {
    let input = RandomCluster(seed: seed)
    let outcome = Plans.outcome(input.cluster, input.policy)
    var replay = Replay(cluster: input.cluster, policy: input.policy)
    replay.play(outcome.plan.steps)
    #expect(replay.violations == [], "seed \(seed)")
    #expect(OutageChecks.problems(outcome.plan) == [], "seed \(seed)")
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

/// The executor's reading of conditions (`Condition.holds(in:)`, `establish(in:)`): every step's
/// preconditions hold once the steps before it took effect, and its effects are not already there.
@Suite struct ConditionContractTests {
  static func check(_ plan: Plan, _ cluster: Cluster) -> [String] {
    var state = cluster
    var problems: [String] = []
    for step in plan.steps {
      for c in step.preconditions where !c.holds(in: state) {
        problems.append(
          "\(step.id): precondition \(c.expectation) fails (\(c.observation(in: state)))")
      }
      if !step.effects.isEmpty && step.effects.allSatisfy({ $0.holds(in: state) }) {
        problems.append("\(step.id): every effect holds before it runs (it would be skipped)")
      }
      state = state.establishing(step.effects)
    }
    return problems
  }

  @Test(arguments: Inputs.cases) func goldenPlansChainTheirConditions(_ c: Inputs.Case) throws {
    let snapshot = try Inputs.snapshot(c.example)
    let cluster = try Cluster(snapshot: snapshot, file: c.example)
    let plan = try Inputs.outcome(c).plan
    #expect(Self.check(plan, cluster) == [])
  }

  @Test(arguments: Array(UInt64(1)...60)) func generatedPlansChainTheirConditions(seed: UInt64) {
    let input = RandomCluster(seed: seed)
    let plan = Plans.plan(input.cluster, input.policy)
    #expect(Self.check(plan, input.cluster) == [], "seed \(seed)")
  }
}
