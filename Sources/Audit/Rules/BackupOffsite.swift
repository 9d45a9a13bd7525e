import PVEModel
import Playbook

/// Detects: backups (if any) land in fewer than two places: the enabled jobs' target storages
/// resolve to at most one location (a server, or the storage id when it has none), so one failure
/// takes the guests and their backups together. A job without `storage` targets `local`.
/// Remediation: add a second target on another server or offsite (PBS sync, second job) (advice).
package struct BackupOffsite: IndexedAuditRule {
  package static let id = "backup.offsite"
  package static let category = ScoreCategory.disasterRecovery
  package static let advice = "Copy backups to a second target on another server or offsite"

  package init() {}

  package func findings(in context: AuditContext) -> [Finding] {
    guard !context.guests.isEmpty else { return [] }
    let targets = Set(context.cluster.backupJobs.filter(\.enabled).map { $0.storage ?? "local" })
    let locations = Set(targets.map { context.storageByID[$0]?.server ?? $0 })
    guard locations.count < 2 else { return [] }
    let message =
      targets.isEmpty
      ? "no backup target at all, so no second or offsite copy"
      : "all backups go to one place (\(locations.sorted().joined(separator: ", "))); no second or offsite copy"
    return [
      Finding(
        rule: Self.id, severity: .medium, subject: .cluster, message: message,
        evidence: ["targets": .list(targets.sorted()), "locations": .list(locations.sorted())],
        remediation: .advice)
    ]
  }
}
