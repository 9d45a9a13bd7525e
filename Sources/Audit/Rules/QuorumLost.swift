import PVEModel
import Playbook

/// Detects: the cluster is not quorate: `/etc/pve` is read-only, no guest can be started or changed,
/// and HA fences nodes.
/// Remediation: bring members back online (or `pvecm expected` as a last resort) (advice).
package struct QuorumLost: IndexedAuditRule {
  package static let id = "quorum.lost"
  package static let category = ScoreCategory.networkQuorum
  package static let advice = "Restore quorum by bringing members back online"

  package init() {}

  package func findings(in context: AuditContext) -> [Finding] {
    let q = QuorumFigures(context.cluster)
    guard !q.quorate, !q.standalone else { return [] }
    return [
      Finding(
        rule: Self.id, severity: .critical, subject: .cluster,
        message:
          "the cluster is not quorate: \(q.online) of \(q.votes) votes online, \(q.needed) needed",
        evidence: [
          "votes": .count(q.votes), "online": .count(q.online), "needed": .count(q.needed),
        ],
        remediation: .advice)
    ]
  }
}
