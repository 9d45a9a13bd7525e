import Audit
import Execution
import Export
import Foundation
import PVEMendTestSupport
import PVEModel
import Planning
import Playbook
import SSHTransport
import Testing
import Transport

/// Apply over real SSH: the sandbox (one private sshd per node on 127.0.0.1 running the Proxmox
/// stand-ins) seeded with the reference cluster, the libssh2 transport, the collector.
@Suite("Apply on the sandbox", .serialized)
struct SandboxApplyTests {
  static let reference = Fixtures.example("homelab-cluster.json")
  static let hostile = "x'; rm -rf / #"

  /// A transport to the sandbox's nodes, recording what it sends.
  static func transport(_ sandbox: Sandbox) throws -> (RecordingTransport, LibSSH2Transport) {
    let inventory = try Inventory.load(path: sandbox.inventory.path)
    let directory = NodeDirectory.standard(inventory: inventory)
    let live = LibSSH2Transport(settings: SSHSettings()) { node in try directory.endpoint(for: node)
    }
    return (RecordingTransport(forwardingTo: live), live)
  }

  /// An executor reading facts as `apply` does, over `baseline` (none: the first read collects).
  static func executor(
    _ transport: any Transport, journal: MemoryJournal = MemoryJournal(),
    observer: any ExecutionObserver = SilentObserver(),
    baseline: Snapshot = Snapshot(collectedAt: "t", source: "none", api: [:]),
    entryNode: String = "proxmox"
  ) -> Executor {
    Executor(
      transport: transport,
      readFacts: ClusterReader.facts(
        entryNode: entryNode, clock: SystemClock(), baseline: baseline),
      clock: SystemClock(), journal: journal, observer: observer, confirmation: AutoConfirmation())
  }

  static let options = ExecutionOptions(
    mode: .execute, parallel: 4, pollInterval: 0.1, verifyTimeout: 30)

  static func read(_ transport: any Transport, entryNode: String = "proxmox") async throws
    -> Cluster
  {
    try await ClusterReader.collecting(entryNode: entryNode, clock: SystemClock())(transport)
  }

  @Test(
    "reference plan: dry run changes nothing; execute reaches the predicted state; findings resolved; a second run skips every step"
  )
  func referencePlan() async throws {
    try await Sandbox.with(snapshot: Self.reference) { sandbox in
      let (recording, live) = try Self.transport(sandbox)
      defer { Task { await live.shutdown() } }
      let (_, cluster, outcome) = try await ReferencePlan.collect(live)
      let plan = outcome.plan
      #expect(plan.steps.filter { $0.kind != .advice }.count > 10)

      // Dry run: only read-only commands, the state unchanged.
      let dry = await Self.executor(recording).apply(plan, planDigest: "p", options: dryRun)
      #expect(dry.status == .success, "\(dry.refusal?.description ?? "")")
      #expect(recording.mutatingCommands.isEmpty)
      #expect(try await Self.read(live).guests == cluster.guests)

      // Execute.
      let journal = MemoryJournal()
      let run = await Self.executor(recording, journal: journal).apply(
        plan, planDigest: "p", options: Self.options)
      #expect(run.status == .success, "\(ExecutionText.table(run))")
      #expect(run.steps.allSatisfy { $0.outcome == .succeeded || $0.outcome == .advice })
      #expect(
        journal.entries.filter { $0.event == .command }.allSatisfy {
          $0.hostKey?.hasPrefix("SHA256:") == true
        })

      // The collected state is the predicted one.
      let after = try await Self.read(live)
      let predicted = outcome.predicted
      #expect(
        after.guests.map { "\($0.sid)@\($0.node)" }
          == predicted.guests.map { "\($0.sid)@\($0.node)" })
      #expect(
        after.guests.map { $0.disks.map { "\($0.key):\($0.storage ?? "-")" } }
          == predicted.guests.map { $0.disks.map { "\($0.key):\($0.storage ?? "-")" } })
      #expect(
        after.haResources.map { "\($0.sid) \($0.state) \($0.group ?? "-")" }
          == predicted.haResources.map { "\($0.sid) \($0.state) \($0.group ?? "-")" })
      #expect(after.haGroups?.map(\.id) == predicted.haGroups?.map(\.id))
      #expect(after.backupJobs.map(\.id) == predicted.backupJobs.map(\.id))
      #expect(
        plan.steps.allSatisfy { s in
          s.kind == .advice || PlanCheck.complete(plan.steps, in: after).contains(s.id)
        })

      // The findings the steps address are gone.
      let reaudit = Set(
        Auditor.findings(in: after, policy: try ReferencePlan.playbook().policy).map(\.id))
      let addressed = Set(plan.steps.filter { $0.kind != .advice }.flatMap(\.reasons))
      #expect(
        addressed.intersection(reaudit).isEmpty,
        "still found: \(addressed.intersection(reaudit).sorted())")

      // Again: every step satisfied, nothing mutating sent.
      let sent = recording.mutatingCommands.count
      let again = await Self.executor(recording).apply(plan, planDigest: "p", options: Self.options)
      #expect(again.status == .success)
      #expect(again.steps.allSatisfy { $0.outcome == .satisfied || $0.outcome == .advice })
      #expect(recording.mutatingCommands.count == sent)
    }
  }

  @Test("the exported script, run against the sandbox, reaches the state apply reaches")
  func exportedScriptOnSandbox() async throws {
    try await Sandbox.with(snapshot: Self.reference) { sandbox in
      let (_, live) = try Self.transport(sandbox)
      defer { Task { await live.shutdown() } }
      let (_, _, outcome) = try await ReferencePlan.collect(live)
      let script = sandbox.directory.appendingPathComponent("plan.sh")
      try Data(PlanExport.render(outcome.plan, format: .sh, digest: "sha256:test").utf8).write(
        to: script)
      var env = [
        "PVEMEND_USER": NSUserName(), "PVEMEND_POLL_SECONDS": "0.1",
        "PVEMEND_SSH_OPTS":
          "-o BatchMode=yes -o StrictHostKeyChecking=yes -o IdentitiesOnly=yes -o LogLevel=ERROR "
          + "-i \(sandbox.identity.path) -o UserKnownHostsFile=\(sandbox.knownHosts.path)",
      ]
      for (node, port) in sandbox.ports {
        env["PVEMEND_HOST_\(node)"] = "127.0.0.1"
        env["PVEMEND_PORT_\(node)"] = String(port)
      }
      let r = try await Tool.run("/bin/bash", [script.path, "--execute"], environment: env)
      #expect(r.status == 0, "\(r.stderr.suffix(2000))")
      #expect(r.stdout.contains("pvemend: done"))
      let after = try await Self.read(live)
      let predicted = outcome.predicted
      #expect(
        after.guests.map { "\($0.sid)@\($0.node)" }
          == predicted.guests.map { "\($0.sid)@\($0.node)" })
      #expect(
        after.guests.map { $0.disks.map { "\($0.key):\($0.storage ?? "-")" } }
          == predicted.guests.map { $0.disks.map { "\($0.key):\($0.storage ?? "-")" } })
      #expect(
        after.haResources.map { "\($0.sid) \($0.state) \($0.group ?? "-")" }
          == predicted.haResources.map { "\($0.sid) \($0.state) \($0.group ?? "-")" })
      #expect(after.backupJobs.map(\.id) == predicted.backupJobs.map(\.id))
      // And apply has nothing left to do.
      let again = await Self.executor(live).apply(
        outcome.plan, planDigest: "p", options: Self.options)
      #expect(again.steps.allSatisfy { $0.outcome == .satisfied || $0.outcome == .advice })
    }
  }

  /// Three small steps on the reference sandbox; s01 carries a hostile comment.
  static func smallPlan(migrateTo target: String = "proxmox2") -> Plan {
    Build.plan(
      [
        Step(
          id: "s01", kind: .haAdd, title: "Enable HA for ct:121 (\(hostile))", reasons: [],
          after: [],
          commands: [
            RemoteCommand(
              node: "proxmox",
              argv: ["ha-manager", "add", "ct:121", "--state", "started", "--comment", hostile],
              mutating: true)
          ],
          preconditions: [Condition(.haNotManaged, sid: "ct:121")],
          effects: [Condition(.haManaged, sid: "ct:121", state: "started")],
          inverse: [
            RemoteCommand(
              node: "proxmox", argv: ["ha-manager", "remove", "ct:121"], mutating: true)
          ]),
        Step(
          id: "s02", kind: .migrate, title: "Migrate ct:107", reasons: [], after: [],
          commands: [
            RemoteCommand(
              node: "proxmox", argv: ["pct", "migrate", "107", target, "--restart", "1"],
              mutating: true)
          ],
          preconditions: [Condition(.guestOnNode, sid: "ct:107", node: "proxmox")],
          effects: [Condition(.guestOnNode, sid: "ct:107", node: target)],
          inverse: [
            RemoteCommand(
              node: target, argv: ["pct", "migrate", "107", "proxmox", "--restart", "1"],
              mutating: true)
          ]),
        Step(
          id: "s03", kind: .backupJob, title: "Create backup job pvemend-e2e", reasons: [],
          after: ["s02"],
          commands: [
            RemoteCommand(
              node: "proxmox2",
              argv: [
                "pvesh", "create", "/cluster/backup", "--id", "pvemend-e2e", "--schedule", "02:00",
                "--storage", "Truenas_jbod", "--mode", "snapshot", "--all", "1",
              ], mutating: true)
          ],
          preconditions: [Condition(.backupJobAbsent, id: "pvemend-e2e")],
          effects: [Condition(.backupJobPresent, id: "pvemend-e2e")],
          inverse: [
            RemoteCommand(
              node: "proxmox2", argv: ["pvesh", "delete", "/cluster/backup/pvemend-e2e"],
              mutating: true)
          ]),
      ], cluster: "homelab-cluster")
  }

  @Test("a hostile guest name arrives intact over SSH; undo restores the cluster")
  func hostileNameAndUndo() async throws {
    try await Sandbox.with(snapshot: Self.reference) { sandbox in
      let (recording, live) = try Self.transport(sandbox)
      defer { Task { await live.shutdown() } }
      let before = try await Self.read(live)
      let journal = MemoryJournal()
      let run = await Self.executor(recording, journal: journal).apply(
        Self.smallPlan(), planDigest: "p", options: Self.options)
      #expect(run.status == .success, "\(ExecutionText.table(run))")
      let after = try await Self.read(live)
      #expect(after.haResource("ct:121")?.comment == Self.hostile)
      #expect(after.guest(sid: "ct:107")?.node == "proxmox2")
      #expect(after.guests.count == before.guests.count, "nothing else happened")

      let undo = try UndoPlan.make(from: journal.entries, file: "j")
      let undone = await Self.executor(recording).apply(
        undo, planDigest: "u", options: Self.options)
      #expect(undone.status == .success, "\(ExecutionText.table(undone))")
      let back = try await Self.read(live)
      #expect(back.guests.map(\.node) == before.guests.map(\.node))
      #expect(back.haResources.map(\.sid) == before.haResources.map(\.sid))
      #expect(back.backupJobs.map(\.id) == before.backupJobs.map(\.id))
    }
  }

  @Test("stale plan refused before anything runs; a failing command stops its dependents")
  func staleAndFailing() async throws {
    try await Sandbox.with(snapshot: Self.reference) { sandbox in
      let (recording, live) = try Self.transport(sandbox)
      defer { Task { await live.shutdown() } }
      // A command that Proxmox refuses: s02 fails, s03 (after s02) never runs.
      let failing = await Self.executor(recording).apply(
        Self.smallPlan(migrateTo: "nosuchnode"), planDigest: "p",
        options: ExecutionOptions(mode: .execute, parallel: 1, pollInterval: 0.1, verifyTimeout: 10)
      )
      #expect(failing.status == .stepFailed)
      #expect(failing.steps.map(\.outcome) == [.succeeded, .failed, .blocked])
      #expect(
        !recording.commands.contains {
          $0.argv.contains("/cluster/backup") && $0.argv[1] == "create"
        })

      // Someone moves ct:107 by hand: the plan is stale, nothing runs.
      let moved = try await live.run(
        RemoteCommand(
          node: "proxmox", argv: ["pct", "migrate", "107", "proxmox3", "--restart", "1"],
          mutating: true))
      #expect(moved.succeeded, "\(moved.stderrText)")
      let sent = recording.mutatingCommands.count
      let stale = await Self.executor(recording).apply(
        Self.smallPlan(), planDigest: "p2", options: Self.options)
      #expect(stale.status == .refused)
      #expect(
        stale.refusal?.description.contains("step s02 expects ct:107 on proxmox, found on proxmox3")
          == true)
      #expect(recording.mutatingCommands.count == sent)
    }
  }

  @Test("a changed host key is refused (exit 4) before anything is sent")
  func changedHostKey() async throws {
    try await Sandbox.with(snapshot: Self.reference) { sandbox in
      // Give proxmox the host key of proxmox2 in known_hosts.
      let text = try String(contentsOf: sandbox.knownHosts, encoding: .utf8)
      var lines = text.split(separator: "\n").map(String.init)
      let port = try #require(sandbox.ports["proxmox"])
      let other = try #require(sandbox.ports["proxmox2"])
      let otherKey = try #require(lines.first { $0.hasPrefix("[127.0.0.1]:\(other) ") })
        .split(separator: " ").dropFirst().joined(separator: " ")
      lines = lines.map {
        $0.hasPrefix("[127.0.0.1]:\(port) ") ? "[127.0.0.1]:\(port) \(otherKey)" : $0
      }
      try Data((lines.joined(separator: "\n") + "\n").utf8).write(to: sandbox.knownHosts)

      let (recording, live) = try Self.transport(sandbox)
      defer { Task { await live.shutdown() } }
      let report = await Self.executor(recording).apply(
        Self.smallPlan(), planDigest: "p", options: Self.options)
      #expect(report.status == .connection)
      #expect(
        report.refusal?.description.contains("HOST KEY CHANGED") == true,
        "\(report.refusal?.description ?? "")")
      #expect(recording.mutatingCommands.isEmpty)
    }
  }

  @Test(
    "a node's sshd killed mid-run: reported (exit 4), journal complete; resume finishes once it is back"
  )
  func sshdKilledMidRun() async throws {
    try await Sandbox.with(snapshot: Self.reference) { sandbox in
      let (recording, live) = try Self.transport(sandbox)
      defer { Task { await live.shutdown() } }
      let node = sandbox.directory.appendingPathComponent("nodes/proxmox2")
      let config = node.appendingPathComponent("sshd_config").path
      let log = EventLog()
      log.onEvent = { event in
        // s03 runs on proxmox2: take its sshd down (listener and sessions) just before.
        if case .stepStarted(let step, _, _) = event, step.id == "s03" { SSHDProcess.kill(node) }
      }
      let journal = MemoryJournal()
      let sequential = ExecutionOptions(
        mode: .execute, parallel: 1, pollInterval: 0.1, verifyTimeout: 10)
      let first = await Self.executor(recording, journal: journal, observer: log).apply(
        Self.smallPlan(), planDigest: "p", options: sequential)
      #expect(first.status == .connection, "\(ExecutionText.table(first))")
      #expect(first.steps.map(\.outcome) == [.succeeded, .succeeded, .failed])
      #expect(journal.entries.last?.event == .runEnd)
      #expect(
        journal.entries.contains { $0.event == .command && $0.step == "s03" && $0.detail != nil })

      try await SSHDProcess.start(config: config, node: node)
      let resume = try ResumeState.from(journal.entries, planDigest: "p", file: "j")
      let second = await Self.executor(recording, journal: journal).apply(
        Self.smallPlan(), planDigest: "p", options: sequential, resume: resume)
      #expect(second.status == .success, "\(ExecutionText.table(second))")
      #expect(second.steps.map(\.outcome) == [.done, .done, .succeeded])
      #expect(recording.commands.filter { $0.argv.starts(with: ["pct", "migrate"]) }.count == 1)
    }
  }
}

/// Stops and restarts one sandbox node's sshd (the sandbox's `stop` still finds it by its pid file).
enum SSHDProcess {
  /// Kills the listener and every session process it forked.
  static func kill(_ node: URL) {
    guard let text = try? String(contentsOf: node.appendingPathComponent("pid"), encoding: .utf8),
      let pid = Int32(text.trimmingCharacters(in: .whitespacesAndNewlines))
    else { return }
    var victims = [pid]
    var frontier = [pid]
    while let parent = frontier.popLast() {
      for child in children(of: parent) where !victims.contains(child) {
        victims.append(child)
        frontier.append(child)
      }
    }
    for v in victims { Foundation.kill(v, SIGKILL) }
    for _ in 0..<100 where Foundation.kill(pid, 0) == 0 { usleep(20_000) }
  }

  static func children(of parent: Int32) -> [Int32] {
    guard let entries = try? FileManager.default.contentsOfDirectory(atPath: "/proc") else {
      return []
    }
    return entries.compactMap { Int32($0) }.filter { pid in
      guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
        let close = stat.lastIndex(of: ")")
      else { return false }
      let fields = stat[stat.index(after: close)...].split(separator: " ")
      return fields.count > 2 && Int32(fields[1]) == parent
    }
  }

  /// Starts the node's sshd again with its config (same port) and waits until it listens.
  static func start(config: String, node: URL) async throws {
    let log = node.appendingPathComponent("sshd.log")
    try Data().write(to: log)
    let p = Process()
    p.executableURL = URL(fileURLWithPath: "/usr/sbin/sshd")
    p.arguments = ["-D", "-E", log.path, "-f", config]
    p.standardInput = FileHandle.nullDevice
    p.standardOutput = FileHandle.nullDevice
    p.standardError = FileHandle.nullDevice
    try p.run()
    try Data("\(p.processIdentifier)\n".utf8).write(to: node.appendingPathComponent("pid"))
    for _ in 0..<200 {
      if let text = try? String(contentsOf: log, encoding: .utf8), text.contains("Server listening")
      {
        return
      }
      try await Task.sleep(for: .milliseconds(25))
    }
    Issue.record("sshd did not come back; see \(log.path)")
  }
}
