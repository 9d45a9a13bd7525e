import PVEModel
import Playbook

/// Detects: backup storages whose content listing is not in the snapshot (a snapshot from before
/// pvemend read backup content, or a listing that failed during collect), so which backups exist is
/// unknown; the other backup rules then claim nothing about missing or old backups.
/// Remediation: collect again (collect's progress names a listing it could not read) (advice).
package struct BackupContentUnknown: IndexedAuditRule {
  package static let id = "backup.content-unknown"
  package static let category = ScoreCategory.disasterRecovery
  package static let advice =
    "Collect again so the snapshot lists the backups on every backup storage"

  package init() {}

  package func findings(in context: AuditContext) -> [Finding] {
    let backups = context.cluster.backups
    guard !context.guests.isEmpty, !backups.complete, !backups.unread.isEmpty else { return [] }
    let names = backups.unread.map { $0.shared ? $0.storage : "\($0.storage)@\($0.node)" }
    return [
      Finding(
        rule: Self.id, severity: .info, subject: .cluster,
        message:
          "backup content unknown: the snapshot does not list the backups on \(names.joined(separator: ", ")); "
          + "missing or old backups cannot be judged (collect again with 'pvemend collect')",
        evidence: [
          "unread": .list(names), "read": .count(backups.read.count),
        ],
        remediation: .advice)
    ]
  }
}
