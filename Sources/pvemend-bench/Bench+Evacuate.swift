import Evacuate
import Foundation
import PVEModel
import Planning
import Playbook
import Synth

/// Benchmark: `pvemend evacuate` on a synthetic cluster.
///
/// `swift run -c release pvemend-bench evacuate [--nodes 64] [--guests 10000] [--runs 5]`
///
/// The cluster comes from `Synth` (deterministic, seed 1, PVE 9). Each run times the evacuation
/// plan of the node with the most guests (the plan document with its before/after audits) and its
/// text view, then the rolling check of the first 8 nodes. Reports the median.
func benchEvacuate(_ args: [String]) async throws {
  let nodes = intOption(args, "--nodes", 64)
  let guests = intOption(args, "--guests", 10_000)
  let runs = max(intOption(args, "--runs", 5), 1)
  let snapshot = Synth.snapshot(nodes: nodes, guests: guests, seed: 1, pveMajor: 9)
  let cluster = try Cluster(snapshot: snapshot, file: "synth")
  let counts = Dictionary(grouping: cluster.guests, by: \.node).mapValues(\.count)
  let node =
    cluster.nodes.filter(\.online).max {
      (counts[$0.name] ?? 0, $1.name) < (counts[$1.name] ?? 0, $0.name)
    }?.name ?? cluster.nodes[0].name
  print(
    "evacuate benchmark: \(nodes) nodes, \(guests) guests, node \(node) with \(counts[node] ?? 0) guests, median of \(runs) runs, release build expected"
  )
  try timeEvacuation(
    runs: runs, snapshot: snapshot, cluster: cluster, node: node, maintenance: true
  ) {
    precondition(!PlanTextView.render($0).isEmpty)
    return
      "\($0.summary.migrations) migrations, \($0.unresolved.count) stay, outages \($0.summary.outages ?? 0) (\($0.summary.outageSeconds ?? 0) s)"
  }
  let eight = Array(cluster.nodes.prefix(8).map(\.name))
  let (rolling, t) = try timed {
    try RollingEvacuation(
      snapshot: snapshot, cluster: cluster, policy: .builtinDefault, nodes: eight,
      maintenance: true, playbookPath: "-", playbookText: "")
  }
  print(
    "rolling check of \(eight.count) nodes: \(milliseconds([t]).median); \(rolling.turns.filter(\.emptied).count) of \(eight.count) can be emptied"
  )
}

/// The evacuation's packing search at its worst: `--survivors` (default 16) nodes whose memory
/// room (after the built-in 4 GiB reserve) adds up to the emptied node's claims plus 2 GiB, and
/// `--guests` (default 120) running VMs of 1–8 GiB, sized so that a full packing exists (each
/// survivor's room is cut from a random split of the guests). Spreading by headroom leaves guests
/// behind; best-fit decreasing and the bounded search run. Deterministic (a fixed LCG).
///
/// `swift run -c release pvemend-bench evacuate-packing [--guests 120] [--survivors 16] [--runs 5]`
func benchEvacuatePacking(_ args: [String]) throws {
  let survivors = max(intOption(args, "--survivors", 16), 2)
  let count = max(intOption(args, "--guests", 120), 1)
  let runs = max(intOption(args, "--runs", 5), 1)
  var state: UInt64 = 0x5EED
  func next(_ n: Int) -> Int {
    state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
    return Int((state >> 33) % UInt64(n))
  }
  let gib: Int64 = 1 << 30
  var guests: [Guest] = []
  var share = [Int64](repeating: 0, count: survivors)
  for i in 0..<count {
    let size = Int64(1 + next(8))
    share[next(survivors)] += size
    guests.append(
      Guest(
        kind: .qemu, vmid: 100 + i, name: "g\(100 + i)", node: "empty", status: "running",
        vcpus: 1, memory: size * gib, memoryUsed: size * gib / 2, disks: [], tags: [],
        pool: nil, template: false, lock: nil, onboot: true, haState: nil))
  }
  share[0] += 2
  let version = PVEVersion(major: 9, minor: 1, patch: 7)
  let nodes =
    [
      Node(
        name: "empty", online: true, cores: 64, memoryTotal: 1024 * gib, memoryUsed: 0,
        cpuUsage: 0, uptime: 1, version: version, ip: nil, haState: "online")
    ]
    + (0..<survivors).map { i in
      Node(
        name: String(format: "s%02d", i), online: true, cores: 64,
        memoryTotal: (share[i] + 4) * gib, memoryUsed: 0, cpuUsage: 0, uptime: 1,
        version: version, ip: nil, haState: "online")
    }
  let names = nodes.map(\.name)
  let cluster = Cluster(
    name: "packing", collectedAt: "2025-11-09T10:00:00Z", source: "bench", nodes: nodes,
    guests: guests, storages: [], haResources: [], haGroups: nil, haRules: [],
    haManager: HAManagerStatus(master: names[0], quorate: true, services: [:]), backupJobs: [],
    quorum: Quorum(quorate: true, nodes: names.count, online: names.count, configVersion: 1),
    version: version, inconsistencies: [], options: [:])
  let snapshot = Snapshot(collectedAt: "2025-11-09T10:00:00Z", source: "bench", api: [:])
  print(
    "evacuate packing benchmark: \(count) guests onto \(survivors) survivors with 2 GiB of slack in all, median of \(runs) runs, release build expected"
  )
  try timeEvacuation(
    runs: runs, snapshot: snapshot, cluster: cluster, node: "empty", maintenance: false
  ) { plan in
    let packed = plan.steps.contains {
      $0.detail?.contains("spreading by headroom would leave") == true
    }
    return "\(plan.summary.migrations) migrations, \(plan.unresolved.count) stay; "
      + (packed ? "packed (spreading alone would leave guests behind)" : "spreading was enough")
  }
}

/// Times `runs` evacuation plans of `node` and prints the median with `describe`'s summary.
func timeEvacuation(
  runs: Int, snapshot: Snapshot, cluster: Cluster, node: String, maintenance: Bool,
  describe: (Plan) -> String
) throws {
  var times: [Double] = []
  var summary = ""
  for _ in 0..<runs {
    times.append(
      try timed {
        let plan = try NodeEvacuation.plan(
          snapshot: snapshot, cluster: cluster, policy: .builtinDefault, node: node,
          maintenance: maintenance, playbookPath: "-", playbookText: "")
        summary = describe(plan)
      }.seconds)
  }
  let ms = milliseconds(times)
  print("evacuate \(node): \(ms.median) (min \(ms.min), max \(ms.max)); \(summary)")
}
