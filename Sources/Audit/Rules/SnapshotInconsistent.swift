import PVEModel
import Playbook

/// Detects: something in the snapshot that does not add up (`Cluster.inconsistencies`), e.g. a guest
/// on a node `/cluster/status` does not list. HA resources without a guest are left to `ha.orphan`.
/// Remediation: collect the snapshot again; if it persists, repair the cluster configuration (advice).
package struct SnapshotInconsistent: IndexedAuditRule {
  package static let id = "snapshot.inconsistent"
  package static let category = ScoreCategory.networkQuorum
  package static let advice = "Collect the snapshot again and repair what still does not add up"

  /// Inconsistency keys another rule reports.
  static let coveredElsewhere = "ha-resource-without-guest/"

  package init() {}

  package func findings(in context: AuditContext) -> [Finding] {
    context.cluster.inconsistencies.compactMap { i in
      guard !i.key.hasPrefix(Self.coveredElsewhere) else { return nil }
      return Finding(
        rule: Self.id, severity: .medium, subject: Subject(kind: .cluster, id: i.key),
        message: i.message, evidence: ["key": .text(i.key)], remediation: .advice)
    }
  }
}
