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
  let nodes = intOption(args, "--nodes", 64)
  let guests = intOption(args, "--guests", 10_000)
  let runs = max(intOption(args, "--runs", 5), 1)
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
    let ((book, md, html), t) = timed {
      let book = Runbook(cluster: cluster, policy: .builtinDefault)
      return (book, RunbookMarkdownView.render(book), RunbookHTMLView.render(book))
    }
    times.append(t)
    let hand = book.scenarios.reduce(0) { $0 + $1.byHand.count }
    summary =
      "\(book.scenarios.count) scenarios, \(hand) guests by hand, markdown \(md.utf8.count / 1024) KiB, html \(html.utf8.count / 1024) KiB"
  }
  let ms = milliseconds(times)
  print("runbook: \(ms.median) median (min \(ms.min), max \(ms.max)); \(summary)")
}
