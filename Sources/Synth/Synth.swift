import PVEModel

/// Deterministic synthetic clusters, as `pvemend-snapshot/1` documents, for tests and benchmarks.
///
/// Same arguments, same snapshot, byte for byte: the generator has its own PRNG (`SplitMix64`),
/// reads no clock (the snapshot is dated 2026-01-15T12:00:00Z) and never iterates a dictionary.
package enum Synth {
  /// A cluster of `nodes` online nodes (mixed sizes) and `guests` guests: shared and local storage,
  /// HA resources (groups on PVE 8, rules on PVE 9), three backup jobs that cover part of it, tags
  /// and pools. `Cluster(snapshot:)` derives it without inconsistencies.
  package static func snapshot(nodes: Int, guests: Int, seed: UInt64, pveMajor: Int) -> Snapshot {
    let cluster = SynthCluster(nodeCount: nodes, guestCount: guests, seed: seed, pveMajor: pveMajor)
    return Snapshot(
      collectedAt: SynthCluster.collectedAt,
      source:
        "pvemend synth --nodes \(cluster.nodes.count) --guests \(cluster.guests.count) --seed \(seed) --pve \(cluster.pveMajor)",
      api: cluster.api())
  }
}
