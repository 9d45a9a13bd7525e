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
    "plan benchmark: \(nodes) nodes, PVE \(major), best of \(runs), migration.max_moves \(moves)")
  print("guests   derive    audit     planner   plan()    steps  moves  HA adds  unresolved")
  for size in sizes {
    let snapshot = Synth.snapshot(nodes: nodes, guests: size, seed: 1, pveMajor: major)
    var best = (derive: Double.infinity, audit: Double.infinity, plan: Double.infinity)
    var whole = Double.infinity
    var last: Plan?
    for _ in 0..<runs {
      let t0 = ContinuousClock.now
      let cluster = try Cluster(snapshot: snapshot, file: "synth")
      let t1 = ContinuousClock.now
      let findings = Auditor.findings(in: cluster, policy: policy)
      let t2 = ContinuousClock.now
      let plan = Planner.plan(
        snapshot: snapshot, cluster: cluster, findings: findings, policy: policy,
        playbookPath: "bench", playbookText: "")
      let t3 = ContinuousClock.now
      _ = Planner.steps(cluster: cluster, findings: findings, policy: policy)
      let t4 = ContinuousClock.now
      best.derive = min(best.derive, seconds(t1 - t0))
      best.audit = min(best.audit, seconds(t2 - t1))
      whole = min(whole, seconds(t3 - t2))
      best.plan = min(best.plan, seconds(t4 - t3))
      last = plan
    }
    guard let plan = last else { continue }
    print(
      pad(String(size), 9) + pad(ms(best.derive), 10) + pad(ms(best.audit), 10)
        + pad(ms(best.plan), 10) + pad(ms(whole), 10) + pad(String(plan.steps.count), 7)
        + pad(String(plan.summary.migrations), 7) + pad(String(plan.summary.haEnablements), 9)
        + String(plan.summary.unresolved))
  }
  print(
    "planner: the planner alone (simulation, steps, order); plan(): Planner.plan as 'pvemend plan'")
  print(
    "calls it, with the snapshot's SHA-256 and the audits of the before and the predicted state.")
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
  let findings = Auditor.findings(in: cluster, policy: policy)
  let plan = Planner.plan(
    snapshot: snapshot, cluster: cluster, findings: findings, policy: policy,
    playbookPath: "playbooks/homelab.yaml", playbookText: text)
  let elapsed = seconds(ContinuousClock.now - start)
  print(
    "reference cluster (examples/homelab-cluster.json, playbooks/homelab.yaml): audit + plan \(ms(elapsed))"
  )
  print(PlanTextView.summaryLine(plan))
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

private func seconds(_ d: Duration) -> Double {
  Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18
}

private func ms(_ s: Double) -> String { String(format: "%.0f ms", s * 1000) }

private func pad(_ s: String, _ n: Int) -> String {
  s.count >= n ? s + " " : s + String(repeating: " ", count: n - s.count)
}
