import PVEModel
import Playbook

/// Detects: a node with at most half the cores of the largest node; it cannot take the larger
/// nodes' guests on failover and caps the vCPUs of any guest that may run on it.
/// Remediation: upgrade its CPU, or keep fewer guests on it (advice).
package struct NodeSmall: IndexedAuditRule {
  package static let id = "node.small"
  package static let category = ScoreCategory.nodeBalance
  package static let advice = "Upgrade the CPU of small nodes or keep fewer guests on them"

  package init() {}

  package func findings(in context: AuditContext) -> [Finding] {
    let nodes = context.cluster.nodes.filter { $0.cores > 0 }
    guard nodes.count >= 2, let largest = nodes.map(\.cores).max() else { return [] }
    return nodes.compactMap { n in
      guard 2 * n.cores <= largest else { return nil }
      return Finding(
        rule: Self.id, severity: .low, subject: .node(n.name),
        message:
          "\(n.name) has \(n.cores) cores, at most half of the largest node's \(largest); it hosts \(context.guestCountByNode[n.name] ?? 0) guest(s)",
        evidence: [
          "cores": .count(n.cores), "largestCores": .count(largest),
          "guests": .count(context.guestCountByNode[n.name] ?? 0),
        ],
        remediation: .advice)
    }
  }
}
