import PVEModel

/// Which enabled backup jobs cover each guest, decided by `BackupJob.covers` (all, vmid, exclude,
/// pool, node and enabled honoured), and which guests the policy excludes from backup on purpose.
package struct BackupCoverage: Sendable, Hashable {
  /// Sid → ids of the enabled jobs that back it up (sorted). Guests in no job are absent.
  package var jobsBySID: [String: [String]]
  /// Sids the policy's `backup.exclude` selectors leave out on purpose.
  package var excludedByPolicy: Set<String>
  /// Number of enabled jobs.
  package var enabledJobs: Int

  /// Candidates are found through the context's indexes (by VMID, pool or node), so the cost is
  /// the size of each job's selection, not jobs × guests.
  package init(_ context: AuditContext) {
    var jobs: [String: [String]] = [:]
    var enabled = 0
    for job in context.cluster.backupJobs where job.enabled {
      enabled += 1
      let candidates: [Guest]
      if !job.vmids.isEmpty {
        candidates = Set(job.vmids).sorted().flatMap { context.guestsByVMID[$0] ?? [] }
      } else if let pool = job.pool {
        candidates = context.guestsByPool[pool] ?? []
      } else if let node = job.node {
        candidates = context.guests(on: node)
      } else {
        candidates = context.guests
      }
      let listed = Set(job.vmids)
      let excluded = Set(job.exclude)
      for g in candidates {
        // `covers` is the one definition of coverage; it scans the job's VMID lists. Ask it about
        // a copy whose lists are cut down to this guest's VMID (same answer), so long lists cost
        // O(1) per guest instead of O(list).
        var probe = job
        probe.vmids = job.vmids.isEmpty ? [] : (listed.contains(g.vmid) ? [g.vmid] : [Self.noVMID])
        probe.exclude = excluded.contains(g.vmid) ? [g.vmid] : []
        if probe.covers(g) { jobs[g.sid, default: []].append(job.id) }
      }
    }
    for key in jobs.keys { jobs[key]?.sort() }
    jobsBySID = jobs
    enabledJobs = enabled
    var excluded = Set<String>()
    let selectors = context.policy.backup.exclude
    if !selectors.isEmpty {
      for g in context.guests where selectors.contains(where: { $0.matches(g) }) {
        excluded.insert(g.sid)
      }
    }
    excludedByPolicy = excluded
  }

  /// A VMID no guest has (Proxmox VMIDs start at 100).
  static let noVMID = -1

  package func isCovered(_ guest: Guest) -> Bool { jobsBySID[guest.sid] != nil }
}
