import PVEModel
import Playbook

/// Detects: a cluster member that is offline; its guests are down or recovered elsewhere, and the
/// cluster has one vote less.
/// Remediation: bring the node back or remove it from the cluster (advice).
package struct NodeOffline: IndexedAuditRule {
  package static let id = "node.offline"
  package static let category = ScoreCategory.networkQuorum
  package static let advice = "Bring offline nodes back or remove them from the cluster"

  package init() {}

  package func findings(in context: AuditContext) -> [Finding] {
    context.cluster.nodes.compactMap { n in
      guard !n.online else { return nil }
      let guests = context.guests(on: n.name)
      let ha = guests.filter { context.isHAManaged($0) }.count
      return Finding(
        rule: Self.id, severity: .high, subject: .node(n.name),
        message:
          "\(n.name) is offline; \(guests.count) guest(s) are listed on it, \(ha) HA-managed",
        evidence: ["guests": .count(guests.count), "haGuests": .count(ha)],
        remediation: .advice)
    }
  }
}
