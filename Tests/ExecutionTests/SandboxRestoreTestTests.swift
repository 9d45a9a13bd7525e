import Execution
import Foundation
import PVEMendTestSupport
import PVEModel
import Planning
import Playbook
import RestoreTest
import Testing
import Transport

/// Restore tests end to end on the sandbox over real SSH (issue 15): three guests restored to
/// scratch VMIDs, started with their networks cut, agent-pinged, destroyed; the originals' configs
/// unchanged; a run interrupted after a restore is cleaned up by the next plan.
@Suite("Restore tests on the sandbox", .serialized)
struct SandboxRestoreTestTests {
  static let example = Fixtures.example("pve9-rules-cluster.json")
  static let options = ExecutionOptions(
    mode: .execute, parallel: 4, pollInterval: 0.1, verifyTimeout: 30)

  static func executor(_ transport: any Transport, journal: MemoryJournal = MemoryJournal())
    -> Executor
  {
    Executor(
      transport: transport,
      readFacts: ClusterReader.facts(
        entryNode: "pve1", clock: SystemClock(),
        baseline: Snapshot(collectedAt: "t", source: "none", api: [:])),
      clock: SystemClock(), journal: journal, observer: SilentObserver(),
      confirmation: AutoConfirmation())
  }

  static func collect(_ transport: any Transport) async throws -> Snapshot {
    try await SnapshotCollector(transport: transport, entryNode: "pve1").collect(
      collectedAt: "2026-04-14T08:30:00Z", source: "sandbox")
  }

  /// The guests in the default scratch range.
  static func scratch(_ s: Snapshot) throws -> [Guest] {
    try Cluster(snapshot: s).guests.filter { Policy.builtinDefault.restoreTest.isScratch($0.vmid) }
  }

  /// Every guest config of the snapshot (the originals), by path.
  static func configs(_ s: Snapshot) -> [String: JSONValue] {
    s.api.filter { $0.key.hasSuffix("/config") && $0.key.hasPrefix("/nodes/") }
  }

  @Test(
    "three guests restored, started with networks cut, destroyed; originals unchanged; leftovers cleaned"
  )
  func endToEnd() async throws {
    try await Sandbox.with(snapshot: Self.example) { sandbox in
      let (_, live) = try SandboxApplyTests.transport(sandbox)
      defer { Task { await live.shutdown() } }
      let before = try await Self.collect(live)
      let cluster = try Cluster(snapshot: before)
      #expect(cluster.backups.complete)
      let (plan, tests) = try RestoreTestPlanner.plan(
        snapshot: before, cluster: cluster, policy: .builtinDefault, playbookPath: "default",
        playbookText: "", guests: [201, 260, 204])
      #expect(tests.count == 3)
      #expect(tests.contains { $0.agent })
      let journal = MemoryJournal()
      let run = await Self.executor(live, journal: journal).apply(
        plan, planDigest: "rt", options: Self.options)
      #expect(run.status == .success, "\(ExecutionText.table(run))")
      // The journal read back as records: three passed tests, each with its measured times.
      let records = try RestoreRecords.records(
        plan: plan, planDigest: "rt", entries: journal.entries)
      #expect(records.map(\.vmid) == [201, 204, 260])
      #expect(records.allSatisfy { $0.verdict == .passed }, "\(records)")
      #expect(records.allSatisfy { ($0.restoreSeconds ?? 0) > 0 && ($0.bootSeconds ?? 0) > 0 })
      #expect(Set(records.map(\.scratchVMID)) == Set(tests.map(\.scratchVMID)))
      #expect(records.allSatisfy { $0.backupTime != nil && ($0.backupSize ?? 0) > 0 })
      print(
        "restore-test e2e records: "
          + records.map {
            "\($0.vmid) restore \($0.restoreSeconds ?? -1) s boot \($0.bootSeconds ?? -1) s"
          }.joined(separator: ", "))

      let after = try await Self.collect(live)
      // No scratch guest left, originals byte-identical (digests included).
      let scratch = try SandboxRestoreTestTests.scratch(after)
      #expect(scratch.isEmpty, "\(scratch.map(\.sid))")
      #expect(Self.configs(after) == Self.configs(before))

      // Each scratch guest: restored, its networks cut, started, destroyed, in that order.
      let commands = try sandbox.commands().filter { $0.exit == 0 }
      for t in tests {
        let mine = commands.filter { $0.argv.contains("\(t.scratchVMID)") }
        let words = mine.map { $0.argv.prefix(2).joined(separator: " ") }
        let restore = words.firstIndex { $0.hasPrefix("qmrestore") || $0 == "pct restore" }
        let start = words.firstIndex { $0.hasSuffix(" start") }
        let destroy = words.firstIndex { $0.hasSuffix(" destroy") }
        #expect(restore != nil && start != nil && destroy != nil, "\(words)")
        if let restore, let start, let destroy {
          #expect(restore < start && start < destroy, "\(words)")
          // The network cut happened at or after the restore and before the start.
          let cut = mine[restore...start].contains { c in
            c.argv.contains { $0.hasSuffix("link_down=1") }
          }
          #expect(cut, "\(mine.map(\.argv))")
        }
      }

      // Interrupted after the restore: only the first restore step runs.
      let (second, _) = try RestoreTestPlanner.plan(
        snapshot: after, cluster: try Cluster(snapshot: after), policy: .builtinDefault,
        playbookPath: "default", playbookText: "", guests: [201])
      var interrupted = second
      interrupted.steps = Array(second.steps.prefix(1))
      let partial = await Self.executor(live).apply(
        interrupted, planDigest: "rt2", options: Self.options)
      #expect(partial.status == .success, "\(ExecutionText.table(partial))")
      let left = try await Self.collect(live)
      let leftover = try SandboxRestoreTestTests.scratch(left)
      #expect(leftover.map(\.vmid) == [99900])
      // Only qmrestore ran: the copy carries the original's name and no tag (qmrestore takes
      // neither); the next plan still recognises it.
      #expect(leftover.first?.tags.contains(RestoreTestPolicy.tag) == false)
      // The next plan cleans it up first, then tests on another scratch VMID.
      let (third, thirdTests) = try RestoreTestPlanner.plan(
        snapshot: left, cluster: try Cluster(snapshot: left), policy: .builtinDefault,
        playbookPath: "default", playbookText: "", guests: [201])
      #expect(third.steps.first?.title.contains("left by an interrupted restore test") == true)
      #expect(thirdTests.first?.scratchVMID == 99901)
      let last = await Self.executor(live).apply(third, planDigest: "rt3", options: Self.options)
      #expect(last.status == .success, "\(ExecutionText.table(last))")
      let end = try await Self.collect(live)
      #expect(
        try SandboxRestoreTestTests.scratch(end).isEmpty)
      #expect(Self.configs(end) == Self.configs(before))
      print(
        "restore-test e2e: \(tests.count) guests, \(plan.steps.count) steps, \(commands.count) successful stand-in commands"
      )
    }
  }
}

/// `qm set` fails right after `qmrestore`: the run stops with an untagged copy (qmrestore takes no
/// tags), the record says failed, and the next plan recognises the copy and destroys it first.
@Suite("Restore test whose qm set fails", .serialized)
struct SandboxRestoreTestSetFailsTests {
  /// Fails the first `qm set` without sending it, as Proxmox would refuse it.
  final class FailFirstSet: Transport, @unchecked Sendable {
    let inner: any Transport
    let lock = NSLock()
    var failed = false
    init(_ inner: any Transport) { self.inner = inner }

    func run(_ command: RemoteCommand, options: RunOptions) async throws -> CommandResult {
      let fail =
        command.argv.starts(with: ["qm", "set"])
        && lock.withLock {
          defer { failed = true }
          return !failed
        }
      if fail {
        return CommandResult(
          stdout: Data(), stderr: Data("400 Parameter verification failed. (injected)\n".utf8),
          exitStatus: 255, exitSignal: nil, duration: 0.01)
      }
      return try await inner.run(command, options: options)
    }
    func hostKeyFingerprint(node: String) async -> String? {
      await inner.hostKeyFingerprint(node: node)
    }
    func shutdown() async { await inner.shutdown() }
  }

  @Test("the untagged copy left by a failed qm set is cleaned up by the next run")
  func setFailsOnce() async throws {
    try await Sandbox.with(snapshot: SandboxRestoreTestTests.example) { sandbox in
      let (_, live) = try SandboxApplyTests.transport(sandbox)
      defer { Task { await live.shutdown() } }
      let before = try await SandboxRestoreTestTests.collect(live)
      let (plan, tests) = try RestoreTestPlanner.plan(
        snapshot: before, cluster: try Cluster(snapshot: before), policy: .builtinDefault,
        playbookPath: "default", playbookText: "", guests: [201])
      #expect(tests.count == 1)
      let journal = MemoryJournal()
      let run = await SandboxRestoreTestTests.executor(FailFirstSet(live), journal: journal)
        .apply(plan, planDigest: "rt", options: SandboxRestoreTestTests.options)
      #expect(run.status != .success)
      let outcomes = Dictionary(uniqueKeysWithValues: run.steps.map { ($0.title, $0.outcome) })
      #expect(outcomes.first { $0.key.hasPrefix("Cut the networks") }?.value == .failed)
      #expect(outcomes.first { $0.key.hasPrefix("Start scratch") }?.value == .blocked)
      let after = try await SandboxRestoreTestTests.collect(live)
      let left = try SandboxRestoreTestTests.scratch(after)
      #expect(left.map(\.vmid) == tests.map(\.scratchVMID))
      #expect(left.first?.tags.contains(RestoreTestPolicy.tag) == false)
      #expect(left.first?.name == "db-primary")
      let records = try RestoreRecords.records(
        plan: plan, planDigest: "rt", entries: journal.entries)
      #expect(records.count == 1)
      #expect(records.first?.verdict == .failed)
      #expect(records.first?.detail?.contains("injected") == true, "\(records)")
      #expect((records.first?.restoreSeconds ?? 0) > 0 && records.first?.bootSeconds == nil)
      let (next, _) = try RestoreTestPlanner.plan(
        snapshot: after, cluster: try Cluster(snapshot: after), policy: .builtinDefault,
        playbookPath: "default", playbookText: "", guests: [201])
      #expect(next.steps.first?.title.contains("left by an interrupted restore test") == true)
      #expect(next.steps.first?.detail?.contains("untagged restored copy") == true)
      let second = await SandboxRestoreTestTests.executor(live).apply(
        next, planDigest: "rt2", options: SandboxRestoreTestTests.options)
      #expect(second.status == .success, "\(ExecutionText.table(second))")
      let end = try await SandboxRestoreTestTests.collect(live)
      #expect(
        try SandboxRestoreTestTests.scratch(end).isEmpty)
      #expect(SandboxRestoreTestTests.configs(end) == SandboxRestoreTestTests.configs(before))
    }
  }
}

/// The same through the `pvemend` binary: `collect`, `restore-test --out`, `apply --execute --yes`.
@Suite("pvemend restore-test + apply --execute --yes on the sandbox", .serialized)
struct SandboxRestoreTestCLITests {
  @Test("collect, restore-test of three guests, apply --execute --yes: exit 0, nothing left")
  func throughTheCLI() async throws {
    let binary = try Sandbox.builtProduct("pvemend").path
    try await Sandbox.with(snapshot: SandboxRestoreTestTests.example) { sandbox in
      let dir = sandbox.directory
      let inventory = sandbox.inventory.path
      let snap = dir.appendingPathComponent("snap.json").path
      let after = dir.appendingPathComponent("after.json").path
      let plan = dir.appendingPathComponent("restore-test.json").path
      var r = try await Tool.run(binary, ["collect", "--inventory", inventory, "--out", snap])
      #expect(r.status == 0, "\(r.stderr)")
      r = try await Tool.run(
        binary, ["restore-test", snap, "--guests", "201,260,204", "--out", plan])
      #expect(r.status == 0, "\(r.stderr)")
      #expect(r.stdout.contains("Plan: 3 restore test(s)"), "\(r.stdout)")
      r = try await Tool.run(
        binary,
        ["apply", plan, "--execute", "--yes", "--inventory", inventory, "--poll-interval", "0.2"])
      #expect(r.status == 0, "\(r.stdout)\(r.stderr)")
      r = try await Tool.run(binary, ["collect", "--inventory", inventory, "--out", after])
      #expect(r.status == 0, "\(r.stderr)")
      // The run's journal, read back by audit: three passed tests with measured times.
      r = try await Tool.run(
        binary,
        ["audit", snap, "--restore-tests", plan + ".journal.jsonl", "--format", "markdown"])
      #expect(r.status == 0, "\(r.stderr)")
      #expect(r.stdout.contains("### Measured Recovery (Restore Tests)"), "\(r.stdout)")
      let passed = r.stdout.split(separator: "\n").filter {
        $0.hasPrefix("|") && $0.hasSuffix("| passed |")
      }
      #expect(passed.count == 3, "\(r.stdout)")
      print("restore-test e2e audit rows:\n" + passed.joined(separator: "\n"))
      let before = try Snapshot.decode(Data(contentsOf: URL(fileURLWithPath: snap)), file: snap)
      let end = try Snapshot.decode(Data(contentsOf: URL(fileURLWithPath: after)), file: after)
      #expect(SandboxRestoreTestTests.configs(end) == SandboxRestoreTestTests.configs(before))
      #expect(
        try Cluster(snapshot: end).guests.filter { (99_900...99_999).contains($0.vmid) }.isEmpty)
      let record = try sandbox.commands().map { $0.argv.prefix(2).joined(separator: " ") }
      #expect(record.filter { $0 == "qm start" || $0 == "pct start" }.count == 3, "\(record)")
      #expect(record.filter { $0.hasSuffix(" destroy") }.count == 3, "\(record)")
    }
  }
}
