import Audit
import Foundation
import PVEModel
import Planning
import Playbook
import Synth

/// Benchmark: planning synthetic clusters of growing size, and the reference cluster's plan.
///
/// `swift run -c release pvemend-bench plan [--nodes 64] [--guests 1000,10000,20000,50000]
/// [--runs 3] [--pve 9] [--moves 20]`. For each size: deriving the cluster, auditing it, and planning
/// (the planner alone, and the whole `Planner.plan` with the snapshot digest and the before/after
/// audits), best of `runs`. Then the plan of `examples/homelab-cluster.json` with
/// `playbooks/homelab.yaml`: moves, downtime and each node's figures before and after.
func benchPlan(_ args: [String]) async throws {
  var nodes = 64
  var sizes = [1_000, 10_000, 20_000, 50_000]
  var runs = 3
  var major = 9
  var moves = 20
  var i = 0
  while i < args.count {
    let value = i + 1 < args.count ? args[i + 1] : ""
    switch args[i] {
    case "--nodes": nodes = Int(value) ?? nodes
    case "--guests": sizes = value.split(separator: ",").compactMap { Int($0) }
    case "--runs": runs = max(1, Int(value) ?? runs)
    case "--pve": major = Int(value) ?? major
    case "--moves": moves = Int(value) ?? moves
    default:
      print(
        "usage: pvemend-bench plan [--nodes N] [--guests N,N,…] [--runs N] [--pve 8|9] [--moves N]")
      return
    }
    i += 2
  }

  var policy = Policy(name: "bench")
  policy.critical = [
    CriticalEntry(selector: GuestSelector(tag: "critical"), level: .critical),
    CriticalEntry(selector: GuestSelector(pool: "prod"), level: .high),
  ]
  policy.keepApart = [KeepApartSet(name: "dns", guests: [GuestSelector(name: "dns-*")])]
  policy.migration.maxMoves = moves

  print(
    "plan benchmark: \(nodes) nodes, PVE \(major), best of \(runs), migration.max_moves \(moves); thread CPU time (wall in brackets)"
  )
  print(
    "guests   derive          audit           planner         digest          plan()          steps  moves  HA adds  unresolved"
  )
  for size in sizes {
    let snapshot = Synth.snapshot(nodes: nodes, guests: size, seed: 1, pveMajor: major)
    var derive = Timing()
    var audit = Timing()
    var planner = Timing()
    var digest = Timing()
    var whole = Timing()
    var last: Plan?
    for _ in 0..<runs {
      let cluster = try derive.measure { try Cluster(snapshot: snapshot, file: "synth") }
      let report = audit.measure { AuditReport(cluster: cluster, policy: policy) }
      let plan = whole.measure {
        Planner.plan(
          snapshot: snapshot, cluster: cluster, report: report, policy: policy,
          playbookPath: "bench", playbookText: "")
      }
      _ = planner.measure {
        Planner.steps(cluster: cluster, findings: report.findings, policy: policy)
      }
      _ = digest.measure { Planner.sha256(snapshot.encoded()) }
      last = plan
    }
    guard let plan = last else { continue }
    print(
      pad(String(size), 9) + pad(derive.text, 16) + pad(audit.text, 16) + pad(planner.text, 16)
        + pad(digest.text, 16) + pad(whole.text, 16) + pad(String(plan.steps.count), 7)
        + pad(String(plan.summary.migrations), 7) + pad(String(plan.summary.haEnablements), 9)
        + String(plan.summary.unresolved))
  }
  print("derive: Cluster(snapshot:); audit: AuditReport (findings and score); planner: the planner")
  print(
    "alone (simulation, steps, order); digest: SHA-256 of snapshot.encoded(); plan(): Planner.plan")
  print(
    "as 'pvemend plan' calls it after the audit (planner + digest + audit of the predicted state).")
  print("Audit + plan() is what 'pvemend plan' spends after reading the snapshot.")
  print("")
  try referencePlan()
}

/// The plan of the reference cluster next to ProxLB's 6 moves (peers.md §2.5).
private func referencePlan() throws {
  let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    .deletingLastPathComponent().deletingLastPathComponent()
  let snapshotPath = root.appendingPathComponent("examples/homelab-cluster.json")
  let playbookPath = root.appendingPathComponent("playbooks/homelab.yaml")
  guard let data = FileManager.default.contents(atPath: snapshotPath.path),
    let text = FileManager.default.contents(atPath: playbookPath.path).map({
      String(decoding: $0, as: UTF8.self)
    })
  else {
    print("reference cluster: examples/homelab-cluster.json or playbooks/homelab.yaml not found")
    return
  }
  let snapshot = try Snapshot.decode(data, file: "examples/homelab-cluster.json")
  let cluster = try Cluster(snapshot: snapshot, file: "examples/homelab-cluster.json")
  let policy = try PlaybookDecoder.decode(text, file: "playbooks/homelab.yaml")
  let start = ContinuousClock.now
  let plan = Planner.plan(
    snapshot: snapshot, cluster: cluster, report: AuditReport(cluster: cluster, policy: policy),
    policy: policy, playbookPath: "playbooks/homelab.yaml", playbookText: text)
  let elapsed = seconds(ContinuousClock.now - start)
  print(
    "reference cluster (examples/homelab-cluster.json, playbooks/homelab.yaml): audit + plan \(ms(elapsed))"
  )
  print(PlanTextView.summaryLine(plan))
  if let line = PlanTextView.outageLine(plan) { print(line) }
  let migrations = plan.steps.filter { $0.kind == .migrate }
  let downtime = migrations.reduce(0) { $0 + $1.downtime.seconds }
  print(
    "migrations: \(migrations.count), guest downtime \(downtime) s (whole plan \(plan.summary.downtimeSeconds) s); ProxLB 2.3.0 default: 6 moves, all CT restarts, no vCPU, storage or HA checks"
  )
  for m in migrations { print("  \(m.id) \(m.title) — downtime \(m.downtime.seconds) s") }
  print("node       cores  vCPU/core before → after   memory claimed before → after (of total)")
  for b in plan.before.nodes {
    guard let a = plan.after.nodes.first(where: { $0.node == b.node }) else { continue }
    let gib = { (v: Int64) in String(format: "%.1f", Double(v) / Double(ByteSize.gib)) }
    print(
      pad(b.node, 11) + pad(String(b.cores), 7)
        + pad(String(format: "%.2f → %.2f", b.vcpuPerCore, a.vcpuPerCore), 26)
        + "\(gib(b.memory)) → \(gib(a.memory)) GiB (of \(gib(b.memoryTotal)) GiB; ratio \(String(format: "%.2f → %.2f", Double(b.memory) / Double(b.memoryTotal), Double(a.memory) / Double(a.memoryTotal))))"
    )
  }
}

/// Best-of-N thread CPU time and wall time of a piece of work.
private struct Timing {
  var cpu = Double.infinity
  var wall = Double.infinity

  mutating func measure<T>(_ work: () throws -> T) rethrows -> T {
    let c0 = threadCPU()
    let w0 = ContinuousClock.now
    let result = try work()
    wall = min(wall, seconds(ContinuousClock.now - w0))
    cpu = min(cpu, threadCPU() - c0)
    return result
  }

  var text: String { "\(ms(cpu)) (\(ms(wall)))" }
}

/// CPU time of the calling thread, seconds.
private func threadCPU() -> Double {
  var t = timespec()
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t)
  return Double(t.tv_sec) + Double(t.tv_nsec) / 1e9
}

private func seconds(_ d: Duration) -> Double {
  Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18
}

private func ms(_ s: Double) -> String { String(format: "%.0f ms", s * 1000) }

private func pad(_ s: String, _ n: Int) -> String {
  s.count >= n ? s + " " : s + String(repeating: " ", count: n - s.count)
}
