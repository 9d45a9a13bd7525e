import Execution
import Foundation
import PVEMendTestSupport
import PVEModel
import Planning
import Testing
import Transport

@Suite("Executor")
struct ExecutorTests {
  static let plan = Build.plan([
    Build.haAdd("s01", "ct:110"),
    Build.migrate("s02", "ct:131", from: "proxmox2", to: "proxmox3"),
    Build.backupJob("s03", job: "pvemend-daily"),
    Build.advice("s04"),
  ])

  @Test("a dry run sends no mutating command: every command a node received is read-only")
  func dryRunSendsNoMutatingCommand() async throws {
    let fake = FakeProxmox(Build.cluster())
    let report = await fake.executor().apply(Self.plan, planDigest: "d", options: dryRun)
    #expect(report.status == .success)
    #expect(report.refusal == nil)
    let received = fake.transport.commandsByNode
    #expect(!received.isEmpty)
    for (node, commands) in received {
      for c in commands {
        #expect(!c.mutating, "\(node) received mutating \(c.shellLine)")
        #expect(ReadOnlyCommands.isReadOnly(c.argv), "\(node) received \(c.shellLine)")
      }
    }
    #expect(fake.transport.mutatingCommands.isEmpty)
    #expect(fake.cluster == Build.cluster())
    // …and it reports per node what it would run.
    #expect(report.commandsByNode["proxmox1"]?.map(\.step) == ["s01", "s03"])
    #expect(
      report.commandsByNode["proxmox2"]?.map(\.command.shellLine) == [
        "pct migrate 131 proxmox3 --restart 1"
      ])
    #expect(report.steps.map(\.outcome) == [.wouldRun, .wouldRun, .wouldRun, .advice])
  }

  @Test("the dry-run guard refuses a mutating command even from the cluster reader")
  func dryRunGuardIsStructural() async throws {
    let fake = FakeProxmox(Build.cluster())
    let sneaky: Executor.ReadCluster = { t in
      _ = try await t.run(
        RemoteCommand(node: "proxmox1", argv: ["ha-manager", "remove", "vm:114"], mutating: false))
      return Build.cluster()
    }
    let executor = Executor(
      transport: fake.transport, readCluster: sneaky, clock: VirtualClock(),
      journal: MemoryJournal(),
      confirmation: AutoConfirmation())
    let report = await executor.apply(Self.plan, planDigest: "d", options: dryRun)
    #expect(report.status == .refused)
    #expect(fake.transport.commands.isEmpty)
    #expect(report.refusal?.description.contains("refused to send mutating command") == true)
  }

  @Test("a stale plan is refused before anything runs, naming what changed")
  func stalePlanRefused() async throws {
    var cluster = Build.cluster()
    cluster.guests[3].node = "proxmox2"  // ct:131 stays on proxmox2
    let plan = Build.plan([
      Build.haAdd("s01", "ct:110"),
      Build.migrate("s04", "ct:131", from: "proxmox3", to: "proxmox1"),
    ])
    let fake = FakeProxmox(cluster)
    let journal = MemoryJournal()
    let confirmation = ScriptedConfirmation()
    let report = await fake.executor(journal: journal, confirmation: confirmation).apply(
      plan, planDigest: "d", options: execute)
    #expect(report.status == .refused)
    let message = try #require(report.refusal?.description)
    #expect(message.contains("step s04 expects ct:131 on proxmox3, found on proxmox2"))
    #expect(message.contains("plan again"))
    #expect(fake.transport.mutatingCommands.isEmpty)
    #expect(confirmation.asked.isEmpty, "a stale plan must not even ask")
    #expect(journal.entries.last?.event == .runEnd)
    #expect(journal.entries.last?.outcome == "refused")
  }

  @Test("execute runs every step, verifies effects, and a second run skips every step")
  func executeThenIdempotent() async throws {
    let fake = FakeProxmox(Build.cluster())
    let first = await fake.executor().apply(Self.plan, planDigest: "d", options: execute)
    #expect(first.status == .success)
    #expect(first.steps.map(\.outcome) == [.succeeded, .succeeded, .succeeded, .advice])
    let c = fake.cluster
    #expect(c.haResource("ct:110") != nil)
    #expect(c.guest(sid: "ct:131")?.node == "proxmox3")
    #expect(c.backupJobs.map(\.id) == ["pvemend-daily"])
    // Migrate ran on the source node.
    #expect(
      fake.transport.commands(on: "proxmox2").contains { $0.argv.starts(with: ["pct", "migrate"]) })

    let sent = fake.transport.mutatingCommands.count
    let second = await fake.executor().apply(Self.plan, planDigest: "d", options: execute)
    #expect(second.status == .success)
    #expect(second.steps.map(\.outcome) == [.satisfied, .satisfied, .satisfied, .advice])
    #expect(fake.transport.mutatingCommands.count == sent)
  }

  @Test("a failing command stops the run; dependents never run; the table names the failure")
  func dependencyFailureStopsDependents() async throws {
    let plan = Build.plan([
      Build.haAdd("s01", "ct:110"),
      Build.haAdd("s02", "ct:131", after: ["s01"]),
      Build.backupJob("s03", job: "j"),
    ])
    let fake = FakeProxmox(Build.cluster())
    fake.forced["ha-manager add ct:110 --state started"] = .text(
      "", stderr: "resource 'ct:110' - guest with ID 110 is not a VM\n", status: 255)
    let options = ExecutionOptions(mode: .execute, parallel: 1, pollInterval: 1, verifyTimeout: 5)
    let report = await fake.executor().apply(plan, planDigest: "d", options: options)
    #expect(report.status == .stepFailed)
    #expect(report.steps.map(\.outcome) == [.failed, .blocked, .notStarted])
    #expect(
      report.steps[0].detail?.contains(
        "exited 255: resource 'ct:110' - guest with ID 110 is not a VM") == true)
    #expect(!fake.transport.commands.contains { $0.argv.contains("ct:131") })
    #expect(!fake.transport.commands.contains { $0.argv.contains("/cluster/backup") })
    let table = ExecutionText.table(report)
    #expect(table.contains("s02   blocked"))
    #expect(table.contains("exit 1"))
  }

  @Test("running steps finish after a failure elsewhere; no new step starts")
  func runningStepsFinish() async throws {
    let plan = Build.plan([
      Build.haAdd("s01", "ct:110"),
      Build.migrate("s02", "ct:131", from: "proxmox2", to: "proxmox3"),
      Build.haAdd("s03", "vm:120", node: "proxmox3", after: ["s02"]),
    ])
    let fake = FakeProxmox(Build.cluster())
    fake.forced["ha-manager add ct:110 --state started"] = .text("", stderr: "boom\n", status: 1)
    fake.commandDelay = .milliseconds(50)
    let report = await fake.executor().apply(plan, planDigest: "d", options: execute)
    #expect(report.steps.map(\.outcome) == [.failed, .succeeded, .notStarted])
    #expect(report.status == .stepFailed)
  }

  @Test("parallel across nodes, never two mutating steps on one node, never above --parallel")
  func parallelismLimits() async throws {
    var cluster = Build.cluster()
    for (i, vmid) in [201, 202, 203, 204, 205, 206].enumerated() {
      cluster.guests.append(Build.guest(.qemu, vmid, "g\(vmid)", on: "proxmox\(i % 3 + 1)"))
    }
    cluster.nodes.append(Build.node("proxmox4"))
    // Six HA enables, two per node: at most one per node at a time.
    let steps = [201, 202, 203, 204, 205, 206].enumerated().map { i, vmid in
      Build.haAdd("s0\(i + 1)", "vm:\(vmid)", node: "proxmox\(i % 3 + 1)")
    }
    for parallel in [1, 2, 4] {
      let fake = FakeProxmox(cluster)
      fake.commandDelay = .milliseconds(30)
      let log = EventLog()
      let options = ExecutionOptions(mode: .execute, parallel: parallel, pollInterval: 1)
      let report = await fake.executor(observer: log).apply(
        Build.plan(steps), planDigest: "d", options: options)
      #expect(report.status == .success)
      let mutating = fake.transport.mutatingCommands
      #expect(mutating.count == 6)
      for (node, peak) in fake.transport.peakMutatingConcurrencyPerNode {
        #expect(
          peak <= 1, "\(node) ran \(peak) mutating commands at once with --parallel \(parallel)")
      }
      let peak = fake.transport.peakMutatingConcurrency
      #expect(peak <= parallel)
      // Parallelism really happens: three nodes, so up to three at once.
      #expect(peak == min(parallel, 3), "peak \(peak) with --parallel \(parallel)")
      if parallel == 1 { #expect(log.startedSteps == steps.map(\.id)) }
    }
  }

  @Test("scheduler: after edges, node locks, and the global limit")
  func schedulerRules() {
    let steps = [
      Build.migrate("s01", "ct:131", from: "proxmox2", to: "proxmox3"),
      Build.haAdd("s02", "ct:110", node: "proxmox1"),
      Build.haAdd("s03", "vm:120", node: "proxmox3"),
      Build.haAdd("s04", "vm:201", node: "proxmox1", after: ["s01"]),
    ]
    var s = StepScheduler(plan: steps, toRun: steps.map(\.id), parallel: 4)
    // s01 locks proxmox2 and proxmox3; s03 (proxmox3) must wait; s04 waits for s01.
    #expect(s.startable() == ["s01", "s02"])
    #expect(s.startable() == [])
    s.finish("s01", .usable)
    #expect(s.startable() == ["s03"])
    s.finish("s02", .usable)
    #expect(s.startable() == ["s04"])

    var t = StepScheduler(plan: steps, toRun: steps.map(\.id), parallel: 1)
    #expect(t.startable() == ["s01"])
    t.finish("s01", .unusable)
    #expect(t.startable() == ["s02"])
    #expect(t.blocked["s04"] == "s01")
  }

  @Test("HA migrate is polled until the guest is on the target and settled")
  func haMigratePolls() async throws {
    let plan = Build.plan([Build.haMigrate("s01", "vm:114", from: "proxmox1", to: "proxmox2")])
    let fake = FakeProxmox(Build.cluster())
    fake.migrationReads = 4
    let log = EventLog()
    let report = await fake.executor(observer: log).apply(plan, planDigest: "d", options: execute)
    #expect(report.status == .success)
    #expect(fake.cluster.guest(sid: "vm:114")?.node == "proxmox2")
    let waits = log.events.filter {
      if case .waiting = $0 { return true }
      return false
    }
    #expect(waits.count >= 2)
  }

  @Test("HA error fails the step; a migration that never lands times out")
  func haMigrateErrorAndTimeout() async throws {
    let plan = Build.plan([Build.haMigrate("s01", "vm:114", from: "proxmox1", to: "proxmox2")])
    let failing = FakeProxmox(Build.cluster())
    failing.migrationEndState = "error"
    let r1 = await failing.executor().apply(plan, planDigest: "d", options: execute)
    #expect(r1.steps[0].outcome == .failed)
    #expect(r1.steps[0].detail?.contains("vm:114 is in HA state error") == true)

    let stuck = FakeProxmox(Build.cluster())
    stuck.migrationReads = 1_000
    let clock = VirtualClock()
    let r2 = await stuck.executor(clock: clock).apply(
      plan, planDigest: "d", options: ExecutionOptions(mode: .execute, pollInterval: 5))
    #expect(r2.steps[0].outcome == .failed)
    #expect(r2.steps[0].detail?.contains("after 60 s") == true)
    #expect(clock.monotonic() >= 60)
    #expect(r2.status == .stepFailed)
  }

  @Test("confirmation: only yes proceeds; --step can decline a step and its dependents")
  func confirmation() async throws {
    let fake = FakeProxmox(Build.cluster())
    let no = ScriptedConfirmation(run: false)
    let refused = await fake.executor(confirmation: no).apply(
      Self.plan, planDigest: "d", options: execute)
    #expect(refused.status == .refused)
    #expect(no.asked == ["run homelab 3"])
    #expect(fake.transport.mutatingCommands.isEmpty)

    let plan = Build.plan([
      Build.haAdd("s01", "ct:110"),
      Build.haAdd("s02", "ct:131", node: "proxmox2", after: ["s01"]),
      Build.backupJob("s03", job: "j"),
    ])
    let stepwise = ScriptedConfirmation(run: true, steps: [.skip, .run])
    var options = execute
    options.askEachStep = true
    let report = await fake.executor(confirmation: stepwise).apply(
      plan, planDigest: "d", options: options)
    #expect(report.steps.map(\.outcome) == [.declined, .blocked, .succeeded])
    #expect(stepwise.asked == ["run homelab 3", "step s01 1/3", "step s03 1/3"])
  }

  @Test("line confirmation: the prompt and the exact word 'yes'")
  func lineConfirmation() async {
    #expect(
      LineConfirmation.runPrompt(cluster: "homelab", steps: 3)
        == "Type 'yes' to apply 3 steps to cluster homelab: ")
    for (answer, expected) in [
      ("yes", true), (" yes ", true), ("y", false), ("YES", false), ("", false),
    ] {
      let c = LineConfirmation(readLine: { answer }, write: { _ in })
      #expect(await c.confirmRun(cluster: "x", steps: 1) == expected)
    }
  }

  @Test("a changed host key refuses with exit 4 and sends nothing")
  func changedHostKeyRefused() async throws {
    let fake = FakeProxmox(Build.cluster())
    fake.readError = .changedHostKey(
      node: "proxmox1", host: "10.0.0.1", fingerprint: "SHA256:evil",
      knownHosts: "~/.ssh/known_hosts")
    let report = await fake.executor().apply(Self.plan, planDigest: "d", options: execute)
    #expect(report.status == .connection)
    #expect(report.refusal?.description.contains("HOST KEY CHANGED") == true)
    #expect(fake.transport.commands.isEmpty)
  }

  @Test("Ctrl-C: running steps finish, no new step starts, exit 130, journal says where it stopped")
  func interruption() async throws {
    let fake = FakeProxmox(Build.cluster())
    let interruption = Interruption()
    let log = EventLog()
    log.onEvent = { event in
      if case .stepFinished("s01", _, _, _) = event { interruption.trigger() }
    }
    let journal = MemoryJournal()
    let options = ExecutionOptions(mode: .execute, parallel: 1, pollInterval: 1)
    let report = await fake.executor(journal: journal, observer: log, interruption: interruption)
      .apply(
        Self.plan, planDigest: "d", options: options)
    #expect(report.status == .interrupted)
    #expect(report.steps.map(\.outcome) == [.succeeded, .notStarted, .notStarted, .advice])
    let end = try #require(journal.entries.last)
    #expect(end.event == .runEnd)
    #expect(end.notStarted == ["s02", "s03"])
    #expect(end.exitCode == RunStatus.interrupted.rawValue)
  }
}

@Suite("Executor views and runtime checks")
struct ExecutorViewTests {
  @Test("golden: the dry-run listing and the summary table")
  func goldenViews() async throws {
    var cluster = Build.cluster()
    cluster.backupJobs = [
      BackupJob(
        id: "pvemend-daily", enabled: true, all: true, vmids: [], exclude: [], pool: nil, node: nil,
        storage: "nas", schedule: "daily", mode: nil, compress: nil, pruneBackups: [:], comment: nil
      )
    ]
    var hostile = Build.haAdd("s01", "ct:110")
    hostile.commands[0].argv += ["--comment", "x'; rm -rf / #"]
    let plan = Build.plan([
      hostile, Build.migrate("s02", "ct:131", from: "proxmox2", to: "proxmox3"),
      Build.backupJob("s03", job: "pvemend-daily"), Build.advice("s04"),
    ])
    let fake = FakeProxmox(cluster)
    let log = EventLog()
    let dry = await fake.executor(observer: log).apply(plan, planDigest: "d", options: dryRun)
    let check = try #require(
      log.events.compactMap { e -> PlanCheck? in
        if case .checked(let c) = e { return c }
        return nil
      }.first)
    let run = await fake.executor().apply(plan, planDigest: "d", options: execute)
    var stable = run
    stable.steps = stable.steps.map {
      var s = $0
      s.duration = 0
      return s
    }
    assertGolden(
      ExecutionText.check(check, mode: .dryRun) + "\n" + ExecutionText.table(dry) + "\n"
        + ExecutionText.table(stable), "apply-views.txt")
    #expect(fake.transport.commands.contains { $0.argv.last == "x'; rm -rf / #" })
  }

  @Test("a precondition that breaks between the check and the step fails that step as stale")
  func staleAtRuntime() async throws {
    let plan = Build.plan([
      Build.haAdd("s01", "ct:110"),
      Build.migrate("s02", "ct:131", from: "proxmox2", to: "proxmox3", after: ["s01"]),
    ])
    let fake = FakeProxmox(Build.cluster())
    let log = EventLog()
    log.onEvent = { event in
      if case .stepFinished("s01", _, _, _) = event {
        var c = fake.cluster
        c.guests[3].node = "proxmox1"
        fake.cluster = c
      }
    }
    let report = await fake.executor(observer: log).apply(plan, planDigest: "d", options: execute)
    #expect(report.steps.map(\.outcome) == [.succeeded, .stale])
    #expect(
      report.steps[1].detail?.contains("step s02 expects ct:131 on proxmox2, found on proxmox1")
        == true)
    #expect(report.status == .stepFailed)
    #expect(!fake.transport.commands.contains { $0.argv.first == "pct" })
  }
}

@Suite("Plan validation and quitting")
struct PlanValidationTests {
  @Test("dependencies must exist and come first")
  func dependencyValidation() async {
    let fake = FakeProxmox(Build.cluster())
    let unknown = Build.plan([Build.haAdd("s01", "ct:110", after: ["s09"])])
    let r1 = await fake.executor().apply(unknown, planDigest: "d", options: execute)
    #expect(r1.refusal == .unknownDependency(step: "s01", dependency: "s09"))
    #expect(r1.status == .refused)
    let forward = Build.plan([
      Build.haAdd("s01", "ct:110", after: ["s02"]), Build.haAdd("s02", "ct:131", node: "proxmox2"),
    ])
    let r2 = await fake.executor().apply(forward, planDigest: "d", options: execute)
    #expect(r2.refusal == .dependencyOrder(step: "s01", dependency: "s02"))
    #expect(fake.transport.mutatingCommands.isEmpty)
  }

  @Test("quit at --step stops with exit 130; nothing after it runs")
  func quitAtStep() async {
    let fake = FakeProxmox(Build.cluster())
    var options = execute
    options.askEachStep = true
    let plan = Build.plan([
      Build.haAdd("s01", "ct:110"), Build.haAdd("s02", "ct:131", node: "proxmox2"),
    ])
    let report = await fake.executor(confirmation: ScriptedConfirmation(steps: [.run, .quit]))
      .apply(
        plan, planDigest: "d", options: options)
    #expect(report.steps.map(\.outcome) == [.succeeded, .notStarted])
    #expect(report.status == .interrupted)
    #expect(fake.transport.mutatingCommands.count == 1)
  }
}

@Suite("Scheduler chains through skipped steps")
struct SchedulerChainTests {
  @Test("a satisfied step in a chain does not let its dependents jump ahead")
  func satisfiedInChain() {
    let steps = [
      Build.haAdd("u01", "ct:110"),
      Build.haAdd("u02", "ct:131", node: "proxmox2", after: ["u01"]),
      Build.haAdd("u03", "vm:120", node: "proxmox3", after: ["u02"]),
    ]
    // u02 is satisfied (not run): u03 still waits for u01.
    var s = StepScheduler(plan: steps, toRun: ["u01", "u03"], parallel: 4)
    #expect(s.startable() == ["u01"])
    #expect(s.startable() == [])
    s.finish("u01", .usable)
    #expect(s.startable() == ["u03"])

    var t = StepScheduler(plan: steps, toRun: ["u01", "u03"], parallel: 4)
    #expect(t.startable() == ["u01"])
    t.finish("u01", .unusable)
    #expect(t.startable() == [])
    #expect(t.blocked["u03"] == "u02")
  }
}
