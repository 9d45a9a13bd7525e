import Execution
import Foundation
import PVEMendTestSupport
import PVEModel
import Planning
import Testing
import Transport

@Suite("Journal, resume and undo")
struct JournalTests {
  static let plan = Build.plan([
    Build.haAdd("s01", "ct:110"),
    Build.migrate("s02", "ct:131", from: "proxmox2", to: "proxmox3"),
    Build.backupJob("s03", job: "pvemend-daily"),
  ])
  static let sequential = ExecutionOptions(
    mode: .execute, parallel: 1, pollInterval: 1, verifyTimeout: 5)

  @Test("every run appends run-start, check, step and command entries, and run-end")
  func journalContents() async throws {
    let fake = FakeProxmox(Build.cluster())
    let journal = MemoryJournal()
    _ = await fake.executor(journal: journal).apply(
      Self.plan, planDigest: "sha256:plan", planPath: "plan.json", options: dryRun)
    _ = await fake.executor(journal: journal).apply(
      Self.plan, planDigest: "sha256:plan", planPath: "plan.json", options: Self.sequential)
    let e = journal.entries
    let starts = e.filter { $0.event == .runStart }
    #expect(starts.map(\.mode) == [.dryRun, .execute])
    #expect(starts.allSatisfy { $0.planDigest == "sha256:plan" && $0.tool == "pvemend 0.1.0" })
    #expect(Set(e.filter { $0.run == starts[0].run }.map(\.event)) == [.runStart, .check, .runEnd])
    let commands = e.filter { $0.event == .command }
    #expect(commands.map(\.step) == ["s01", "s02", "s03"])
    let migrate = try #require(commands.first { $0.step == "s02" })
    #expect(migrate.node == "proxmox2")
    #expect(migrate.argv == ["pct", "migrate", "131", "proxmox3", "--restart", "1"])
    #expect(migrate.exitStatus == 0)
    #expect(migrate.hostKey == "SHA256:fake-proxmox2")
    #expect(migrate.stdoutTail == "migration finished successfully\n")
    #expect(migrate.duration != nil)
    let ends = e.filter { $0.event == .stepEnd }
    #expect(ends.map(\.outcome) == ["succeeded", "succeeded", "succeeded"])
    #expect(
      ends[0].inverse == [
        RemoteCommand(node: "proxmox1", argv: ["ha-manager", "remove", "ct:110"], mutating: true)
      ])
    #expect(e.last?.event == .runEnd)
    #expect(e.last?.exitCode == 0)
    #expect(e.last?.counts == ["succeeded": 3])
    // Every line is one JSON object that reads back.
    let parsed = try JournalEntry.parse(journal.text, file: "j")
    #expect(parsed == e)
    #expect(
      journal.text.split(separator: "\n").allSatisfy { $0.hasPrefix("{\"") && $0.hasSuffix("}") })
  }

  @Test("resume after a lost connection: finished steps are verified, not re-run; the rest runs")
  func resumeAfterConnectionLoss() async throws {
    let fake = FakeProxmox(Build.cluster())
    fake.throwOnce["pct migrate 131 proxmox3 --restart 1"] = .connectionLost(
      node: "proxmox2", detail: "sshd went away")
    let journal = MemoryJournal()
    let first = await fake.executor(journal: journal).apply(
      Self.plan, planDigest: "p", options: Self.sequential)
    #expect(first.status == .connection)
    #expect(first.steps.map(\.outcome) == [.succeeded, .failed, .notStarted])
    #expect(journal.entries.last?.notStarted == ["s03"])

    let resume = try ResumeState.from(journal.entries, planDigest: "p", file: "j")
    #expect(resume.steps["s01"]?.finished == true)
    #expect(resume.steps["s02"]?.outcome == "failed")
    let second = await fake.executor(journal: journal).apply(
      Self.plan, planDigest: "p", options: Self.sequential, resume: resume)
    #expect(second.status == .success)
    #expect(second.steps.map(\.outcome) == [.done, .succeeded, .succeeded])
    let adds = fake.transport.commands.filter { $0.argv.starts(with: ["ha-manager", "add"]) }
    #expect(adds.count == 1, "s01 must not run again")
  }

  @Test("resume refuses when a finished step's effect no longer holds (no blind re-run)")
  func resumeRefusesChangedFinishedStep() async throws {
    let fake = FakeProxmox(Build.cluster())
    let journal = MemoryJournal()
    _ = await fake.executor(journal: journal).apply(
      Self.plan, planDigest: "p", options: Self.sequential)
    // Someone removes HA from ct:110 behind our back.
    var c = fake.cluster
    c.haResources.removeAll { $0.sid == "ct:110" }
    c.haManager.services["ct:110"] = nil
    fake.cluster = c
    let before = fake.transport.mutatingCommands.count
    let resume = try ResumeState.from(journal.entries, planDigest: "p", file: "j")
    let report = await fake.executor(journal: journal).apply(
      Self.plan, planDigest: "p", options: Self.sequential, resume: resume)
    #expect(report.status == .refused)
    #expect(
      report.refusal?.description.contains(
        "step s01 finished in an earlier run but expects ct:110 HA-managed in state started, not HA-managed"
      )
        == true)
    #expect(fake.transport.mutatingCommands.count == before)
  }

  @Test("resume after Ctrl-C during an HA wait verifies without sending the migration again")
  func resumeVerifiesInterruptedWait() async throws {
    let plan = Build.plan([Build.haMigrate("s01", "vm:114", from: "proxmox1", to: "proxmox2")])
    let fake = FakeProxmox(Build.cluster())
    fake.migrationReads = 6
    let interruption = Interruption()
    let log = EventLog()
    log.onEvent = { if case .waiting = $0 { interruption.trigger() } }
    let journal = MemoryJournal()
    let first = await fake.executor(journal: journal, observer: log, interruption: interruption)
      .apply(
        plan, planDigest: "p", options: Self.sequential)
    #expect(first.steps[0].outcome == .interrupted)
    #expect(first.status == .interrupted)

    let resume = try ResumeState.from(journal.entries, planDigest: "p", file: "j")
    #expect(resume.steps["s01"]?.commandsCompleted == true)
    let second = await fake.executor(journal: journal).apply(
      plan, planDigest: "p", options: Self.sequential, resume: resume)
    #expect(second.steps[0].outcome == .succeeded)
    let migrates = fake.transport.commands.filter {
      $0.argv.starts(with: ["ha-manager", "migrate"])
    }
    #expect(migrates.count == 1)
    #expect(fake.cluster.guest(sid: "vm:114")?.node == "proxmox2")
  }

  @Test(
    "a journal of another plan is refused; a torn last line is tolerated, a bad middle line is not")
  func journalValidation() throws {
    let entry = JournalEntry(event: .runStart, time: "t", run: "r")
    var start = entry
    start.mode = .execute
    start.planDigest = "other"
    #expect(
      throws: ExecutionError.journalForOtherPlan(file: "j", journalDigest: "other", planDigest: "p")
    ) {
      try ResumeState.from([start], planDigest: "p", file: "j")
    }
    let text = start.line() + "\n" + "{\"event\":\"step-st"
    #expect(try JournalEntry.parse(text, file: "j").count == 1)
    let bad = start.line() + "\nnot json\n" + start.line() + "\n"
    #expect(throws: ExecutionError.self) { try JournalEntry.parse(bad, file: "j") }
    do {
      _ = try JournalEntry.parse(bad, file: "run.journal.jsonl")
    } catch {
      #expect(error.description.hasPrefix("run.journal.jsonl:2: not a journal entry"))
    }
  }

  @Test("undo: executed steps' inverses in reverse order; applying it restores the cluster")
  func undo() async throws {
    let original = Build.cluster()
    let fake = FakeProxmox(original)
    let journal = MemoryJournal()
    let plan = Build.plan(
      Self.plan.steps + [Build.haMigrate("s04", "vm:114", from: "proxmox1", to: "proxmox2")])
    let run = await fake.executor(journal: journal).apply(
      plan, planDigest: "p", options: Self.sequential)
    #expect(run.status == .success)

    let undo = try UndoPlan.make(from: journal.entries, file: "plan.journal.jsonl")
    #expect(undo.steps.map(\.id) == ["u01", "u02", "u03", "u04"])
    #expect(undo.steps.map(\.reasons) == [["s04"], ["s03"], ["s02"], ["s01"]])
    #expect(undo.steps.map(\.after) == [[], ["u01"], ["u02"], ["u03"]])
    #expect(undo.steps[0].commands.map(\.shellLine) == ["ha-manager migrate vm:114 proxmox1"])
    #expect(
      undo.steps[0].wait
        == Wait(kind: "ha-migrate", sid: "vm:114", node: "proxmox1", timeoutSeconds: 60))
    #expect(undo.steps[2].commands.map(\.shellLine) == ["pct migrate 131 proxmox2 --restart 1"])
    #expect(undo.steps[2].effects == [Condition(.guestOnNode, sid: "ct:131", node: "proxmox2")])
    #expect(undo.steps[3].commands.map(\.shellLine) == ["ha-manager remove ct:110"])
    #expect(undo.steps[3].effects == [Condition(.haNotManaged, sid: "ct:110")])
    #expect(undo.steps[3].inverse.map(\.shellLine) == ["ha-manager add ct:110 --state started"])
    #expect(undo.cluster == "homelab")

    // Dry run first: changes nothing.
    let undoJournal = MemoryJournal()
    let preview = await fake.executor(journal: undoJournal).apply(
      undo, planDigest: "u", options: dryRun)
    #expect(preview.steps.map(\.outcome) == [.wouldRun, .wouldRun, .wouldRun, .wouldRun])
    let applied = await fake.executor(journal: undoJournal).apply(
      undo, planDigest: "u", options: Self.sequential)
    #expect(applied.status == .success)
    let back = fake.cluster
    #expect(back.guests.map(\.node) == original.guests.map(\.node))
    #expect(back.haResources.map(\.sid) == original.haResources.map(\.sid))
    #expect(back.backupJobs.isEmpty)

    #expect(throws: ExecutionError.nothingToUndo(file: "u")) {
      try UndoPlan.make(from: MemoryJournal().entries, file: "u")
    }
  }

  @Test("journal file: appends across runs and reads back")
  func journalFile() async throws {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent(
      "pvemend-journal-\(UInt32.random(in: 0...UInt32.max))")
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: dir) }
    let path = dir.appendingPathComponent("plan.json.journal.jsonl").path
    let fake = FakeProxmox(Build.cluster())
    for _ in 0..<2 {
      let file = try JournalFile(path: path)
      _ = await Executor(
        transport: fake.transport, readCluster: fake.executorRead, clock: VirtualClock(),
        journal: file,
        confirmation: AutoConfirmation()
      ).apply(Self.plan, planDigest: "p", options: Self.sequential)
    }
    let entries = try JournalFile.read(path: path)
    #expect(entries.filter { $0.event == .runStart }.count == 2)
    #expect(
      entries.filter { $0.event == .stepEnd }.map(\.outcome) == [
        "succeeded", "succeeded", "succeeded",
      ])
    let lastRun = try #require(entries.last?.run)
    #expect(
      entries.filter { $0.run == lastRun && $0.event == .check }.map(\.status) == [
        "satisfied", "satisfied", "satisfied",
      ])
  }

  /// Stop vm:114 through HA, then start it again: the first step's effect does not survive the second.
  static let stopStart = Build.plan([
    Step(
      id: "s01", kind: .moveVolume, title: "Stop vm:114 through HA", reasons: [], after: [],
      commands: [
        RemoteCommand(
          node: "proxmox1", argv: ["ha-manager", "set", "vm:114", "--state", "stopped"],
          mutating: true)
      ],
      preconditions: [Condition(.haManaged, sid: "vm:114", state: "started")],
      effects: [Condition(.haManaged, sid: "vm:114", state: "stopped")],
      wait: Wait(
        kind: "ha-state", sid: "vm:114", node: "proxmox1", timeoutSeconds: 60, state: "stopped"),
      inverse: [
        RemoteCommand(
          node: "proxmox1", argv: ["ha-manager", "set", "vm:114", "--state", "started"],
          mutating: true)
      ]),
    Step(
      id: "s02", kind: .moveVolume, title: "Move vm:114 scsi0 to nas and start it through HA",
      reasons: [], after: ["s01"],
      commands: [
        RemoteCommand(
          node: "proxmox1", argv: ["qm", "disk", "move", "114", "scsi0", "nas", "--delete", "1"],
          mutating: true),
        RemoteCommand(
          node: "proxmox1", argv: ["ha-manager", "set", "vm:114", "--state", "started"],
          mutating: true),
      ],
      preconditions: [
        Condition(.haManaged, sid: "vm:114", state: "stopped"),
        Condition(.volumeOnStorage, sid: "vm:114", key: "scsi0", storage: "local-lvm"),
      ],
      effects: [
        Condition(.haManaged, sid: "vm:114", state: "started"),
        Condition(.volumeOnStorage, sid: "vm:114", key: "scsi0", storage: "nas"),
      ],
      wait: Wait(
        kind: "ha-state", sid: "vm:114", node: "proxmox1", timeoutSeconds: 60, state: "started")),
  ])

  @Test(
    "an ha-state wait polls until the CRM reports the state; a finished plan re-runs as all satisfied"
  )
  func supersededStepsAreDone() async throws {
    var cluster = Build.cluster()
    cluster.guests[1].disks = [
      Disk(key: "scsi0", volid: "local-lvm:vm-114-disk-0", storage: "local-lvm", size: 1 << 30)
    ]
    let fake = FakeProxmox(cluster)
    fake.migrationReads = 3
    let journal = MemoryJournal()
    let log = EventLog()
    let first = await fake.executor(journal: journal, observer: log).apply(
      Self.stopStart, planDigest: "p", options: Self.sequential)
    #expect(first.steps.map(\.outcome) == [.succeeded, .succeeded])
    let waits = log.events.compactMap { e -> String? in
      if case .waiting(_, let detail, _) = e { return detail }
      return nil
    }
    #expect(waits.contains("vm:114 in HA state stopped (HA state started)"))

    // s01's own effect (stopped) no longer holds, but s02 changed the same thing and holds.
    let again = await fake.executor(journal: journal).apply(
      Self.stopStart, planDigest: "p", options: Self.sequential)
    #expect(again.steps.map(\.outcome) == [.satisfied, .satisfied])
    let resume = try ResumeState.from(journal.entries, planDigest: "p", file: "j")
    let resumed = await fake.executor(journal: journal).apply(
      Self.stopStart, planDigest: "p", options: Self.sequential, resume: resume)
    #expect(resumed.steps.map(\.outcome) == [.done, .done])
    #expect(resumed.status == .success)
    #expect(fake.transport.mutatingCommands.count == 3)
  }

  @Test("undo of an ha-state step runs its inverse; HA request states are not verified")
  func undoHAState() async throws {
    let fake = FakeProxmox(Build.cluster())
    let journal = MemoryJournal()
    let plan = Build.plan([Self.stopStart.steps[0]])
    _ = await fake.executor(journal: journal).apply(plan, planDigest: "p", options: Self.sequential)
    let undo = try UndoPlan.make(from: journal.entries, file: "j")
    // HA request states are not checked by an undo (the inverse may be a round trip).
    #expect(undo.steps[0].wait == nil)
    #expect(undo.steps[0].preconditions == [Condition(.haManaged, sid: "vm:114")])
    #expect(undo.steps[0].effects.isEmpty)
    let r = await fake.executor().apply(undo, planDigest: "u", options: Self.sequential)
    #expect(r.status == .success)
    #expect(fake.cluster.haResource("vm:114")?.state == "started")
  }
}
