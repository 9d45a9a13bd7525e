import Foundation
import PVEModel
import Runbook
import Synth

/// Benchmark: `pvemend runbook` on a synthetic cluster.
///
/// `swift run -c release pvemend-bench runbook [--nodes 64] [--guests 10000] [--runs 5]`
///
/// The cluster comes from `Synth` (deterministic, seed 1, PVE 9) with one backup archive per guest
/// on a PBS-like shared storage, so every lost guest is placed and restored. Each run times building
/// the `Runbook` (every node's failure through the rehearsal, every storage server, the ingress)
/// and its markdown and HTML views. Reports the median.
func benchRunbook(_ args: [String]) async throws {
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
  var cluster = try Cluster(snapshot: snapshot, file: "synth")
  let store = cluster.storages.first { $0.shared }?.id ?? "backup"
  let node = cluster.nodes.first?.name ?? "node1"
  cluster.backups = BackupInventory(
    archives: cluster.guests.map { g in
      BackupArchive(
        volid: "\(store):backup/\(g.kind.haType)/\(g.vmid)/2025-11-09T02:00:00Z", storage: store,
        node: node, vmid: g.vmid, kind: g.kind, ctime: 1_762_653_600, size: 1 << 30,
        format: g.kind == .qemu ? "pbs-vm" : "pbs-ct", verification: "ok", notes: nil,
        protected: false, encrypted: false)
    }, complete: true)
  print(
    "runbook benchmark: \(nodes) nodes, \(guests) guests, \(cluster.guests.count) archives, median of \(runs) runs, release build expected"
  )
  var times: [Double] = []
  var summary = ""
  for _ in 0..<runs {
    let clock = ContinuousClock()
    let start = clock.now
    let book = Runbook(cluster: cluster, policy: .builtinDefault)
    let md = RunbookMarkdownView.render(book)
    let html = RunbookHTMLView.render(book)
    let d = start.duration(to: clock.now)
    times.append(Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18)
    let hand = book.scenarios.reduce(0) { $0 + $1.byHand.count }
    summary =
      "\(book.scenarios.count) scenarios, \(hand) guests by hand, markdown \(md.utf8.count / 1024) KiB, html \(html.utf8.count / 1024) KiB"
  }
  let sorted = times.sorted()
  print(
    "runbook: \(String(format: "%.1f ms", sorted[sorted.count / 2] * 1000)) median (min \(String(format: "%.1f", sorted[0] * 1000)), max \(String(format: "%.1f", sorted[sorted.count - 1] * 1000))); \(summary)"
  )
}
