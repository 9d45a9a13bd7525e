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
  var times: [Double] = []
  var summary = ""
  for _ in 0..<runs {
    times.append(
      try timed {
        let plan = try NodeEvacuation.plan(
          snapshot: snapshot, cluster: cluster, policy: .builtinDefault, node: node,
          maintenance: true, playbookPath: "-", playbookText: "")
        precondition(!PlanTextView.render(plan).isEmpty)
        summary =
          "\(plan.summary.migrations) migrations, \(plan.unresolved.count) stay, outages \(plan.summary.outages ?? 0) (\(plan.summary.outageSeconds ?? 0) s)"
      }.seconds)
  }
  let ms = milliseconds(times)
  print("evacuate \(node): \(ms.median) (min \(ms.min), max \(ms.max)); \(summary)")
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
