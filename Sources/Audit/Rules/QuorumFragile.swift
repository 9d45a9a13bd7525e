import PVEModel
import Playbook

/// Detects: a quorate cluster that loses quorum if one more node fails (two-node clusters, or a
/// cluster already at the edge because members are offline). One vote per node.
/// Remediation: add a node or a QDevice vote, or bring offline members back (advice).
package struct QuorumFragile: IndexedAuditRule {
  package static let id = "quorum.fragile"
  package static let category = ScoreCategory.networkQuorum
  package static let advice = "Add a third vote (node or QDevice) so one failure keeps quorum"

  package init() {}

  package func findings(in context: AuditContext) -> [Finding] {
    let q = QuorumFigures(context.cluster)
    guard q.quorate, !q.standalone, q.online - 1 < q.needed else { return [] }
    return [
      Finding(
        rule: Self.id, severity: .high, subject: .cluster,
        message:
          "losing one node loses quorum: \(q.online) of \(q.votes) votes online, \(q.needed) needed",
        evidence: [
          "votes": .count(q.votes), "online": .count(q.online), "needed": .count(q.needed),
          "tolerated": .count(q.tolerated),
        ],
        remediation: .advice)
    ]
  }
}
