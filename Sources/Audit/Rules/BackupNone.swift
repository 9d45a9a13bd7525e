import PVEModel
import Playbook

/// Detects: the cluster has guests but no enabled backup job (`/cluster/backup`), so any lost
/// volume is lost for good.
/// Remediation: create a backup job (`pvesh create /cluster/backup`) per the playbook's backup policy.
package struct BackupNone: IndexedAuditRule {
  package static let id = "backup.none"
  package static let category = ScoreCategory.disasterRecovery
  package static let advice = "Create a scheduled backup job for all guests"

  package init() {}

  package func findings(in context: AuditContext) -> [Finding] {
    let jobs = context.cluster.backupJobs
    guard !context.guests.isEmpty, !jobs.contains(where: \.enabled) else { return [] }
    return [
      Finding(
        rule: Self.id, severity: .critical, subject: .cluster,
        message:
          "no enabled backup job: \(context.guests.count) guest(s) have no backup \(jobs.isEmpty ? "(no job defined)" : "(\(jobs.count) job(s) defined, all disabled)")",
        evidence: ["guests": .count(context.guests.count), "jobs": .count(jobs.count)],
        remediation: .createBackupJob)
    ]
  }
}
