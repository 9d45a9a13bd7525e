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
  func value(_ flag: String, _ fallback: Int) -> Int {
    guard let i = args.firstIndex(of: flag), i + 1 < args.count, let v = Int(args[i + 1]) else {
      return fallback
    }
    return v
  }
  let nodes = value("--nodes", 64)
  let guests = value("--guests", 10_000)
  let runs = max(value("--runs", 5), 1)
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
  func time(_ body: () throws -> Void) rethrows -> Double {
    let clock = ContinuousClock()
    let start = clock.now
    try body()
    let d = start.duration(to: clock.now)
    return Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18
  }
  var times: [Double] = []
  var summary = ""
  for _ in 0..<runs {
    times.append(
      try time {
        let plan = try NodeEvacuation.plan(
          snapshot: snapshot, cluster: cluster, policy: .builtinDefault, node: node,
          maintenance: true, playbookPath: "-", playbookText: "")
        precondition(!PlanTextView.render(plan).isEmpty)
        summary =
          "\(plan.summary.migrations) migrations, \(plan.unresolved.count) stay, outages \(plan.summary.outages ?? 0) (\(plan.summary.outageSeconds ?? 0) s)"
      })
  }
  let sorted = times.sorted()
  print(
    "evacuate \(node): \(String(format: "%.1f ms", sorted[sorted.count / 2] * 1000)) (min \(String(format: "%.1f", sorted[0] * 1000)), max \(String(format: "%.1f", sorted[sorted.count - 1] * 1000))); \(summary)"
  )
  let eight = Array(cluster.nodes.prefix(8).map(\.name))
  var emptied = 0
  let rolling = try time {
    let r = try RollingEvacuation(
      snapshot: snapshot, cluster: cluster, policy: .builtinDefault, nodes: eight,
      maintenance: true, playbookPath: "-", playbookText: "")
    emptied = r.turns.filter(\.emptied).count
  }
  print(
    "rolling check of \(eight.count) nodes: \(String(format: "%.1f ms", rolling * 1000)); \(emptied) of \(eight.count) can be emptied"
  )
}
