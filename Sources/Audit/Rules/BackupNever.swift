import PVEModel
import Playbook

/// Detects: a guest with no backup archive on any backup storage, judged only when the snapshot
/// lists every backup storage (`Cluster.backups.complete`). Templates and guests the policy's
/// `backup.exclude` leaves out are skipped, and so are guests no enabled job covers while some job
/// is enabled (`backup.uncovered` says that); when no job is enabled and no archive exists at all,
/// `backup.none` says it once instead.
/// Remediation: make sure a job covers the guest and runs (advice).
package struct BackupNever: IndexedAuditRule {
  package static let id = "backup.never"
  package static let category = ScoreCategory.disasterRecovery
  package static let advice =
    "Back up the guests that have no backup at all, and check the job runs"

  package init() {}

  package func findings(in context: AuditContext) -> [Finding] {
    let backups = context.cluster.backups
    guard backups.complete else { return [] }
    let coverage = BackupCoverage(context)
    guard coverage.enabledJobs > 0 || !backups.archives.isEmpty else { return [] }
    var byVMID: [Int: [BackupArchive]] = [:]
    for a in backups.archives { if let v = a.vmid { byVMID[v, default: []].append(a) } }
    return context.guests.compactMap { g in
      guard !coverage.excludedByPolicy.contains(g.sid) else { return nil }
      let mine = (byVMID[g.vmid] ?? []).filter { $0.kind == nil || $0.kind == g.kind }
      guard mine.isEmpty else { return nil }
      let all = coverage.jobsBySID[g.sid] ?? []
      let jobs = all.filter { !backups.unrunJobs.contains($0) }
      // In no job while others run: `backup.uncovered` says it; only in jobs that have not run
      // yet (a plan's prediction): nothing to say.
      guard !jobs.isEmpty || (coverage.enabledJobs == 0 && all.isEmpty) else { return nil }
      let why =
        jobs.isEmpty
        ? "and no backup job is enabled"
        : "although job(s) \(jobs.joined(separator: ", ")) cover it: check that they run"
      return Finding(
        rule: Self.id, severity: context.severity(of: g, fallback: .medium), subject: .guest(g),
        message:
          "\(AuditContext.label(g)) on \(g.node) has never been backed up (no archive on \(backups.read.count) backup storage listing(s)) \(why)",
        evidence: ["node": .text(g.node), "jobs": .list(jobs)],
        remediation: .advice)
    }
  }
}
