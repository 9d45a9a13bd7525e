import Execution
import Foundation
import PVEMendTestSupport
import PVEModel
import Planning
import SSHTransport
import Testing
import Transport

#if canImport(Glibc)
  import Glibc
#endif

/// The executor runs mutating commands detached, over real sshds on 127.0.0.1 (one per node):
/// connection losses, unreachable nodes, Ctrl-C and `--resume`, with each command's runs counted
/// in a file it appends to.
@Suite("Apply with detached commands", .serialized)
struct DetachedApplyTests {
  /// Records events with their arrival time.
  final class Events: ExecutionObserver, @unchecked Sendable {
    private let lock = NSLock()
    private var items: [(ExecutionEvent, ContinuousClock.Instant)] = []
    func handle(_ event: ExecutionEvent) { lock.withLock { items.append((event, .now)) } }
    var all: [(ExecutionEvent, ContinuousClock.Instant)] { lock.withLock { items } }
    func lines(step: String) -> [String] {
      all.compactMap {
        if case .output(let s, _, let line, _) = $0.0, s == step { return line }
        return nil
      }
    }
    func finishedAt(step: String) -> ContinuousClock.Instant? {
      all.first {
        if case .commandFinished(let s, _, _) = $0.0 { return s == step }
        return false
      }?.1
    }
    func outputAt(step: String, line: String) -> ContinuousClock.Instant? {
      all.first {
        if case .output(let s, _, let l, _) = $0.0 { return s == step && l == line }
        return false
      }?.1
    }
  }

  struct Rig {
    var servers: [String: SSHD]
    var transport: LibSSH2Transport
    var root: URL

    func counter(_ name: String) -> String { root.appendingPathComponent("\(name).count").path }
    func gate(_ name: String) -> String { counter(name) + ".gate" }
    func open(_ name: String) { GateFile.open(gate(name)) }
    func runs(_ name: String) -> Int {
      ((try? String(contentsOfFile: counter(name), encoding: .utf8)) ?? "")
        .split(separator: "\n").count
    }
    func stop() async {
      await transport.shutdown()
      for s in servers.values { s.stop() }
      try? FileManager.default.removeItem(at: root)
    }
  }

  static func rig(nodes: [String]) throws -> Rig {
    let keys = try SSHD.Keys.generate()
    var servers: [String: SSHD] = [:]
    for node in nodes { servers[node] = try SSHD.start(keys: keys) }
    var settings = SSHSettings()
    // Short enough for the stopped-node test, long enough for a handshake on a loaded machine.
    settings.connectTimeout = .seconds(2)
    let endpoints = try nodes.map { node in
      let s = try #require(servers[node])
      return NodeEndpoint(
        node: node, host: "127.0.0.1", port: s.port, user: s.user, identityFiles: [s.clientKey],
        knownHostsFile: s.knownHostsFile, agent: .none)
    }
    return Rig(
      servers: servers, transport: LibSSH2Transport(endpoints: endpoints, settings: settings),
      root: try SSHD.makeTemporaryDirectory(prefix: "pvemend-detach"))
  }

  /// A step that appends to its counter, prints, sleeps, prints.
  /// A step that prints `start`, counts its run, then sleeps `sleep` seconds, or with `gated`
  /// waits (at most 120 s) until the test opens its gate (`Rig.open(id)`): a fault test then cuts
  /// the connection while the command surely runs, however loaded the machine is.
  static func step(
    _ id: String, node: String, rig: Rig, sleep: Double = 0, gated: Bool = false,
    after: [String] = []
  ) -> Step {
    let wait =
      gated
      ? GateFile.wait(rig.gate(id))
      : "sleep \(sleep)"
    let script =
      "echo start; echo x >> \(ShellQuoting.quote(rig.counter(id))); \(wait); echo done"
    return Step(
      id: id, kind: .migrate, title: "step \(id)", reasons: [], after: after,
      commands: [RemoteCommand(node: node, argv: ["sh", "-c", script], mutating: true)],
      preconditions: [], effects: [])
  }

  static func plan(_ steps: [Step]) -> Plan { Build.plan(steps) }

  static func executor(
    _ rig: Rig, journal: MemoryJournal, observer: Events,
    interruption: Interruption = Interruption()
  ) -> Executor {
    let cluster = Build.cluster()
    return Executor(
      transport: RecordingTransport(forwardingTo: rig.transport), readCluster: { _ in cluster },
      clock: SystemClock(), journal: journal, observer: observer,
      confirmation: AutoConfirmation(), interruption: interruption)
  }

  static func options(_ rig: Rig, reconnect: Double = 20) -> ExecutionOptions {
    ExecutionOptions(
      mode: .execute, parallel: 4, pollInterval: 0.1, verifyTimeout: 5,
      detach: DetachOptions(root: rig.root.path, reconnectTimeout: reconnect))
  }

  /// Up to 240 s: in the full suite, CLITests run the binary synchronously and can hold Swift's
  /// two cooperative threads (2 cores) for a long while, so a step's first line may come late.
  static func waitFor(_ condition: () -> Bool, seconds: Double = 240) async throws {
    let deadline = ContinuousClock.now + .milliseconds(Int(seconds * 1000))
    while !condition() && ContinuousClock.now < deadline {
      try await Task.sleep(for: .milliseconds(50))
    }
  }

  @Test(
    "connection killed mid-command: the step finishes once, output streamed, launch journalled first"
  )
  func survivesKilledConnection() async throws {
    let rig = try Self.rig(nodes: ["pve1"])
    let journal = MemoryJournal()
    let events = Events()
    let plan = Self.plan([Self.step("s01", node: "pve1", rig: rig, gated: true)])
    let executor = Self.executor(rig, journal: journal, observer: events)
    let run = Task { await executor.apply(plan, planDigest: "d1", options: Self.options(rig)) }
    try await Self.waitFor { events.lines(step: "s01").contains("start") }
    try #require(events.lines(step: "s01").contains("start"), "the command never printed")
    let listener = try #require(rig.servers["pve1"]?.listenerPID)
    #expect(!ProcessTree.killSSHDSessions(listener: listener).isEmpty)
    try await Task.sleep(for: .seconds(2.5))
    rig.open("s01")
    let report = await run.value
    let runs = rig.runs("s01")
    await rig.stop()
    #expect(report.status == .success, "\(ExecutionText.table(report))")
    #expect(runs == 1)
    #expect(events.lines(step: "s01") == ["start", "done"])
    let started = try #require(events.outputAt(step: "s01", line: "start"))
    let finished = try #require(events.finishedAt(step: "s01"))
    #expect(started.duration(to: finished) > .seconds(2), "output streamed while it ran")
    let kinds = journal.entries.filter { $0.step == "s01" && $0.event != .check }.map(\.event)
    #expect(kinds == [.stepStart, .commandLaunch, .command, .stepEnd])
    let command = try #require(journal.entries.first { $0.event == .command })
    #expect(command.exitStatus == 0)
    #expect(command.detached?.hasSuffix("/s01.0") == true)
    #expect(command.stdoutTail == "start\ndone\n")
  }

  @Test(
    "node unreachable past --reconnect-timeout: its step is unknown, other nodes go on, exit 1; --resume settles it without running it again"
  )
  func unknownThenResume() async throws {
    let rig = try Self.rig(nodes: ["pve1", "pve2"])
    let journal = MemoryJournal()
    let events = Events()
    let plan = Self.plan([
      // s01 waits for its gate: pve1 is cut off while it surely runs.
      Self.step("s01", node: "pve1", rig: rig, gated: true),
      Self.step("s02", node: "pve2", rig: rig, sleep: 1.5),
      Self.step("s03", node: "pve2", rig: rig, after: ["s02"]),
      Self.step("s04", node: "pve1", rig: rig, after: ["s02"]),
    ])
    let executor = Self.executor(rig, journal: journal, observer: events)
    let run = Task {
      await executor.apply(plan, planDigest: "d2", options: Self.options(rig, reconnect: 1))
    }
    try await Self.waitFor { events.lines(step: "s01").contains("start") }
    try #require(events.lines(step: "s01").contains("start"), "the command never printed")
    let listener = try #require(rig.servers["pve1"]?.listenerPID)
    kill(listener, SIGSTOP)
    ProcessTree.killSSHDSessions(listener: listener)
    let report = await run.value
    #expect(report.status == .stepFailed, "\(ExecutionText.table(report))")
    let outcomes = Dictionary(uniqueKeysWithValues: report.steps.map { ($0.id, $0.outcome) })
    #expect(outcomes["s01"] == .unknown)
    #expect(outcomes["s02"] == .succeeded)
    #expect(outcomes["s03"] == .succeeded)
    #expect(outcomes["s04"] == .notStarted)
    let end = try #require(journal.entries.first { $0.event == .stepEnd && $0.step == "s01" })
    #expect(end.outcome == "unknown")
    #expect(end.detail?.contains("unreachable") == true)

    kill(listener, SIGCONT)
    rig.open("s01")
    try await Task.sleep(for: .seconds(2))  // the command ends on the node meanwhile
    let resume = try ResumeState.from(journal.entries, planDigest: "d2", file: "memory")
    #expect(resume.steps["s01"]?.pending != nil)
    let again = await Self.executor(rig, journal: journal, observer: events).apply(
      plan, planDigest: "d2", options: Self.options(rig), resume: resume)
    let runs = ["s01", "s02", "s03", "s04"].map { rig.runs($0) }
    await rig.stop()
    #expect(again.status == .success, "\(ExecutionText.table(again))")
    #expect(runs == [1, 1, 1, 1], "each command ran exactly once")
    #expect(
      again.steps.map(\.outcome) == [.succeeded, .done, .done, .succeeded],
      "\(ExecutionText.table(again))")
  }

  @Test("an unknown host key on the detached launch: failed, exit 4, nothing ran")
  func hostKeyFailureIsAConnectionFailure() async throws {
    var rig = try Self.rig(nodes: ["pve1"])
    let empty = rig.root.appendingPathComponent("known_hosts_empty").path
    FileManager.default.createFile(atPath: empty, contents: Data())
    let s = try #require(rig.servers["pve1"])
    rig.transport = LibSSH2Transport(endpoints: [
      NodeEndpoint(
        node: "pve1", host: "127.0.0.1", port: s.port, user: s.user, identityFiles: [s.clientKey],
        knownHostsFile: empty, agent: .none)
    ])
    let plan = Self.plan([Self.step("s01", node: "pve1", rig: rig)])
    let report = await Self.executor(rig, journal: MemoryJournal(), observer: Events()).apply(
      plan, planDigest: "d4", options: Self.options(rig))
    let runs = rig.runs("s01")
    await rig.stop()
    #expect(report.status == .connection, "\(ExecutionText.table(report))")
    #expect(report.steps.first?.outcome == .failed)
    #expect(report.steps.first?.detail?.contains("host key") == true)
    #expect(runs == 0)
  }

  @Test("Ctrl-C stops following: the command runs on detached; --resume re-attaches")
  func interruptLeavesItRunning() async throws {
    let rig = try Self.rig(nodes: ["pve1"])
    let journal = MemoryJournal()
    let events = Events()
    let interruption = Interruption()
    // Gated: the interrupted run must return while the command still runs.
    let plan = Self.plan([Self.step("s01", node: "pve1", rig: rig, gated: true)])
    let executor = Self.executor(
      rig, journal: journal, observer: events, interruption: interruption)
    let run = Task { await executor.apply(plan, planDigest: "d3", options: Self.options(rig)) }
    try await Self.waitFor { events.lines(step: "s01").contains("start") }
    try #require(events.lines(step: "s01").contains("start"), "the command never printed")
    let t0 = ContinuousClock.now
    interruption.trigger()
    let report = await run.value
    #expect(t0.duration(to: .now) < .seconds(30), "did not wait for the command")
    #expect(!events.lines(step: "s01").contains("done"))
    rig.open("s01")
    #expect(report.steps.first?.outcome == .interrupted)
    #expect(report.steps.first?.detail?.contains("detached") == true)
    let resume = try ResumeState.from(journal.entries, planDigest: "d3", file: "memory")
    let again = await Self.executor(rig, journal: journal, observer: Events()).apply(
      plan, planDigest: "d3", options: Self.options(rig), resume: resume)
    let runs = rig.runs("s01")
    await rig.stop()
    #expect(again.status == .success, "\(ExecutionText.table(again))")
    #expect(runs == 1)
  }
}
