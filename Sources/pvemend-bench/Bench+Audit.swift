import Audit
import Foundation
import PVEModel
import Playbook
import Synth

#if canImport(Glibc)
  import Glibc
#endif

/// Benchmark: the whole audit path on a synthetic cluster.
///
/// `swift run -c release pvemend-bench audit [--nodes 64] [--guests 10000] [--runs 7] [--growth]`
///
/// The snapshot comes from `Synth` (deterministic, seed 1, PVE 9) and is encoded to JSON bytes
/// first; each run then times decoding the bytes → `Snapshot` → `Cluster` → `AuditReport` (builtin
/// default policy) → text rendering. Reports the median of the runs per stage; `--growth` repeats
/// it for 1,000, 10,000 and 50,000 guests on the same nodes. Target: ≤ 0.5 s for 64 nodes and
/// 10,000 guests. Besides wall time it reports the thread's CPU time of the whole path, which other
/// processes competing for the cores do not inflate.
func benchAudit(_ args: [String]) async throws {
  let nodes = intOption(args, "--nodes", 64)
  let guests = intOption(args, "--guests", 10_000)
  let runs = max(intOption(args, "--runs", 7), 1)
  let sizes = args.contains("--growth") ? [1_000, 10_000, 50_000] : [guests]

  print("audit benchmark: \(nodes) nodes, median of \(runs) runs, release build expected")
  print(
    pad("guests", 8) + pad("JSON", 10) + pad("decode", 10) + pad("cluster", 10) + pad("report", 10)
      + pad("text", 10) + pad("total", 10) + pad("cpu", 10) + "findings")
  var totals: [(Int, Double)] = []
  for size in sizes {
    let data = Synth.snapshot(nodes: nodes, guests: size, seed: 1, pveMajor: 9).encoded()
    var stages: [[Double]] = Array(repeating: [], count: 5)
    var cpu: [Double] = []
    var findings = 0
    for _ in 0..<runs {
      let clock = ContinuousClock()
      let cpu0 = threadCPUSeconds()
      var t = clock.now
      var run: [Double] = []
      func lap() {
        let now = clock.now
        let d = t.duration(to: now)
        run.append(Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18)
        t = now
      }
      let snapshot = try Snapshot.decode(data, file: "synth")
      lap()
      let cluster = try Cluster(snapshot: snapshot, file: "synth")
      lap()
      let report = AuditReport(cluster: cluster, policy: .builtinDefault)
      lap()
      let text = report.text()
      lap()
      run.append(run.reduce(0, +))
      cpu.append(threadCPUSeconds() - cpu0)
      for (i, d) in run.enumerated() { stages[i].append(d) }
      findings = report.findings.count
      precondition(!text.isEmpty)
    }
    let m = stages.map(median) + [median(cpu)]
    totals.append((size, m[4]))
    print(
      pad("\(size)", 8) + pad(String(format: "%.1f MB", Double(data.count) / 1e6), 10)
        + m.map { pad(ms($0), 10) }.joined() + "\(findings)")
  }
  if totals.count > 1 {
    for (a, b) in zip(totals, totals.dropFirst()) {
      print(
        "growth \(a.0) → \(b.0) guests (×\(Figure.fixed(Double(b.0) / Double(a.0), 0))): time ×\(Figure.fixed(b.1 / a.1, 1))"
      )
    }
  }
  if let ten = totals.first(where: { $0.0 == 10_000 }), nodes == 64 {
    print(
      "target 64 nodes / 10,000 guests ≤ 500 ms: \(ten.1 <= 0.5 ? "met" : "missed") (\(ms(ten.1)))")
  }
}

/// CPU time of the calling thread, seconds (0 where unsupported).
private func threadCPUSeconds() -> Double {
  #if canImport(Glibc)
    var ts = timespec()
    guard clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts) == 0 else { return 0 }
    return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
  #else
    return 0
  #endif
}

private func median(_ xs: [Double]) -> Double {
  let s = xs.sorted()
  guard !s.isEmpty else { return 0 }
  return s.count % 2 == 1 ? s[s.count / 2] : (s[s.count / 2 - 1] + s[s.count / 2]) / 2
}

private func ms(_ seconds: Double) -> String { String(format: "%.1f ms", seconds * 1000) }

private func pad(_ s: String, _ width: Int) -> String {
  s.count >= width ? s + " " : s + String(repeating: " ", count: width - s.count)
}
