import PVEModel
import Playbook

/// Detects: an online node that carries no HA services while other nodes do (the seed's proxmox2),
/// so HA capacity is concentrated and one failure moves many HA guests at once.
/// Remediation: spread HA guests so every node carries some (placement advice for the planner).
package struct HADistribution: IndexedAuditRule {
  package static let id = "ha.distribution"
  package static let category = ScoreCategory.haConfiguration
  package static let advice = "Spread HA services so every node carries some"

  package init() {}

  package func findings(in context: AuditContext) -> [Finding] {
    let online = context.onlineNodes
    guard online.count >= 2 else { return [] }
    var perNode: [String: Int] = [:]
    for n in online {
      perNode[n.name] = context.guests(on: n.name).reduce(0) {
        $0 + (context.isHAManaged($1) ? 1 : 0)
      }
    }
    let total = perNode.values.reduce(0, +)
    guard total > 0 else { return [] }
    let most = perNode.values.max() ?? 0
    let carrying = perNode.values.filter { $0 > 0 }.count
    return online.compactMap { n in
      guard perNode[n.name] == 0 else { return nil }
      return Finding(
        rule: Self.id, severity: .medium, subject: .node(n.name),
        message:
          "\(n.name) carries no HA services while \(carrying) other node(s) carry \(total) (up to \(most) on one node)",
        evidence: [
          "haOnNode": .count(0), "haTotal": .count(total), "nodesWithHA": .count(carrying),
          "maxOnOneNode": .count(most), "cores": .count(n.cores),
        ],
        remediation: .advice)
    }
  }
}
