import PVEModel
import Transport

/// The executor's cluster readers over a real (or sandbox) cluster: `facts` (what `apply` uses)
/// reads just the facts a check needs, in one command (`FactReader`); `collecting` re-collects the
/// whole cluster through one entry node with `SnapshotCollector` on every read.
package enum ClusterReader {
  /// Fact-scoped reads over `baseline` (the plan's embedded snapshot), through `entryNode`.
  package static func facts(
    entryNode: String, clock: any ExecutionClock, baseline: Snapshot, parallelism: Int = 4
  ) -> Executor.ReadFacts {
    FactReader(
      entryNode: entryNode, clock: clock, baseline: baseline, parallelism: parallelism
    ).read
  }

  /// Reads through the transport the executor hands in (the dry-run guard in a dry run).
  package static func collecting(
    entryNode: String, clock: any ExecutionClock, parallelism: Int = 4,
    mode: SnapshotCollector.Mode = .batched
  ) -> Executor.ReadCluster {
    { transport in
      let collector = SnapshotCollector(
        transport: transport, entryNode: entryNode, parallelism: parallelism, mode: mode)
      let snapshot: Snapshot
      do {
        snapshot = try await collector.collect(
          collectedAt: clock.timestamp(), source: "ssh://\(entryNode)")
      } catch {
        // The collector folds transport errors into per-path reasons; when the entry node itself
        // cannot be reached (host key, refused, authentication), surface that error (exit 4).
        _ = try await transport.run(.pveshGet("/version", on: entryNode))
        throw error
      }
      return try Cluster(snapshot: snapshot, file: "ssh://\(entryNode)")
    }
  }

  /// The node a snapshot was collected through: `local` in `/cluster/status`, else the first online
  /// node by name; nil when the snapshot lists no node.
  package static func entryNode(of snapshot: Snapshot) -> String? {
    let nodes =
      snapshot.api["/cluster/status"]?.arrayValue?.filter { $0["type"]?.stringValue == "node" }
      ?? []
    if let local = nodes.first(where: { $0["local"]?.boolValue == true })?["name"]?.stringValue {
      return local
    }
    return nodes.filter { $0["online"]?.boolValue == true }.compactMap { $0["name"]?.stringValue }
      .sorted().first
  }
}
