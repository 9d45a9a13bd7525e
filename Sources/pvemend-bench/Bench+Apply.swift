import Audit
import Execution
import Foundation
import PVEMendTestSupport
import PVEModel
import Planning
import Playbook
import SSHTransport
import Transport

/// Benchmark: apply a plan with zero simulated Proxmox delay, sequential vs parallel.
///
/// `pvemend-bench apply [--plan FILE] [--steps N] [--nodes M] [--delay-ms D] [--repeat R]`;
/// `pvemend-bench apply --sandbox [--standin PATH] [--pvesh-delay MS]
/// [--before]` applies the reference plan on the loopback sandbox instead (see `benchApplySandbox`).
/// Without `--plan`, a synthetic plan of N HA enables and migrations over M nodes. The transport
/// answers in-process and the "cluster" establishes each step's effects when its first mutating
/// command arrives, so the figures are the executor's own overhead per step: the check, the
/// scheduling, two reads and a condition check per step, and the journal (written to a real file).
func benchApply(_ args: [String]) async throws {
  func value(_ name: String) -> String? {
    guard let i = args.firstIndex(of: name), i + 1 < args.count else { return nil }
    return args[i + 1]
  }
  let steps = Int(value("--steps") ?? "") ?? 240
  let nodes = Int(value("--nodes") ?? "") ?? 8
  let delayMS = Int(value("--delay-ms") ?? "") ?? 0
  let repeats = Int(value("--repeat") ?? "") ?? 3

  if args.contains("--sandbox") {
    try await benchApplySandbox(
      repeats: repeats == 3 && value("--repeat") == nil ? 1 : repeats, standIn: value("--standin"),
      pveshDelay: Int(value("--pvesh-delay") ?? "") ?? 0, before: args.contains("--before"))
    return
  }
  let plan: Plan
  let cluster: Cluster
  if let path = value("--plan") {
    let data = try Data(contentsOf: URL(fileURLWithPath: path))
    plan = try JSONDecoder().decode(Plan.self, from: data)
    cluster = try Cluster(snapshot: plan.snapshot, file: path)
  } else {
    (plan, cluster) = SyntheticApply.make(steps: steps, nodes: nodes)
  }
  let runnable = plan.steps.filter { $0.kind != .advice }.count
  print(
    "apply benchmark: \(plan.steps.count) steps (\(runnable) runnable) on \(Set(plan.steps.flatMap { $0.commands.map(\.node) }).count) nodes, "
      + "simulated delay \(delayMS) ms per mutating command, best of \(repeats)")
  print("mode        parallel  wall ms   per step µs  commands  reads")
  let dir = FileManager.default.temporaryDirectory.appendingPathComponent(
    "pvemend-bench-apply-\(ProcessInfo.processInfo.processIdentifier)")
  try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
  defer { try? FileManager.default.removeItem(at: dir) }
  for (mode, parallel) in [(ExecutionMode.dryRun, 1), (.execute, 1), (.execute, 4), (.execute, 16)]
  {
    var best = Double.infinity
    var commands = 0
    var reads = 0
    for r in 0..<repeats {
      let world = SimulatedWorld(cluster: cluster, plan: plan, delay: .milliseconds(delayMS))
      let journal = try JournalFile(
        path: dir.appendingPathComponent("j\(mode.rawValue)\(parallel)-\(r).jsonl").path)
      let executor = Executor(
        transport: world, readCluster: { t in try await world.read(through: t) },
        clock: SystemClock(),
        journal: journal, confirmation: AutoConfirmation())
      let options = ExecutionOptions(
        mode: mode, parallel: parallel, pollInterval: 0, verifyTimeout: 5)
      let start = ContinuousClock.now
      let report = await executor.apply(plan, planDigest: "bench", options: options)
      let elapsed = ContinuousClock.now - start
      let ms =
        Double(elapsed.components.seconds) * 1000 + Double(elapsed.components.attoseconds) / 1e15
      if report.status != .success {
        print("run failed: exit \(report.status.rawValue) \(report.refusal?.description ?? "")")
        print(ExecutionText.table(report))
        return
      }
      best = min(best, ms)
      commands = world.commandCount
      reads = world.readCount
    }
    let perStep = best * 1000 / Double(max(runnable, 1))
    func pad(_ s: String, _ n: Int) -> String {
      s + String(repeating: " ", count: max(0, n - s.count))
    }
    print(
      pad(mode.rawValue, 12) + pad("\(parallel)", 10) + pad(String(format: "%.1f", best), 10)
        + pad(String(format: "%.0f", perStep), 13) + pad("\(commands)", 10) + "\(reads)")
  }
}

/// A synthetic plan: per guest one HA enable, and every third guest a migration to the next node.
enum SyntheticApply {
  static func make(steps: Int, nodes: Int) -> (Plan, Cluster) {
    let names = (1...max(nodes, 2)).map { "node\($0 < 10 ? "0" : "")\($0)" }
    var guests: [Guest] = []
    var planSteps: [Step] = []
    var vmid = 100
    while planSteps.count < steps {
      vmid += 1
      let node = names[vmid % names.count]
      let sid = "vm:\(vmid)"
      guests.append(
        Guest(
          kind: .qemu, vmid: vmid, name: "g\(vmid)", node: node, status: "running", vcpus: 2,
          memory: 2 << 30, memoryUsed: 1 << 30, disks: [], tags: [], pool: nil, template: false,
          lock: nil, onboot: true, haState: nil))
      let id = "s\(planSteps.count + 1)"
      if vmid % 3 == 0 {
        let target = names[(vmid + 1) % names.count]
        planSteps.append(
          Step(
            id: id, kind: .migrate, title: "Move \(sid) to \(target)", reasons: [], after: [],
            commands: [
              RemoteCommand(
                node: node, argv: ["qm", "migrate", "\(vmid)", target, "--online", "1"],
                mutating: true)
            ],
            preconditions: [Condition(.guestOnNode, sid: sid, node: node)],
            effects: [Condition(.guestOnNode, sid: sid, node: target)]))
      } else {
        planSteps.append(
          Step(
            id: id, kind: .haAdd, title: "Enable HA for \(sid)", reasons: [], after: [],
            commands: [
              RemoteCommand(
                node: node, argv: ["ha-manager", "add", sid, "--state", "started"], mutating: true)
            ],
            preconditions: [Condition(.haNotManaged, sid: sid)],
            effects: [Condition(.haManaged, sid: sid, state: "started")]))
      }
    }
    let cluster = Cluster(
      name: "bench", collectedAt: "2025-11-09T10:00:00Z", source: "bench",
      nodes: names.map {
        Node(
          name: $0, online: true, cores: 16, memoryTotal: 128 << 30, memoryUsed: 0, cpuUsage: 0,
          uptime: 1, version: PVEVersion(major: 8, minor: 4, patch: 1), ip: nil, haState: "online")
      }, guests: guests, storages: [], haResources: [], haGroups: [], haRules: nil,
      haManager: HAManagerStatus(master: names[0], quorate: true, services: [:]), backupJobs: [],
      quorum: Quorum(quorate: true, nodes: names.count, online: names.count, configVersion: 1),
      version: PVEVersion(major: 8, minor: 4, patch: 1), inconsistencies: [], options: [:])
    let plan = Plan(
      tool: "pvemend-bench", createdAt: "2025-11-09T10:00:00Z", cluster: "bench", pveMajor: 8,
      haPlacement: "groups", snapshotSHA256: "",
      snapshot: Snapshot(collectedAt: "2025-11-09T10:00:00Z", source: "bench", api: [:]),
      playbook: PlaybookRef(name: "bench", path: "-", sha256: ""), findings: [], steps: planSteps,
      unresolved: [], before: Figures(score: 0, nodes: [], findings: 0),
      after: Figures(score: 0, nodes: [], findings: 0),
      summary: Summary(
        haEnablements: 0, haPlacements: 0, volumeMoves: 0, migrations: 0, backupJobs: 0,
        advisories: 0, unresolved: 0, downtimeSeconds: 0))
    return (plan, cluster)
  }
}

/// An in-process cluster: a mutating command establishes the effects of the step it belongs to.
final class SimulatedWorld: Transport, @unchecked Sendable {
  private let lock = NSLock()
  private var cluster: Cluster
  private var commands = 0
  private var reads = 0
  private let effects: [RemoteCommand: [Condition]]
  private let delay: Duration

  init(cluster: Cluster, plan: Plan, delay: Duration) {
    self.cluster = cluster
    self.delay = delay
    var map: [RemoteCommand: [Condition]] = [:]
    for s in plan.steps {
      if let first = s.commands.first(where: \.mutating) { map[first] = s.effects }
    }
    effects = map
  }

  var commandCount: Int { lock.withLock { commands } }
  var readCount: Int { lock.withLock { reads } }

  func read(through transport: any Transport) async throws -> Cluster {
    _ = try await transport.run(.pveshGet("/cluster/resources", on: "node01"))
    return lock.withLock {
      reads += 1
      return cluster
    }
  }

  func run(_ command: RemoteCommand, options: RunOptions) async throws -> CommandResult {
    if command.mutating && delay > .zero { try await Task.sleep(for: delay) }
    lock.withLock {
      commands += 1
      if let e = effects[command] { cluster = cluster.establishing(e) }
    }
    return CommandResult(stdout: Data(), stderr: Data(), exitStatus: 0)
  }

  func hostKeyFingerprint(node: String) async -> String? { "SHA256:bench" }
  func shutdown() async {}
}

/// Applies the reference plan (examples/homelab-cluster.json + playbooks/homelab.yaml) on a fresh
/// loopback sandbox (scripts/sandbox, HA delay 0, `--pvesh-delay MS`), parallel 4, over libssh2,
/// with the executor's fact reads (`after`) and, with `--before`, with the former reader that
/// re-collected the whole cluster per path on every read. Reports wall time, remote commands,
/// mutating commands and reads per mutating command.
func benchApplySandbox(repeats: Int, standIn: String?, pveshDelay: Int, before: Bool) async throws {
  let root = URL(fileURLWithPath: FileManager.default.currentDirectoryPath)
  let snapshotURL = root.appendingPathComponent("examples/homelab-cluster.json")
  let playbookURL = root.appendingPathComponent("playbooks/homelab.yaml")
  let bin =
    standIn ?? root.appendingPathComponent(".build/release/pve-standin").path
  guard FileManager.default.isExecutableFile(atPath: bin) else {
    print(
      "build the stand-in first: swift build -c release --product pve-standin (or pass --standin PATH)"
    )
    return
  }
  let playbookText = try String(contentsOf: playbookURL, encoding: .utf8)
  let policy = try PlaybookDecoder.decode(playbookText, file: playbookURL.path)
  print(
    "apply benchmark on the sandbox: reference plan, parallel 4, pvesh delay \(pveshDelay) ms, stand-in \(bin)"
  )
  print("reader                 wall s   steps  commands  mutating  reads  reads/mutating")
  let readers = before ? ["before (per path)", "after (facts)"] : ["after (facts)"]
  for label in readers {
    for _ in 0..<max(repeats, 1) {
      let dir = FileManager.default.temporaryDirectory.appendingPathComponent(
        "pvemend-bench-sandbox-\(ProcessInfo.processInfo.processIdentifier)")
      let inventory = try sandbox(
        [
          "start", "--snapshot", snapshotURL.path, "--dir", dir.path, "--bin", bin,
          "--pvesh-delay", String(pveshDelay),
        ], root: root)
      defer { _ = try? sandbox(["stop", "--dir", dir.path], root: root) }
      let inv = try Inventory.load(path: inventory)
      let directory = NodeDirectory.standard(inventory: inv)
      let live = LibSSH2Transport(settings: SSHSettings()) { node in
        try directory.endpoint(for: node)
      }
      let snapshot = try await SnapshotCollector(transport: live, entryNode: "proxmox").collect(
        collectedAt: "2025-11-09T10:00:00Z", source: "sandbox")
      let cluster = try Cluster(snapshot: snapshot)
      let plan = Planner.plan(
        snapshot: snapshot, cluster: cluster,
        findings: Auditor.findings(in: cluster, policy: policy),
        policy: policy, playbookPath: "playbooks/homelab.yaml", playbookText: playbookText)
      let clock = SystemClock()
      let recording = RecordingTransport(forwardingTo: live)
      let journal = MemoryJournal()
      let executor =
        label.hasPrefix("before")
        ? Executor(
          transport: recording,
          readCluster: ClusterReader.collecting(entryNode: "proxmox", clock: clock, mode: .perPath),
          clock: clock, journal: journal, confirmation: AutoConfirmation())
        : Executor(
          transport: recording,
          readFacts: ClusterReader.facts(
            entryNode: "proxmox", clock: clock, baseline: plan.snapshot),
          clock: clock, journal: journal, confirmation: AutoConfirmation())
      let t0 = clock.monotonic()
      let report = await executor.apply(
        plan, planDigest: "bench",
        options: ExecutionOptions(
          mode: .execute, parallel: 4, pollInterval: 0.5, verifyTimeout: 120))
      let wall = clock.monotonic() - t0
      await live.shutdown()
      guard report.status == .success else {
        print(ExecutionText.table(report))
        return
      }
      let steps = plan.steps.count
      let total = recording.commands.count
      let mutating = recording.commands.filter(\.mutating).count
      func pad(_ s: String, _ n: Int) -> String {
        s + String(repeating: " ", count: max(0, n - s.count))
      }
      print(
        pad(label, 23) + pad(String(format: "%.1f", wall), 9) + pad("\(steps)", 7)
          + pad("\(total)", 10) + pad("\(mutating)", 10) + pad("\(total - mutating)", 7)
          + String(format: "%.2f", Double(total - mutating) / Double(max(mutating, 1))))
    }
  }
}

/// Counts cluster reads.
final class ReadCounter: ExecutionObserver, @unchecked Sendable {
  private let lock = NSLock()
  private var reads = 0
  var count: Int { lock.withLock { reads } }
  func handle(_ event: ExecutionEvent) {
    if case .reading = event { lock.withLock { reads += 1 } }
  }
}

/// Runs scripts/sandbox and returns its standard output, trimmed.
func sandbox(_ arguments: [String], root: URL) throws -> String {
  let p = Process()
  p.executableURL = URL(fileURLWithPath: "/bin/bash")
  p.arguments = [root.appendingPathComponent("scripts/sandbox").path] + arguments
  let out = Pipe()
  p.standardOutput = out
  p.standardError = FileHandle.nullDevice
  try p.run()
  let data = out.fileHandleForReading.readDataToEndOfFile()
  p.waitUntilExit()
  guard p.terminationStatus == 0 else {
    throw NSError(domain: "sandbox", code: Int(p.terminationStatus))
  }
  return String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
}
