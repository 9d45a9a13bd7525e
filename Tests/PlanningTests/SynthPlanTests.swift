import Audit
import PVEModel
import Planning
import Playbook
import Synth
import Testing

/// The plan properties over the repository's synthetic clusters (`Synth`), PVE 8 and 9, with a
/// playbook that makes tagged and production guests critical and keeps DNS servers apart.
@Suite struct SynthPlanTests {
  struct Input: Sendable, CustomStringConvertible {
    var seed: UInt64
    var nodes: Int
    var guests: Int
    var major: Int
    var description: String { "seed \(seed), \(nodes) nodes, \(guests) guests, PVE \(major)" }
  }

  static let inputs: [Input] = (1...24).map { i in
    Input(
      seed: UInt64(i), nodes: 2 + i % 7, guests: 20 + (i * 37) % 180, major: i % 2 == 0 ? 9 : 8)
  }

  static func policy(_ seed: UInt64) -> Policy {
    var p = Policy(name: "synth")
    p.critical = [
      CriticalEntry(selector: GuestSelector(tag: "critical"), level: .critical),
      CriticalEntry(selector: GuestSelector(pool: "prod"), level: .high),
    ]
    p.keepApart = [KeepApartSet(name: "dns", guests: [GuestSelector(name: "dns-*")])]
    p.capacity.vcpuPerCore = [2.0, 3.0, 4.0][Int(seed % 3)]
    p.migration.maxMoves = 10_000
    p.migration.allowContainerRestart = seed % 4 != 0
    return p
  }

  @Test(arguments: inputs) func synthPlansKeepLimitsAndAreIdempotent(_ input: Input) throws {
    let snapshot = Synth.snapshot(
      nodes: input.nodes, guests: input.guests, seed: input.seed, pveMajor: input.major)
    let cluster = try Cluster(snapshot: snapshot, file: "synth")
    let policy = Self.policy(input.seed)
    let findings = TestAudit.findings(in: cluster, policy: policy)
    let outcome = Planner.outcome(
      snapshot: snapshot, cluster: cluster, findings: findings, policy: policy,
      playbookPath: "synth.yaml", playbookText: "name: synth\n")
    var replay = Replay(cluster: cluster, policy: policy)
    replay.play(outcome.plan.steps)
    #expect(replay.violations == [], "\(input)")
    #expect(OutageChecks.problems(outcome.plan) == [], "\(input)")
    #expect(outcome.plan.pveMajor == input.major)
    let again = Planner.plan(
      snapshot: snapshot, cluster: cluster, findings: findings, policy: policy,
      playbookPath: "synth.yaml", playbookText: "name: synth\n")
    #expect(PlanFile.encode(again) == PlanFile.encode(outcome.plan), "\(input)")
    let next = Plans.plan(outcome.predicted, policy)
    #expect(next.steps.filter { $0.kind != .advice }.map(\.title) == [], "\(input)")
  }
}
