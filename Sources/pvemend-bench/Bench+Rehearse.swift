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
  let nodes = intOption(args, "--nodes", 64)
  let guests = intOption(args, "--guests", 10_000)
  let runs = max(intOption(args, "--runs", 7), 1)
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
      let ((report, text), t) = timed {
        let report = RehearsalReport(cluster: cluster, policy: .builtinDefault)
        return (report, report.text())
      }
      times.append(t)
      precondition(!text.isEmpty)
      recovered = report.scenarios.reduce(0) { $0 + $1.recovered.count }
      let counts = Dictionary(grouping: report.scenarios, by: \.verdict).mapValues(\.count)
      verdicts = counts.keys.sorted().map { "\(counts[$0] ?? 0) \($0.rawValue)" }.joined(
        separator: ", ")
    }
    let ms = milliseconds(times)
    print(
      "crs \(mode): \(ms.median) for \(nodes) scenarios (min \(ms.min), max \(ms.max)); \(recovered) recoveries; \(verdicts)"
    )
  }
}
