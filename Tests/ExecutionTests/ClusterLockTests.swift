import Execution
import Foundation
import PVEMendTestSupport
import PVEModel
import Planning
import Testing
import Transport

/// Runs every command with the local `sh`, as a node would: the lock's real scripts against a
/// temporary directory standing in for /etc/pve/priv/lock. Counts what it ran.
final class LocalShellTransport: Transport, @unchecked Sendable {
  private let lock = NSLock()
  private var log: [RemoteCommand] = []
  var fail: TransportError?

  var commands: [RemoteCommand] { lock.withLock { log } }

  func run(_ command: RemoteCommand, options: RunOptions) async throws -> CommandResult {
    lock.withLock { log.append(command) }
    if let fail { throw fail }
    let output = try await Tool.run("/usr/bin/env", command.argv)
    return CommandResult(
      stdout: Data(output.stdout.utf8), stderr: Data(output.stderr.utf8),
      exitStatus: output.status)
  }

  func hostKeyFingerprint(node: String) async -> String? { nil }
  func shutdown() async {}
}

@Suite("Cluster lock (cfs_lock-style directory in priv/lock)")
struct ClusterLockTests {
  static let owner = LockOwner(user: "alice", host: "laptop", pid: "4242")

  static func holder(_ run: String) -> LockHolder {
    LockHolder(
      run: run, planDigest: "sha256:abc", user: "alice", host: "laptop", pid: "4242",
      started: "2026-12-03T20:00:00Z", node: "proxmox1")
  }

  /// A fresh lock directory (…/priv/lock, whose parent exists as /etc/pve/priv does).
  static func directory() throws -> URL {
    let base = try Tool.temporaryDirectory().appendingPathComponent("priv")
    try FileManager.default.createDirectory(at: base, withIntermediateDirectories: true)
    return base.appendingPathComponent("lock")
  }

  static func lock(
    _ dir: URL, _ transport: any Transport, breakStale: Bool = false, renew: Double = 30
  ) -> ClusterLock {
    ClusterLock(
      transport: transport, node: "proxmox1", directory: dir.path, renewInterval: renew,
      breakStale: breakStale, owner: owner)
  }

  /// Sets the lock directory's mtime `seconds` in the past (a holder that stopped renewing).
  static func age(_ path: String, seconds: Int) throws {
    let date = Date(timeIntervalSinceNow: -Double(seconds))
    try FileManager.default.setAttributes([.modificationDate: date], ofItemAtPath: path)
  }

  static func mtime(_ path: String) throws -> Date {
    try #require(try FileManager.default.attributesOfItem(atPath: path)[.modificationDate] as? Date)
  }

  @Test("acquire makes the directory with the holder; a second run is refused naming the holder")
  func acquireAndRefuse() async throws {
    let dir = try Self.directory()
    let shell = LocalShellTransport()
    let began = Date()
    guard
      case .acquired(let lease, let broken) = await Self.lock(dir, shell).acquire(Self.holder("r1"))
    else { Issue.record("not acquired"); return }
    #expect(broken == nil)
    #expect(shell.commands.count == 1)
    #expect(shell.commands[0].mutating)
    let holderFile = dir.appendingPathComponent("pvemend/holder")
    let text = try String(contentsOf: holderFile, encoding: .utf8)
    #expect(
      text
        == "run=r1\nplan=sha256:abc\nuser=alice\nhost=laptop\npid=4242\nstarted=2026-12-03T20:00:00Z\nnode=proxmox1\n"
    )

    guard case .refused(let refusal) = await Self.lock(dir, shell).acquire(Self.holder("r2")) else {
      Issue.record("second run not refused")
      return
    }
    #expect(refusal.holder?.run == "r1")
    // Fresh: no older than the time since the first run began (under a loaded full suite the two
    // local shells can be a minute apart; a fixed window was flaky).
    let elapsed = Int(Date().timeIntervalSince(began).rounded(.up)) + 1
    #expect(
      refusal.holder?.age.map { $0 >= 0 && $0 <= elapsed } == true,
      "holder \(String(describing: refusal.holder)), message: \(refusal.description)")
    let message = ExecutionError.locked(refusal).description
    #expect(message.contains("run r1 (plan sha256:abc) by alice@laptop pid 4242"))
    #expect(message.contains("through node proxmox1"))
    #expect(message.hasSuffix("wait for that run to finish (it releases the lock when it ends)"))
    #expect(ExecutionError.locked(refusal).status == .refused)
    // The refused run changed nothing.
    #expect(try String(contentsOf: holderFile, encoding: .utf8) == text)

    #expect(await lease.release() == .released)
    #expect(!FileManager.default.fileExists(atPath: dir.appendingPathComponent("pvemend").path))
    // Released: the next run gets it.
    guard case .acquired(let next, _) = await Self.lock(dir, shell).acquire(Self.holder("r3"))
    else {
      Issue.record("not acquired after release")
      return
    }
    _ = await next.release()
  }

  @Test("renew moves the mtime; a lock taken over by another run is lost, and not released by us")
  func renewAndLose() async throws {
    let dir = try Self.directory()
    let shell = LocalShellTransport()
    guard case .acquired(let lease, _) = await Self.lock(dir, shell).acquire(Self.holder("r1"))
    else {
      Issue.record("not acquired")
      return
    }
    let path = dir.appendingPathComponent("pvemend").path
    try Self.age(path, seconds: 100)
    // Renewed: the mtime is no older than the moment renew was called (whole seconds, as `touch -d
    // @N` writes them), however long the renewal took on a loaded machine.
    let renewing = Date()
    #expect(await lease.renew() == .renewed)
    #expect(try Self.mtime(path).timeIntervalSince(renewing) > -2)

    // Someone broke it and took it: renewal and release say so and leave their lock alone.
    try "run=intruder\nuser=bob\n".write(
      toFile: path + "/holder", atomically: true, encoding: .utf8)
    guard case .lost(let holder) = await lease.renew() else {
      Issue.record("not lost")
      return
    }
    #expect(holder?.run == "intruder")
    #expect(holder?.user == "bob")
    guard case .lost = await lease.release() else {
      Issue.record("release of a lost lock")
      return
    }
    #expect(FileManager.default.fileExists(atPath: path + "/holder"))
  }

  @Test("the background renewal keeps the lock fresh and reports a lost lock")
  func backgroundRenewal() async throws {
    let dir = try Self.directory()
    let shell = LocalShellTransport()
    guard
      case .acquired(let lease, _) = await Self.lock(dir, shell, renew: 0.1).acquire(
        Self.holder("r1"))
    else {
      Issue.record("not acquired")
      return
    }
    let path = dir.appendingPathComponent("pvemend").path
    let events = Mutexed<[LockEvent]>([])
    lease.startRenewing { event in events.update { $0.append(event) } }
    try Self.age(path, seconds: 100)
    // Renewals land (the mtime moves to now) and are quiet.
    try await eventually {
      try Self.mtime(path).timeIntervalSinceNow > -5 && shell.commands.count >= 3
    }
    #expect(events.value.isEmpty)
    try "run=other\n".write(toFile: path + "/holder", atomically: true, encoding: .utf8)
    try await eventually { events.value.contains { if case .lost = $0 { true } else { false } } }
    _ = await lease.release()
  }

  @Test("--break-lock breaks only a lock not renewed for the expiry; a live holder is named")
  func breakLock() async throws {
    let dir = try Self.directory()
    let shell = LocalShellTransport()
    guard case .acquired = await Self.lock(dir, shell).acquire(Self.holder("gone")) else {
      Issue.record("not acquired")
      return
    }
    let path = dir.appendingPathComponent("pvemend").path

    // Alive (renewed just now): refused even with --break-lock.
    guard
      case .refused(let alive) = await Self.lock(dir, shell, breakStale: true).acquire(
        Self.holder("r2"))
    else {
      Issue.record("a live lock was broken")
      return
    }
    let aliveText = alive.description
    #expect(aliveText.contains("run gone"))
    #expect(
      aliveText.hasSuffix(
        "so its holder is alive and --break-lock does not break it; wait for that run to finish"))

    // Stale, without --break-lock: refused, and told to pass it.
    try Self.age(path, seconds: 200)
    guard case .refused(let stale) = await Self.lock(dir, shell).acquire(Self.holder("r2")) else {
      Issue.record("a stale lock was taken without --break-lock")
      return
    }
    #expect(stale.holder?.age.map { $0 >= 199 } == true)
    #expect(stale.description.hasSuffix("run again with --break-lock"))

    // Stale, with --break-lock: broken and taken in one command.
    let before = shell.commands.count
    guard
      case .acquired(let lease, let broken) = await Self.lock(dir, shell, breakStale: true)
        .acquire(Self.holder("r3"))
    else {
      Issue.record("stale lock not broken")
      return
    }
    #expect(shell.commands.count == before + 1)
    #expect(broken?.run == "gone")
    #expect(
      try String(contentsOf: URL(fileURLWithPath: path + "/holder"), encoding: .utf8).hasPrefix(
        "run=r3\n"))
    #expect(await lease.release() == .released)
  }

  @Test(
    "a lock directory without holder file is judged by its age; no lock dir parent: not mounted")
  func oddStates() async throws {
    let dir = try Self.directory()
    let shell = LocalShellTransport()
    try FileManager.default.createDirectory(
      at: dir.appendingPathComponent("pvemend"), withIntermediateDirectories: true)
    guard case .refused(let r) = await Self.lock(dir, shell).acquire(Self.holder("r1")) else {
      Issue.record("not refused")
      return
    }
    #expect(r.description.contains("an unknown holder (no holder file)"))

    let nowhere = ClusterLock(
      transport: shell, node: "proxmox1", directory: "/nonexistent-pvemend/priv/lock",
      owner: Self.owner)
    guard case .failed(let failure) = await nowhere.acquire(Self.holder("r1")) else {
      Issue.record("no failure")
      return
    }
    #expect(failure.description.contains("the cluster file system is not mounted"))
    #expect(failure.description.hasSuffix("and the cluster is quorate, then run again"))
    #expect(!failure.connection)

    let down = LocalShellTransport()
    down.fail = .unreachable(node: "proxmox1", detail: "connection refused")
    guard case .failed(let f2) = await Self.lock(dir, down).acquire(Self.holder("r1")) else {
      Issue.record("no failure")
      return
    }
    #expect(f2.connection)
    #expect(ExecutionError.lockFailed(f2).status == .connection)
  }

  @Test("hostile holder text (escapes, forged lines, huge values) never reaches the message raw")
  func hostileHolder() async throws {
    let dir = try Self.directory()
    let shell = LocalShellTransport()
    let path = dir.appendingPathComponent("pvemend")
    try FileManager.default.createDirectory(at: path, withIntermediateDirectories: true)
    let hostile =
      "run=\u{1B}]0;owned\u{07}\u{1B}[2Jevil\nrun=forged\nuser=\u{1B}[31mred\rx\nhost=h\u{202E}st\n"
      + "pid=" + String(repeating: "9", count: 5000) + "\n"
    try hostile.write(to: path.appendingPathComponent("holder"), atomically: true, encoding: .utf8)
    guard case .refused(let r) = await Self.lock(dir, shell).acquire(Self.holder("r1")) else {
      Issue.record("not refused")
      return
    }
    let text = r.description
    #expect(r.holder?.run.contains("evil") == true)  // the first run= wins
    #expect(!text.contains("forged"))
    for bad: Character in ["\u{1B}", "\u{07}", "\r", "\n", "\u{202E}"] {
      #expect(!text.contains(bad), "raw \(bad.unicodeScalars.first!.value) in \(text)")
    }
    #expect(text.contains("\u{FFFD}]0;owned\u{FFFD}"))
    #expect(text.count < 1200)

    // Our own fields are one line each: a newline in a value cannot forge a field.
    var h = Self.holder("r2")
    h.user = "mallory\nrun=r1"
    try FileManager.default.removeItem(at: path)
    guard case .acquired(let lease, _) = await Self.lock(dir, shell).acquire(h) else {
      Issue.record("not acquired")
      return
    }
    let written = try String(contentsOf: path.appendingPathComponent("holder"), encoding: .utf8)
    #expect(written.contains("user=mallory run=r1\n"))
    #expect(written.split(separator: "\n").filter { $0.hasPrefix("run=") } == ["run=r2"])
    _ = await lease.release()
  }
}

/// Waits (up to `seconds`) until `condition` holds; records an issue if it never does.
func eventually(
  seconds: Int = 20, _ condition: () throws -> Bool,
  sourceLocation: SourceLocation = #_sourceLocation
) async throws {
  for _ in 0..<(seconds * 10) {
    if try condition() { return }
    try await Task.sleep(for: .milliseconds(100))
  }
  Issue.record("condition never held", sourceLocation: sourceLocation)
}

/// A value behind a lock, for test callbacks.
final class Mutexed<T: Sendable>: @unchecked Sendable {
  private let lock = NSLock()
  private var stored: T
  init(_ value: T) { stored = value }
  var value: T { lock.withLock { stored } }
  func update(_ body: (inout T) -> Void) { lock.withLock { body(&stored) } }
}

@Suite("Executor with the cluster lock")
struct ExecutorLockTests {
  static func plan() -> Plan {
    Build.plan([Build.haAdd("s1", "ct:110")])
  }

  @Test("execute takes the lock first, journals it and releases it at the end; dry runs take none")
  func lockedRun() async throws {
    let dir = try ClusterLockTests.directory()
    let shell = LocalShellTransport()
    let fake = FakeProxmox(Build.cluster())
    let journal = MemoryJournal()
    let lock = ClusterLockTests.lock(dir, shell)
    let executor = Executor(
      transport: fake.transport, readCluster: fake.executorRead, clock: VirtualClock(),
      journal: journal, confirmation: AutoConfirmation(), lock: lock)
    let report = await executor.apply(Self.plan(), planDigest: "sha256:p", options: execute)
    #expect(report.status == .success, "\(ExecutionText.table(report))")
    #expect(shell.commands.count == 2)  // acquire, release (renewal every 30 s: none here)
    let events = journal.entries.map {
      $0.event == .lock ? "lock:\($0.status ?? "")" : $0.event.rawValue
    }
    #expect(events.first == "run-start")
    #expect(events[1] == "lock:acquired")
    #expect(events.suffix(2) == ["lock:released", "run-end"])
    #expect(!FileManager.default.fileExists(atPath: dir.appendingPathComponent("pvemend").path))

    let dry = await executor.apply(Self.plan(), planDigest: "sha256:p", options: dryRun)
    #expect(dry.status == .success)
    #expect(shell.commands.count == 2)
  }

  @Test("a run that finds the lock held is refused (exit 3) before any other command")
  func refusedRun() async throws {
    let dir = try ClusterLockTests.directory()
    let shell = LocalShellTransport()
    guard
      case .acquired(let other, _) = await ClusterLockTests.lock(dir, shell).acquire(
        ClusterLockTests.holder("first"))
    else {
      Issue.record("not acquired")
      return
    }
    let fake = FakeProxmox(Build.cluster())
    let journal = MemoryJournal()
    let log = EventLog()
    let executor = Executor(
      transport: fake.transport, readCluster: fake.executorRead, clock: VirtualClock(),
      journal: journal, observer: log, confirmation: AutoConfirmation(),
      lock: ClusterLockTests.lock(dir, shell))
    let report = await executor.apply(Self.plan(), planDigest: "sha256:p", options: execute)
    #expect(report.status == .refused)
    #expect(report.refusal?.description.contains("run first (plan sha256:abc)") == true)
    #expect(fake.transport.commands.isEmpty)
    #expect(journal.entries.map(\.event) == [.runStart, .lock, .runEnd])
    #expect(journal.entries[1].status == "refused")
    #expect(await other.release() == .released)
  }

  @Test("a lock taken over during the run (broken by another run) stops new steps; journalled")
  func lostDuringRun() async throws {
    let dir = try ClusterLockTests.directory()
    let shell = LocalShellTransport()
    let fake = FakeProxmox(Build.cluster())
    fake.commandDelay = .seconds(2)
    let journal = MemoryJournal()
    let log = EventLog()
    let lockPath = dir.appendingPathComponent("pvemend").path
    // As soon as the first step starts, another run "breaks" the lock and takes it.
    log.onEvent = { event in
      if case .stepStarted = event {
        try? "run=thief\nuser=eve\n".write(
          toFile: lockPath + "/holder", atomically: true, encoding: .utf8)
      }
    }
    let plan = Build.plan([
      Build.haAdd("s1", "ct:110"), Build.backupJob("s2", job: "pvemend-daily", node: "proxmox1"),
    ])
    let executor = Executor(
      transport: fake.transport, readCluster: fake.executorRead, clock: SystemClock(),
      journal: journal, observer: log,
      confirmation: AutoConfirmation(),
      lock: ClusterLockTests.lock(dir, shell, renew: 0.05))
    let report = await executor.apply(
      plan, planDigest: "sha256:p",
      options: ExecutionOptions(mode: .execute, parallel: 1, pollInterval: 0.05, verifyTimeout: 20))
    let statuses = journal.entries.filter { $0.event == .lock }.compactMap(\.status)
    #expect(statuses.first == "acquired")
    #expect(statuses.contains("lost"))
    #expect(!statuses.contains("released"), "the thief's lock must stay")
    #expect(report.interrupted)
    #expect(
      report.steps.contains { $0.outcome == .notStarted }, "\(ExecutionText.table(report))")
    #expect(
      journal.entries.contains {
        $0.event == .lock && $0.detail?.contains("it is now held by run thief") == true
      })
    #expect(
      try String(contentsOfFile: lockPath + "/holder", encoding: .utf8).hasPrefix("run=thief"))
  }
}
