import PVEModel
import Playbook

/// Detects: a storage that an enabled backup job writes to is used above
/// `policy.capacity.storageWarn` (high above `storageCritical`); for a local target the fullest node
/// counts. Backups start failing when it fills.
/// Remediation: prune old backups, tighten retention, or grow the target (advice).
package struct BackupTargetFull: IndexedAuditRule {
  package static let id = "backup.target-full"
  package static let category = ScoreCategory.disasterRecovery
  package static let advice = "Prune or grow backup targets before they fill"

  package init() {}

  package func findings(in context: AuditContext) -> [Finding] {
    var jobsByTarget: [String: [String]] = [:]
    for job in context.cluster.backupJobs where job.enabled {
      jobsByTarget[job.storage ?? "local", default: []].append(job.id)
    }
    let warn = context.policy.capacity.storageWarn
    let critical = context.policy.capacity.storageCritical
    var fullest: [String: PoolFigures] = [:]
    for p in context.poolFigures where jobsByTarget[p.storage] != nil {
      if let f = fullest[p.storage], f.usage >= p.usage { continue }
      fullest[p.storage] = p
    }
    return jobsByTarget.keys.sorted().compactMap { id in
      guard let p = fullest[id], p.usage >= warn else { return nil }
      let jobs = (jobsByTarget[id] ?? []).sorted()
      let where_ = p.node.map { " on \($0)" } ?? ""
      return Finding(
        rule: Self.id, severity: p.usage >= critical ? .high : .medium,
        subject: Subject(kind: .storage, id: id),
        message:
          "backup target \(id)\(where_) is \(Figure.percent(p.usage)) full (\(ByteSize.decimal(p.available)) free) and job(s) \(jobs.joined(separator: ", ")) write to it",
        evidence: [
          "usage": .ratio(p.usage), "used": .bytes(p.used), "total": .bytes(p.total),
          "available": .bytes(p.available), "jobs": .list(jobs), "warn": .ratio(warn),
        ],
        remediation: .advice)
    }
  }
}
