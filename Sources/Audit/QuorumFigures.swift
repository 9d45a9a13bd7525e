import PVEModel

/// Corosync's arithmetic for the cluster: one vote per member node (the snapshot carries no
/// `quorum_votes`), quorum at more than half of the expected votes.
package struct QuorumFigures: Sendable, Codable, Hashable {
  package var quorate: Bool
  /// Expected votes: every member, online or not.
  package var votes: Int
  /// Votes present: online members.
  package var online: Int
  /// Votes needed for quorum: ⌊votes / 2⌋ + 1.
  package var needed: Int
  /// Nodes that may still fail before quorum is lost (0 = the next failure loses it).
  package var tolerated: Int
  /// A standalone node, not in a cluster (no quorum to lose).
  package var standalone: Bool

  package init(_ cluster: Cluster) {
    quorate = cluster.quorum.quorate
    votes = max(cluster.quorum.nodes, cluster.nodes.count)
    online = cluster.quorum.online
    needed = votes / 2 + 1
    tolerated = max(online - needed, 0)
    standalone = cluster.name == nil && votes <= 1
  }
}
