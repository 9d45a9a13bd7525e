import PVEModel
import Playbook

/// Detects: a storage that an enabled backup job writes to is used above
/// `policy.capacity.storageWarn` (high above `storageCritical`); for a local target the fullest node
/// counts. Backups start failing when it fills. A target that cannot take backups at all — not
/// defined in `/storage`, disabled, or inactive on every node that reports it (an unreachable
/// PBS reports 0 bytes) — is found too, as high: every run of its jobs fails.
/// Remediation: prune old backups, tighten retention, or grow the target; repair or replace an
/// unusable target (advice).
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
      if let unusable = Self.unusable(id, context) {
        let jobs = (jobsByTarget[id] ?? []).sorted()
        return Finding(
          rule: Self.id, severity: .high, subject: Subject(kind: .storage, id: id),
          message:
            "backup target \(id) \(unusable) and job(s) \(jobs.joined(separator: ", ")) write to it: every run fails",
          evidence: ["jobs": .list(jobs), "usable": .bool(false), "why": .text(unusable)],
          remediation: .advice)
      }
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

  /// Why a backup target cannot take backups, or nil when it can (or nothing is known about it).
  static func unusable(_ id: String, _ context: AuditContext) -> String? {
    guard let storage = context.storageByID[id] else { return "is not defined in /storage" }
    if storage.disabled { return "is disabled" }
    guard !storage.perNode.isEmpty, !storage.perNode.contains(where: { $0.active && $0.enabled })
    else { return nil }
    return "is inactive on every node that reports it (\(ByteSize.decimal(storage.total)) total)"
  }
}
