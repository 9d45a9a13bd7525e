import PVEModel
import Playbook

/// Detects: a guest whose newest backup is older than its jobs' schedule allows: the longest gap
/// between two runs of the most frequent enabled job covering it (`BackupSchedule.interval`) plus
/// one day of slack, measured at the snapshot's `collectedAt`. Judged only when the snapshot lists
/// every backup storage; guests without any archive are `backup.never`'s.
/// Remediation: find out why the job fails for the guest (task log) (advice).
package struct BackupStale: IndexedAuditRule {
  package static let id = "backup.stale"
  package static let category = ScoreCategory.disasterRecovery
  package static let advice = "Find out why the backup job no longer backs up these guests"
  /// Slack on top of the schedule's interval: a run may be late or long.
  package static let slack: Int64 = 86_400

  package init() {}

  package func findings(in context: AuditContext) -> [Finding] {
    let backups = context.cluster.backups
    guard backups.complete, let now = BackupSchedule.epoch(context.cluster.collectedAt) else {
      return []
    }
    let coverage = BackupCoverage(context)
    var jobByID: [String: BackupJob] = [:]
    for j in context.cluster.backupJobs { jobByID[j.id] = j }
    var byVMID: [Int: [BackupArchive]] = [:]
    for a in backups.archives { if let v = a.vmid { byVMID[v, default: []].append(a) } }
    return context.guests.compactMap { g in
      guard let jobs = coverage.jobsBySID[g.sid] else { return nil }
      let intervals = jobs.filter { !backups.unrunJobs.contains($0) }.compactMap { id in
        jobByID[id]?.schedule.flatMap(BackupSchedule.interval).map { (id, $0) }
      }
      guard let (job, interval) = intervals.min(by: { ($0.1, $0.0) < ($1.1, $1.0) }) else {
        return nil
      }
      let mine = (byVMID[g.vmid] ?? []).filter { $0.kind == nil || $0.kind == g.kind }
      guard let newest = mine.first, let ctime = newest.ctime else { return nil }
      let age = now - ctime
      let allowed = interval + Self.slack
      guard age > allowed else { return nil }
      return Finding(
        rule: Self.id, severity: context.severity(of: g, fallback: .medium), subject: .guest(g),
        message:
          "\(AuditContext.label(g)) on \(g.node): newest backup is \(Elapsed.age(age)) old, "
          + "but job \(job) (schedule '\(jobByID[job]?.schedule ?? "")') should leave at most \(Elapsed.age(allowed))",
        evidence: [
          "newest": .text(newest.volid), "ageSeconds": .int(age), "allowedSeconds": .int(allowed),
          "job": .text(job),
        ],
        remediation: .advice)
    }
  }
}
