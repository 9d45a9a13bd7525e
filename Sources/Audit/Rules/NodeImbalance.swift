import PVEModel
import Playbook

/// Detects: an online node whose share of the cluster's guests exceeds its share of the cluster's
/// cores by more than `policy.capacity.shareTolerance` (the seed's proxmox: 17 of 37 guests = 46 % on
/// 4 of 20 cores = 20 %). Guests are every guest Proxmox lists, templates included, as in the
/// distribution table; only online nodes count.
/// Remediation: migrate guests to nodes whose share of guests is below their share of cores.
package struct NodeImbalance: IndexedAuditRule {
  package static let id = "node.imbalance"
  package static let category = ScoreCategory.nodeBalance
  package static let advice =
    "Rebalance guests so each node's share of guests matches its share of cores"

  package init() {}

  package func findings(in context: AuditContext) -> [Finding] {
    let online = context.onlineNodes
    guard online.count >= 2 else { return [] }
    let totalCores = online.reduce(0) { $0 + $1.cores }
    let totalGuests = online.reduce(0) { $0 + (context.guestCountByNode[$1.name] ?? 0) }
    guard totalCores > 0, totalGuests > 0 else { return [] }
    let tolerance = context.policy.capacity.shareTolerance
    return online.compactMap { n in
      let guests = context.guestCountByNode[n.name] ?? 0
      let guestShare = Double(guests) / Double(totalGuests)
      let coreShare = Double(n.cores) / Double(totalCores)
      let excess = guestShare - coreShare
      guard excess > tolerance + 1e-9 else { return nil }
      return Finding(
        rule: Self.id, severity: excess > 1.5 * tolerance ? .high : .medium, subject: .node(n.name),
        message:
          "\(n.name) hosts \(Figure.wholePercent(guestShare)) of the guests (\(guests) of \(totalGuests)) but has \(Figure.wholePercent(coreShare)) of the cores (\(n.cores) of \(totalCores)); tolerance \(Figure.wholePercent(tolerance))",
        evidence: [
          "guests": .count(guests), "totalGuests": .count(totalGuests),
          "guestShare": .ratio(guestShare), "cores": .count(n.cores),
          "totalCores": .count(totalCores), "coreShare": .ratio(coreShare),
          "tolerance": .ratio(tolerance), "excess": .ratio(excess),
        ],
        remediation: .rebalance)
    }
  }
}
