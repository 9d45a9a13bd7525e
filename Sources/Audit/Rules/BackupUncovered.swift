import PVEModel
import Playbook

/// Detects: a guest no enabled backup job covers, judged with `BackupJob.covers` (all, vmid,
/// exclude, pool, node, enabled). Reported only when some job is enabled (otherwise `backup.none`
/// says it once); templates and guests the policy's `backup.exclude` leaves out are skipped.
/// Remediation: add the guest to a job or create one (`create-backup-job`).
package struct BackupUncovered: IndexedAuditRule {
  package static let id = "backup.uncovered"
  package static let category = ScoreCategory.disasterRecovery
  package static let advice = "Add the guests that no backup job covers to a job"

  package init() {}

  package func findings(in context: AuditContext) -> [Finding] {
    let coverage = BackupCoverage(context)
    guard coverage.enabledJobs > 0 else { return [] }
    return context.guests.compactMap { g in
      guard !coverage.isCovered(g), !coverage.excludedByPolicy.contains(g.sid) else { return nil }
      return Finding(
        rule: Self.id, severity: context.severity(of: g, fallback: .medium), subject: .guest(g),
        message:
          "\(AuditContext.label(g)) on \(g.node) is in none of the \(coverage.enabledJobs) enabled backup job(s)",
        evidence: [
          "node": .text(g.node), "enabledJobs": .count(coverage.enabledJobs),
          "pool": .text(g.pool ?? ""),
        ],
        remediation: .createBackupJob)
    }
  }
}
