import PVEModel
import Playbook

/// Detects: a guest the policy marks critical at a level in `policy.ha.levels` that HA does not
/// manage (no HA resource, or one in state `ignored`), so it stays down when its node fails.
/// Remediation: enable HA (`ha-manager add`), after moving node-local volumes to shared storage.
/// Not on a single node (standalone, or a cluster of one): there is nowhere to restart a guest.
package struct HAUnprotected: IndexedAuditRule {
  package static let id = "ha.unprotected"
  package static let category = ScoreCategory.haConfiguration
  package static let advice = "Enable HA for the critical guests"

  package init() {}

  package func findings(in context: AuditContext) -> [Finding] {
    guard context.hasFailoverNodes else { return [] }
    return context.guests.compactMap { g in
      guard let entry = context.criticality(of: g), context.policy.ha.levels.contains(entry.level),
        !context.isHAManaged(g)
      else { return nil }
      let purpose = entry.purpose.map { " (\($0))" } ?? ""
      var evidence: [String: JSONValue] = [
        "vmid": .count(g.vmid), "node": .text(g.node), "level": .text(entry.level.rawValue),
        "status": .text(g.status), "selector": .text(entry.selector.text),
      ]
      if let purpose = entry.purpose { evidence["purpose"] = .text(purpose) }
      if let r = context.haResourceBySID[g.sid] { evidence["haState"] = .text(r.state) }
      return Finding(
        rule: Self.id, severity: Severity(entry.level), subject: .guest(g),
        message:
          "\(AuditContext.label(g)) on \(g.node) is \(entry.level.rawValue)\(purpose) but not HA-managed; if \(g.node) fails it stays down",
        evidence: evidence, remediation: .enableHA)
    }
  }
}
