import Foundation
import PVEModel
import Playbook
import Rehearse
import Synth

/// Benchmark: `pvemend rehearse` on a synthetic cluster, every single-node failure.
///
/// `swift run -c release pvemend-bench rehearse [--nodes 64] [--guests 10000] [--runs 7]`
///
/// The cluster comes from `Synth` (deterministic, seed 1, PVE 9). Each run times building the
/// `RehearsalReport` (one scenario per online node: the CRM's recovery of every HA guest in sid
/// order) and its text view, once with crs `basic` and once with crs `static` (TOPSIS over all
/// survivors for every recovered guest). Reports the median per mode.
func benchRehearse(_ args: [String]) async throws {
  func value(_ flag: String, _ fallback: Int) -> Int {
    guard let i = args.firstIndex(of: flag), i + 1 < args.count, let v = Int(args[i + 1]) else {
      return fallback
    }
    return v
  }
  let nodes = value("--nodes", 64)
  let guests = value("--guests", 10_000)
  let runs = max(value("--runs", 7), 1)
  let snapshot = Synth.snapshot(nodes: nodes, guests: guests, seed: 1, pveMajor: 9)
  var cluster = try Cluster(snapshot: snapshot, file: "synth")
  let ha = cluster.haResources.filter { $0.state == "started" }.count
  print(
    "rehearse benchmark: \(nodes) nodes, \(guests) guests, \(ha) HA resources started, median of \(runs) runs, release build expected"
  )
  for mode in ["basic", "static"] {
    cluster.options["crs"] = "ha=\(mode)"
    var times: [Double] = []
    var recovered = 0
    var verdicts = ""
    for _ in 0..<runs {
      let clock = ContinuousClock()
      let start = clock.now
      let report = RehearsalReport(cluster: cluster, policy: .builtinDefault)
      let text = report.text()
      let d = start.duration(to: clock.now)
      times.append(Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18)
      precondition(!text.isEmpty)
      recovered = report.scenarios.reduce(0) { $0 + $1.recovered.count }
      let counts = Dictionary(grouping: report.scenarios, by: \.verdict).mapValues(\.count)
      verdicts = counts.keys.sorted().map { "\(counts[$0] ?? 0) \($0.rawValue)" }.joined(
        separator: ", ")
    }
    let sorted = times.sorted()
    let median = sorted[sorted.count / 2]
    print(
      "crs \(mode): \(String(format: "%.1f ms", median * 1000)) for \(nodes) scenarios (min \(String(format: "%.1f", sorted[0] * 1000)), max \(String(format: "%.1f", sorted[sorted.count - 1] * 1000))); \(recovered) recoveries; \(verdicts)"
    )
  }
}
