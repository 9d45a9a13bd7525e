import Execution
import Foundation
import PVEMendTestSupport
import PVEModel
import Planning
import Testing

/// `RestoreRecords`: a restore-test journal and its plan → records (pure). The plan is the CLI
/// tests' fixture (three guests on the pve9 example); the journals are built here.
@Suite struct RestoreRecordsTests {
  static let plan: Plan = {
    let file = Fixtures.root.appendingPathComponent("Tests/CLITests/RestoreTests/restore-test.json")
    // The fixture is checked in; a decoding failure fails every test below.
    let data = (try? Data(contentsOf: file)) ?? Data()
    return (try? PlanFile.decode(data, file: file.path)) ?? Build.plan([])
  }()

  /// A run: every listed step starts and ends (outcome, duration) in order, 10 s apart.
  static func run(
    _ n: Int, mode: ExecutionMode = .execute, start: Int64 = 1_776_157_200,
    _ steps: [(String, StepOutcome, Double)], detail: (String) -> String? = { _ in nil },
    ended: Bool = true
  ) -> [JournalEntry] {
    var t = start
    func time() -> String { UTCDate(epoch: t).rfc3339 }
    let id = "\(time())/\(mode.rawValue)/\(n)"
    var out: [JournalEntry] = []
    var begin = JournalEntry(event: .runStart, time: time(), run: id)
    begin.mode = mode
    begin.planDigest = "d"
    out.append(begin)
    for (step, outcome, duration) in steps {
      var s = JournalEntry(event: .stepStart, time: time(), run: id)
      s.step = step
      s.kind = .restoreTest
      out.append(s)
      t += 10
      var e = JournalEntry(event: .stepEnd, time: time(), run: id)
      e.step = step
      e.kind = .restoreTest
      e.outcome = outcome.rawValue
      e.duration = duration
      e.detail = detail(step)
      out.append(e)
    }
    if ended {
      var end = JournalEntry(event: .runEnd, time: time(), run: id)
      end.outcome = "succeeded"
      out.append(end)
    }
    return out
  }

  static let all: [(String, StepOutcome, Double)] = (1...16).map {
    (String(format: "s%02d", $0), StepOutcome.succeeded, Double($0))
  }

  @Test func passedRunGivesOneRecordPerTestWithMeasuredTimes() throws {
    let records = try RestoreRecords.records(
      plan: Self.plan, planDigest: "d", entries: Self.run(1, Self.all))
    #expect(records.map(\.vmid) == [201, 204, 210])
    #expect(records.allSatisfy { $0.verdict == .passed && $0.detail == nil })
    let ct = try #require(records.first { $0.vmid == 210 })
    // ct:210: restore s01 (1 s), start s02 (2 s), no agent.
    #expect(ct.restoreSeconds == 1 && ct.bootSeconds == 2 && ct.kind == .lxc)
    #expect(ct.name == "dns-1" && ct.scratchVMID == 99900 && ct.node == "pve2")
    #expect(ct.backupTime != nil && (ct.backupSize ?? 0) > 0)
    // vm:204: restore s05, qm set s06, start s07 + agent s08.
    let vm = try #require(records.first { $0.vmid == 204 })
    #expect(vm.restoreSeconds == 5 && vm.bootSeconds == 7 + 8)
  }

  @Test func dryRunsAreIgnoredAndDeterministic() throws {
    let dry = Self.run(1, mode: .dryRun, Self.all)
    #expect(throws: RestoreRecords.Failure.noRestoreTestRun) {
      try RestoreRecords.records(plan: Self.plan, planDigest: "d", entries: dry)
    }
    let entries = dry + Self.run(2, start: 1_776_160_000, Self.all)
    let a = try RestoreRecords.records(plan: Self.plan, planDigest: "d", entries: entries)
    let b = try RestoreRecords.records(plan: Self.plan, planDigest: "d", entries: entries)
    #expect(a == b && a.count == 3)
    #expect(throws: RestoreRecords.Failure.planMismatch(journal: "d", plan: "other")) {
      try RestoreRecords.records(plan: Self.plan, planDigest: "other", entries: entries)
    }
  }

  @Test func aResumedRunAddsToItsAttempt() throws {
    // Run 1 stops after ct:210's restore (no run-end: killed); run 2 resumes the rest.
    let first = Self.run(1, [("s01", .succeeded, 30)], ended: false)
    let rest = Self.all.filter { $0.0 != "s01" }
    let second = Self.run(2, start: 1_776_160_000, rest)
    let stopped = try RestoreRecords.records(plan: Self.plan, planDigest: "d", entries: first)
    #expect(stopped.first { $0.vmid == 210 }?.verdict == .incomplete)
    #expect(stopped.first { $0.vmid == 210 }?.detail?.contains("the run stopped") == true)
    let records = try RestoreRecords.records(
      plan: Self.plan, planDigest: "d", entries: first + second)
    let ct = try #require(records.first { $0.vmid == 210 })
    #expect(ct.verdict == .passed && ct.restoreSeconds == 30 && ct.bootSeconds == 2)
    #expect(ct.testedAt == UTCDate(epoch: 1_776_157_200).rfc3339)
    // Two full runs: two attempts, the newest wins in the audit.
    let twice = try RestoreRecords.records(
      plan: Self.plan, planDigest: "d",
      entries: Self.run(1, Self.all) + Self.run(2, start: 1_776_200_000, Self.all))
    #expect(twice.count == 6)
    #expect(
      RestoreRecord.newestPerGuest(twice).allSatisfy {
        (UTCDate.epoch(rfc3339: $0.testedAt) ?? 0) >= 1_776_200_000
      })
  }

  @Test func failuresNameTheStepAndADestroyFailureIsNoted() throws {
    var steps = Self.all
    steps[13] = ("s14", .failed, 300)  // vm:201's agent wait
    steps[3] = ("s04", .failed, 1)  // ct:210's destroy
    let records = try RestoreRecords.records(
      plan: Self.plan, planDigest: "d",
      entries: Self.run(1, steps) { $0 == "s14" ? "no answer within 300 s" : nil })
    let vm = try #require(records.first { $0.vmid == 201 })
    #expect(vm.verdict == .failed && vm.bootSeconds == nil && vm.restoreSeconds == 11)
    #expect(
      vm.detail == "Wait for the guest agent of scratch vm:99902: failed: no answer within 300 s")
    let ct = try #require(records.first { $0.vmid == 210 })
    #expect(ct.verdict == .passed)
    #expect(ct.detail?.contains("scratch 99900 not destroyed (failed)") == true)
  }

  @Test func aPlanWithoutRestoreStepsIsRefused() {
    #expect(throws: RestoreRecords.Failure.notRestoreTestPlan) {
      try RestoreRecords.records(
        plan: Build.plan([Build.haAdd("s01", "ct:110")]), planDigest: "d",
        entries: Self.run(1, Self.all))
    }
  }
}
