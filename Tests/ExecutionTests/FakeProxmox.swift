import Execution
import Foundation
import PVEMendTestSupport
import PVEModel
import Planning
import Transport

/// A tiny simulated cluster behind a `RecordingTransport`: mutating commands change a `Cluster`
/// value the way Proxmox would, `readCluster` returns it. HA migrations are asynchronous: they
/// complete after `migrationReads` reads, as the CRM needs a few rounds.
final class FakeProxmox: @unchecked Sendable {
  private let lock = NSLock()
  private var state: Cluster
  private var pendingMigrations: [String: (target: String, reads: Int)] = [:]
  private var pendingStates: [String: (state: String, reads: Int)] = [:]
  /// Reads an HA migration takes to complete.
  var migrationReads = 2
  /// The HA state a migration ends in (`error` to simulate a failed recovery).
  var migrationEndState = "started"
  /// Shell line → forced result (failures).
  var forced: [String: CommandResult] = [:]
  /// Shell line → error to throw once.
  var throwOnce: [String: TransportError] = [:]
  /// Seconds each mutating command sleeps (parallelism tests).
  var commandDelay: Duration = .zero
  /// Error to throw on every read (host key changed, node down).
  var readError: TransportError?
  private(set) var reads = 0

  lazy var transport: RecordingTransport = RecordingTransport { [unowned self] command in
    try await self.handle(command)
  }

  init(_ cluster: Cluster) { state = cluster }

  var cluster: Cluster {
    get { lock.withLock { state } }
    set { lock.withLock { state = newValue } }
  }

  /// The executor's `readCluster`: one read-only command through the transport it is given.
  func readCluster(_ transport: any Transport) async throws -> Cluster {
    if let readError { throw readError }
    _ = try await transport.run(.pveshGet("/cluster/resources", on: "proxmox1"))
    return lock.withLock {
      reads += 1
      for (sid, m) in pendingMigrations {
        if m.reads <= 1 {
          pendingMigrations[sid] = nil
          if let i = state.guests.firstIndex(where: { $0.sid == sid }) {
            state.guests[i].node = m.target
          }
          state.haManager.services[sid] = HAServiceStatus(node: m.target, state: migrationEndState)
        } else {
          pendingMigrations[sid] = (m.target, m.reads - 1)
        }
      }
      for (sid, p) in pendingStates {
        if p.reads <= 1 {
          pendingStates[sid] = nil
          state.haManager.services[sid]?.state = p.state
        } else {
          pendingStates[sid] = (p.state, p.reads - 1)
        }
      }
      return state
    }
  }

  var executorRead: Executor.ReadCluster { { [self] t in try await self.readCluster(t) } }

  func handle(_ command: RemoteCommand) async throws -> CommandResult {
    let line = command.shellLine
    if let error = lock.withLock({ throwOnce.removeValue(forKey: line) }) { throw error }
    if let forced = lock.withLock({ forced[line] }) { return forced }
    if ReadOnlyCommands.isReadOnly(command.argv) { return .text("[]\n") }
    if commandDelay > .zero { try await Task.sleep(for: commandDelay) }
    return lock.withLock { apply(command) }
  }

  private func fail(_ message: String) -> CommandResult {
    .text("", stderr: message + "\n", status: 255)
  }

  /// Changes `state` as Proxmox would; must hold the lock.
  private func apply(_ command: RemoteCommand) -> CommandResult {
    let a = command.argv
    func option(_ name: String) -> String? {
      guard let i = a.firstIndex(of: name), i + 1 < a.count else { return nil }
      return a[i + 1]
    }
    switch (a.first, a.count > 1 ? a[1] : "") {
    case ("ha-manager", "add"):
      let sid = a[2]
      if state.haResource(sid) != nil { return fail("resource ID '\(sid)' already defined") }
      guard let (kind, vmid) = Cluster.parseSID(sid), state.guest(sid: sid) != nil else {
        return fail("resource '\(sid)' does not exist in cluster")
      }
      let st = option("--state") ?? "started"
      state.haResources.append(
        HAResource(
          sid: sid, kind: kind, vmid: vmid, state: st, maxRestart: 1, maxRelocate: 1,
          group: option("--group"), failback: nil, comment: option("--comment")))
      state.haManager.services[sid] = HAServiceStatus(node: state.guest(sid: sid)?.node, state: st)
      return .text("")
    case ("ha-manager", "set"):
      let sid = a[2]
      guard let i = state.haResources.firstIndex(where: { $0.sid == sid }) else {
        return fail("resource '\(sid)' does not exist")
      }
      if let st = option("--state") {
        state.haResources[i].state = st
        pendingStates[sid] = (st, migrationReads)
      }
      return .text("")
    case ("ha-manager", "remove"):
      let sid = a[2]
      guard state.haResource(sid) != nil else { return fail("no such resource '\(sid)'") }
      state.haResources.removeAll { $0.sid == sid }
      state.haManager.services[sid] = nil
      return .text("")
    case ("ha-manager", "migrate"), ("ha-manager", "relocate"):
      let sid = a[2]
      guard state.haResource(sid) != nil else { return fail("resource '\(sid)' is not HA managed") }
      state.haManager.services[sid]?.state = "migrate"
      pendingMigrations[sid] = (a[3], migrationReads)
      return .text("")
    case ("qm", "migrate"), ("pct", "migrate"):
      guard let vmid = Int(a[2]), let i = state.guests.firstIndex(where: { $0.vmid == vmid }) else {
        return fail("no such guest")
      }
      guard state.guests[i].node == command.node else {
        return fail("unable to find configuration file for VM \(vmid) on node '\(command.node)'")
      }
      state.guests[i].node = a[3]
      return .text("migration finished successfully\n")
    case ("qm", "disk"), ("pct", "move-volume"):
      // qm disk move <vmid> <key> <storage> | pct move-volume <vmid> <key> <storage>
      let rest = a[1] == "disk" ? Array(a.dropFirst(3)) : Array(a.dropFirst(2))
      guard rest.count >= 3, let vmid = Int(rest[0]),
        let g = state.guests.firstIndex(where: { $0.vmid == vmid }),
        state.guests[g].disks.contains(where: { $0.key == rest[1] })
      else { return fail("no such volume") }
      Condition(.volumeOnStorage, sid: state.guests[g].sid, key: rest[1], storage: rest[2])
        .establish(
          in: &state)
      return .text("")
    case ("pvesh", "create") where a.count > 2 && a[2] == "/cluster/backup":
      guard let id = option("--id") else { return fail("missing --id") }
      state.backupJobs.append(
        BackupJob(
          id: id, enabled: true, all: option("--all") == "1", vmids: [], exclude: [], pool: nil,
          node: nil, storage: option("--storage"), schedule: option("--schedule"), mode: nil,
          compress: nil, pruneBackups: [:], comment: nil))
      return .text("")
    case ("pvesh", "delete") where a.count > 2 && a[2].hasPrefix("/cluster/backup/"):
      let id = String(a[2].dropFirst("/cluster/backup/".count))
      state.backupJobs.removeAll { $0.id == id }
      return .text("")
    default:
      return fail("fake proxmox: unknown command \(command.shellLine)")
    }
  }
}

/// Records events for assertions.
final class EventLog: ExecutionObserver, @unchecked Sendable {
  private let lock = NSLock()
  private var stored: [ExecutionEvent] = []
  var onEvent: (@Sendable (ExecutionEvent) -> Void)?

  func handle(_ event: ExecutionEvent) {
    lock.withLock { stored.append(event) }
    onEvent?(event)
  }

  var events: [ExecutionEvent] { lock.withLock { stored } }

  var startedSteps: [String] {
    events.compactMap {
      if case .stepStarted(let s, _, _) = $0 { return s.id }
      return nil
    }
  }
}

/// Scripted answers for the confirmation protocol.
final class ScriptedConfirmation: Confirmation, @unchecked Sendable {
  private let lock = NSLock()
  private var runAnswer: Bool
  private var stepAnswers: [StepDecision]
  private(set) var asked: [String] = []

  init(run: Bool = true, steps: [StepDecision] = []) {
    runAnswer = run
    stepAnswers = steps
  }

  func confirmRun(cluster: String, steps: Int) async -> Bool {
    lock.withLock {
      asked.append("run \(cluster) \(steps)")
      return runAnswer
    }
  }

  func confirmStep(_ step: Step, index: Int, total: Int) async -> StepDecision {
    lock.withLock {
      asked.append("step \(step.id) \(index)/\(total)")
      return stepAnswers.isEmpty ? .run : stepAnswers.removeFirst()
    }
  }
}

extension FakeProxmox {
  /// An executor over this fake with a virtual clock and an in-memory journal.
  func executor(
    journal: MemoryJournal = MemoryJournal(), observer: any ExecutionObserver = SilentObserver(),
    confirmation: any Confirmation = AutoConfirmation(),
    interruption: Interruption = Interruption(),
    clock: VirtualClock = VirtualClock()
  ) -> Executor {
    Executor(
      transport: transport, readCluster: executorRead, clock: clock, journal: journal,
      observer: observer, confirmation: confirmation, interruption: interruption)
  }
}

let execute = ExecutionOptions(mode: .execute, parallel: 4, pollInterval: 1, verifyTimeout: 5)
let dryRun = ExecutionOptions(mode: .dryRun)
