import PVEModel

/// Nodes that fail together. `Rehearsal.run` plays out what HA does about it.
package struct FailureScenario: Sendable, Hashable, Codable {
  /// The nodes that fail (cut off from the cluster and fenced), by name.
  package var failedNodes: [String]

  package init(failedNodes: [String]) {
    self.failedNodes = failedNodes
  }

  /// One scenario per online node: each single-node failure, by node name.
  package static func eachOnlineNode(of cluster: Cluster) -> [FailureScenario] {
    cluster.nodes.filter(\.online).map { FailureScenario(failedNodes: [$0.name]) }
  }
}
