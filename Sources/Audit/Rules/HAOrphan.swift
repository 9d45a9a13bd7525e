import PVEModel
import Playbook

/// Detects: an HA resource whose guest does not exist (deleted guest, or `vm:` for a container),
/// which makes `ha-manager` log errors and confuses every later HA change.
/// Remediation: remove the HA resource (`ha-manager remove <sid>`) or recreate the guest (advice).
package struct HAOrphan: IndexedAuditRule {
  package static let id = "ha.orphan"
  package static let category = ScoreCategory.haConfiguration
  package static let advice = "Remove HA resources whose guests no longer exist"

  package init() {}

  package func findings(in context: AuditContext) -> [Finding] {
    let sids = Set(context.cluster.guests.map(\.sid))
    return context.cluster.haResources.compactMap { r in
      guard !sids.contains(r.sid) else { return nil }
      return Finding(
        rule: Self.id, severity: .medium, subject: Subject(kind: .haResource, id: r.sid),
        message: "HA resource \(r.sid) (state \(r.state)) names a guest the cluster does not have",
        evidence: ["vmid": .count(r.vmid), "state": .text(r.state)],
        remediation: .advice)
    }
  }
}
