import Audit
import Execution
import Foundation
import PVEMendTestSupport
import PVEModel
import Planning
import Playbook
import SSHTransport
import Testing
import Transport

/// The built `pvemend apply --execute` against the sandbox (real sshd per node on 127.0.0.1): the
/// cluster lock between concurrent runs, `--break-lock`, and the progress output on and off a
/// terminal.
@Suite("Cluster lock and progress on the sandbox", .serialized)
struct SandboxLockTests {
  /// The lock directory as this process sees it: the sandbox's `pmxcfs/priv/lock`, which every
  /// node sees as `/etc/pve/priv/lock`; where the sandbox cannot serve /etc/pve, a `priv/lock` in
  /// its directory, passed with `--lock-dir`.
  static func lockDir(_ sandbox: Sandbox) throws -> String {
    if sandbox.pmxcfsUnavailable == nil {
      return sandbox.pmxcfs.appendingPathComponent("priv/lock").path
    }
    let priv = sandbox.directory.appendingPathComponent("priv")
    try FileManager.default.createDirectory(at: priv, withIntermediateDirectories: true)
    return priv.appendingPathComponent("lock").path
  }

  /// `--lock-dir` only where the sandbox serves no /etc/pve.
  static func lockOption(_ sandbox: Sandbox) throws -> [String] {
    sandbox.pmxcfsUnavailable == nil ? [] : ["--lock-dir", try lockDir(sandbox)]
  }

  /// The lock's path in messages: what the nodes see.
  static func lockShown(_ sandbox: Sandbox) throws -> String {
    sandbox.pmxcfsUnavailable == nil
      ? ClusterLock.standardDirectory + "/pvemend" : try lockDir(sandbox) + "/pvemend"
  }

  /// The reference plan for the sandbox's state, and a second plan of its independent steps.
  static func plans(_ sandbox: Sandbox) async throws -> (full: URL, small: URL) {
    let (_, live) = try SandboxApplyTests.transport(sandbox)
    let plan = try await ReferencePlan.collect(live).outcome.plan
    await live.shutdown()
    var small = plan
    small.steps = Array(plan.steps.filter { $0.after.isEmpty && $0.kind != .advice }.prefix(2))
    let full = sandbox.directory.appendingPathComponent("full.plan.json")
    let smallURL = sandbox.directory.appendingPathComponent("small.plan.json")
    try PlanFile.encode(plan).write(to: full)
    try PlanFile.encode(small).write(to: smallURL)
    return (full, smallURL)
  }

  static func apply(
    _ sandbox: Sandbox, _ plan: URL, journal: String, _ extra: [String] = []
  ) throws -> [String] {
    [
      try Sandbox.builtProduct("pvemend").path, "apply", plan.path, "--execute", "--yes",
      "--inventory", sandbox.inventory.path, "--poll-interval", "0.2", "--journal", journal,
    ] + (try lockOption(sandbox)) + extra
  }

  static func run(_ argv: [String]) async throws -> Tool.Output {
    try await Tool.run(argv[0], Array(argv.dropFirst()))
  }

  /// The run id a journal's last run-start names.
  static func runID(_ journal: String) throws -> String? {
    try JournalFile.read(path: journal).last { $0.event == .runStart }?.run
  }

  @Test(
    "two concurrent apply --execute runs: exactly one runs, the other is refused naming it; --break-lock only breaks a gone holder's lock; progress on and off a terminal"
  )
  func concurrentRuns() async throws {
    try await Sandbox.with(
      snapshot: SandboxApplyTests.reference, haDelay: 0.5, commandDelay: ["move-volume": 2]
    ) { sandbox in
      let (full, small) = try await Self.plans(sandbox)
      let dir = sandbox.directory.path
      let lockPath = try Self.lockDir(sandbox) + "/pvemend"

      // 1. Two runs of two plans at once.
      let ja = dir + "/a.journal.jsonl"
      let jb = dir + "/b.journal.jsonl"
      // A starts; B starts while A runs (A holds the lock as soon as its lock directory exists).
      async let a = Self.run(try Self.apply(sandbox, full, journal: ja))
      try await eventually(seconds: 120) {
        FileManager.default.fileExists(atPath: lockPath + "/holder")
      }
      async let b = Self.run(try Self.apply(sandbox, small, journal: jb))
      let (ra, rb) = try await (a, b)
      // B is refused; A, which held the lock, ran its plan.
      #expect(rb.status == 3, "b: \(rb.status) \(rb.stderr)")
      #expect(ra.status == 0, "a: \(ra.status) \(ra.stderr)\n\(ra.stdout)")
      let (winner, loser, winnerJournal, loserJournal) = (ra, rb, ja, jb)
      let winnerRun = try #require(try Self.runID(winnerJournal))
      #expect(loser.stderr.contains("cluster is locked by another pvemend run: run \(winnerRun)"))
      #expect(
        loser.stderr.contains(
          "wait for that run to finish (it releases the lock when it ends)\n"))
      // The refused run sent nothing but its lock command: its journal has no check, no step.
      let loserEvents = try JournalFile.read(path: loserJournal).map(\.event)
      #expect(loserEvents == [.runStart, .lock, .runEnd])
      #expect(!FileManager.default.fileExists(atPath: lockPath), "the winner released the lock")
      // Not a terminal: plain timestamped lines.
      let stamped = winner.stdout.split(separator: "\n").filter {
        $0.wholeMatch(of: /\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ \[\d+\/\d+\] .*/) != nil
      }
      #expect(stamped.count >= 2, "\(winner.stdout)")
      #expect(!winner.stdout.contains("\u{1B}"))
      #expect(
        winner.stdout.contains("took the cluster lock \(try Self.lockShown(sandbox)) on proxmox"))

      // 2. A live holder (renewed just now): --break-lock is refused and names it.
      let holderLock = ClusterLock(
        transport: LocalShellTransport(), node: "proxmox", directory: try Self.lockDir(sandbox),
        owner: LockOwner(user: "bob", host: "desk", pid: "777"))
      guard
        case .acquired(let lease, _) = await holderLock.acquire(
          LockHolder(
            run: "live-run", planDigest: "sha256:other", user: "bob", host: "desk", pid: "777",
            started: "2026-12-03T20:00:00Z", node: "proxmox"))
      else {
        Issue.record("could not take the lock for the live holder")
        return
      }
      let alive = try await Self.run(
        try Self.apply(sandbox, full, journal: dir + "/c.journal.jsonl", ["--break-lock"]))
      #expect(alive.status == 3)
      #expect(alive.stderr.contains("run live-run (plan sha256:other) by bob@desk pid 777"))
      #expect(alive.stderr.contains("so its holder is alive and --break-lock does not break it"))
      #expect(FileManager.default.fileExists(atPath: lockPath + "/holder"))

      // 3. The holder is gone (no renewal for longer than the expiry): refused without
      //    --break-lock, broken with it. Under a pseudo-terminal: the progress board.
      try FileManager.default.setAttributes(
        [.modificationDate: Date(timeIntervalSinceNow: -300)], ofItemAtPath: lockPath)
      // `undo --execute` of the winner's run takes the same lock.
      let undo = { (extra: [String]) throws -> [String] in
        [
          try Sandbox.builtProduct("pvemend").path, "undo", winnerJournal, "--execute", "--yes",
          "--inventory", sandbox.inventory.path, "--poll-interval", "0.2", "--journal",
          dir + "/undo.journal.jsonl",
        ] + (try Self.lockOption(sandbox)) + extra
      }
      let stale = try await Self.run(try undo([]))
      #expect(stale.status == 3)
      #expect(stale.stderr.contains("run live-run (plan sha256:other) by bob@desk pid 777"))
      #expect(stale.stderr.contains("so its holder is gone"))
      #expect(stale.stderr.hasSuffix("run again with --break-lock\n"))
      _ = lease  // the live holder's lease is abandoned here, as a crashed run's would be

      let tty = try await Tool.run(
        "/usr/bin/script", ["-qec", ShellQuoting.join(try undo(["--break-lock"])), "/dev/null"],
        environment: ["COLUMNS": "160", "TERM": "xterm"])
      if ProcessInfo.processInfo.environment["PVEMEND_SHOW_TTY"] != nil { print(tty.stdout) }
      #expect(tty.status == 0, "\(tty.stdout)")
      #expect(tty.stdout.contains("broke the stale lock of run live-run"))
      #expect(!FileManager.default.fileExists(atPath: lockPath))
      // On a terminal: no timestamps; running steps drawn and erased in place; finished steps
      // printed once.
      #expect(tty.stdout.wholeMatch(of: /(?s).*\n\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ \[.*/) == nil)
      #expect(tty.stdout.contains("\u{1B}[1A\r\u{1B}[J"))
      #expect(tty.stdout.contains("✓ u01 Undo "))
      #expect(tty.stdout.contains(" · transferred "), "Proxmox's progress line on the board")
      #expect(tty.stdout.contains("Journal: \(dir)/undo.journal.jsonl"))
    }
  }
}
