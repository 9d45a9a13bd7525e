import PVEModel
import Planning

/// A restore-test run's journal, read back as one `RestoreRecord` per test (issue 15 part 3).
///
/// Pure: the journal's entries and the plan they ran (`pvemend restore-test --out`) in, records out.
/// The plan says which steps belong to which test (the restore step's command names the archive and
/// the scratch VMID; the embedded snapshot knows the archive's guest, time and size); the journal
/// says how long each step took and how it ended:
/// - restore seconds: the restore step's duration (fresh read, `qmrestore`/`pct restore`, check);
/// - boot seconds: the start step's duration plus the agent wait's, where the guest has an agent;
/// - verdict: `passed` when the restore, the network cut, the start and the agent wait succeeded;
///   `failed` when one of them failed (or was stale), `detail` naming the step and why;
///   `incomplete` when the run stopped before the verdict.
///
/// Runs in dry-run mode are ignored. A run that starts a test's restore step begins a new attempt;
/// later runs that only resume it (`apply --resume`) add to that attempt.
package enum RestoreRecords {
  /// Why a journal gives no records (bad input: the CLI names the file).
  package enum Failure: Error, Sendable, Hashable, CustomStringConvertible {
    /// The plan has no restore step: not a `pvemend restore-test` plan.
    case notRestoreTestPlan
    /// The journal has no execute run of a restore-test plan.
    case noRestoreTestRun
    /// The journal's run names another plan digest than the plan given.
    case planMismatch(journal: String, plan: String)

    package var description: String {
      switch self {
      case .notRestoreTestPlan:
        return
          "the plan has no restore step: not a 'pvemend restore-test' plan; give the journal of 'pvemend apply RESTORE-TEST-PLAN --execute'"
      case .noRestoreTestRun:
        return
          "no executed restore-test run in this journal (only dry runs, or another plan's steps); run 'pvemend apply PLAN --execute' first"
      case .planMismatch(let journal, let plan):
        return
          "the journal's runs name plan \(journal) but the plan file is \(plan); give the plan file the run used"
      }
    }
  }

  /// One test as the plan holds it: its steps by role.
  package struct Test: Sendable, Hashable {
    package var restore: String
    package var configure: String?
    package var start: String?
    package var agentWait: String?
    package var destroy: String?
    package var archive: String
    package var scratchVMID: Int
    package var node: String
    package var kind: GuestKind

    /// The steps the verdict depends on, in order.
    var verdictSteps: [String] { [restore] + [configure, start, agentWait].compactMap { $0 } }
  }

  /// The tests of a restore-test plan, in plan order.
  package static func tests(of plan: Plan) -> [Test] {
    var out: [Test] = []
    for step in plan.steps where step.kind == .restoreTest {
      guard let argv = step.commands.first?.argv, let node = step.commands.first?.node else {
        continue
      }
      let archive: String
      let vmidText: String
      let kind: GuestKind
      if argv.first == "qmrestore", argv.count >= 3 {
        (archive, vmidText, kind) = (argv[1], argv[2], .qemu)
      } else if argv.starts(with: ["pct", "restore"]), argv.count >= 4 {
        (archive, vmidText, kind) = (argv[3], argv[2], .lxc)
      } else {
        continue
      }
      guard let vmid = Int(vmidText) else { continue }
      var test = Test(
        restore: step.id, archive: archive, scratchVMID: vmid, node: node, kind: kind)
      let sid = "\(kind.haType):\(vmid)"
      for other in plan.steps where other.kind == .restoreTest && other.id != step.id {
        let words = other.commands.first?.argv ?? []
        let mine = words.count >= 3 && words[2] == vmidText
        if mine && words.starts(with: ["qm", "set"]) && other.after.contains(step.id) {
          test.configure = other.id
        } else if mine && words[1] == "start" {
          test.start = other.id
        } else if mine && words[1] == "destroy" && other.after.contains(step.id) {
          test.destroy = other.id
        } else if other.wait?.kind == Wait.agentPing && other.wait?.sid == sid {
          test.agentWait = other.id
        }
      }
      out.append(test)
    }
    return out
  }

  /// The records of every executed attempt of every test of `plan` in `entries`, sorted.
  package static func records(
    plan: Plan, planDigest: String, entries: [JournalEntry]
  ) throws(Failure) -> [RestoreRecord] {
    let tests = tests(of: plan)
    guard !tests.isEmpty else { throw .notRestoreTestPlan }
    // Runs in journal order; execute runs only.
    var order: [String] = []
    var byRun: [String: [JournalEntry]] = [:]
    var digests: Set<String> = []
    for e in entries {
      if byRun[e.run] == nil { order.append(e.run) }
      byRun[e.run, default: []].append(e)
    }
    let runs = order.compactMap { run -> [JournalEntry]? in
      let list = byRun[run] ?? []
      guard let start = list.first(where: { $0.event == .runStart }), start.mode == .execute
      else { return nil }
      if let d = start.planDigest { digests.insert(d) }
      return list
    }
    guard !runs.isEmpty, runs.contains(where: { $0.contains { $0.kind == .restoreTest } }) else {
      throw .noRestoreTestRun
    }
    if !digests.contains(planDigest), let other = digests.sorted().first {
      throw .planMismatch(journal: other, plan: planDigest)
    }

    let cluster = try? Cluster(snapshot: plan.snapshot)
    var archives: [String: BackupArchive] = [:]
    for a in cluster?.backups.archives ?? [] where archives[a.volid] == nil {
      archives[a.volid] = a
    }
    let titles = Dictionary(plan.steps.map { ($0.id, $0.title) }, uniquingKeysWith: { a, _ in a })

    var out: [RestoreRecord] = []
    for test in tests {
      // Attempts: the ends (last per step) and the restore's start time of each.
      var attempts:
        [(
          testedAt: String, ends: [String: JournalEntry], failedOutput: [String: String],
          stopped: Bool
        )] = []
      for run in runs {
        let digest = run.first { $0.event == .runStart }?.planDigest
        guard digest == nil || digest == planDigest else { continue }
        if let begin = run.first(where: {
          $0.event == .stepStart && $0.step == test.restore
            && !($0.detail?.hasPrefix("verify only") ?? false)
        }) {
          attempts.append((begin.time, [:], [:], false))
        }
        guard !attempts.isEmpty else { continue }
        for e in run {
          guard let id = e.step else { continue }
          if e.event == .stepEnd { attempts[attempts.count - 1].ends[id] = e }
          if e.event == .command, e.exitStatus != 0 || e.exitSignal != nil,
            let tail = e.stderrTail ?? e.stdoutTail,
            let last = tail.split(separator: "\n").last(where: { !$0.isEmpty })
          {
            attempts[attempts.count - 1].failedOutput[id] = String(last)
          }
        }
        if run.contains(where: { $0.event == .runEnd }) == false
          || run.contains(where: { $0.event == .runEnd && $0.outcome == "interrupted" })
        {
          attempts[attempts.count - 1].stopped = true
        }
      }
      let archive = archives[test.archive]
      let original = archive?.vmid ?? Self.vmid(inVolid: test.archive)
      let guest = original.flatMap { v in cluster?.guests.first { $0.vmid == v } }
      for attempt in attempts {
        func outcome(_ id: String?) -> StepOutcome? {
          id.flatMap { attempt.ends[$0]?.outcome }.flatMap(StepOutcome.init(rawValue:))
        }
        func seconds(_ id: String?) -> Double? {
          guard let id, outcome(id) == .succeeded || outcome(id) == .done else { return nil }
          return attempt.ends[id]?.duration
        }
        var verdict = RestoreRecord.Verdict.passed
        var detail: String?
        for id in test.verdictSteps {
          guard let o = outcome(id) else {
            verdict = .incomplete
            detail = "\(titles[id] ?? id): not run" + (attempt.stopped ? " (the run stopped)" : "")
            break
          }
          if o == .succeeded || o == .done || o == .satisfied { continue }
          verdict = o.isFailure ? .failed : .incomplete
          // The step's own detail, and what the failing command printed last.
          let printed = attempt.failedOutput[id].map { DisplayText.oneLine($0, limit: 160) }
          let why = [attempt.ends[id]?.detail.map { DisplayText.oneLine($0, limit: 160) }, printed]
            .compactMap { $0 }.joined(separator: ": ")
          detail = "\(titles[id] ?? id): \(o.rawValue)" + (why.isEmpty ? "" : ": \(why)")
          break
        }
        if verdict == .passed, let d = test.destroy, let o = outcome(d), o != .succeeded {
          detail = "scratch \(test.scratchVMID) not destroyed (\(o.rawValue)): remove it by hand"
        }
        var boot: Double?
        if let start = seconds(test.start) {
          boot = test.agentWait == nil ? start : seconds(test.agentWait).map { start + $0 }
        }
        out.append(
          RestoreRecord(
            vmid: original ?? 0, kind: guest?.kind ?? archive?.kind ?? test.kind,
            name: guest?.name, backupVolid: test.archive, backupTime: archive?.ctime,
            backupSize: archive?.size, node: test.node, scratchVMID: test.scratchVMID,
            testedAt: attempt.testedAt, restoreSeconds: seconds(test.restore),
            bootSeconds: verdict == .passed ? boot : nil, verdict: verdict, detail: detail))
      }
    }
    return out.sorted()
  }

  /// The guest's VMID in an archive's name: `…/vm/114/…` (PBS) or `vzdump-qemu-114-…`.
  static func vmid(inVolid volid: String) -> Int? {
    let path = volid.split(separator: ":", maxSplits: 1).last.map(String.init) ?? volid
    let parts = path.split(separator: "/").map(String.init)
    if let i = parts.firstIndex(where: { $0 == "vm" || $0 == "ct" }), i + 1 < parts.count,
      let v = Int(parts[i + 1])
    {
      return v
    }
    let words = (parts.last ?? "").split(separator: "-").map(String.init)
    if words.count >= 3, words[0] == "vzdump", let v = Int(words[2]) { return v }
    return nil
  }
}
