import PVEModel
import Playbook

/// Detects: a storage pool used above `policy.capacity.storageWarn` (medium) or `storageCritical`
/// (high). Shared pools are judged once; local pools per node (subject `local-lvm@proxmox`).
/// Remediation: free space, grow the pool, or move volumes elsewhere (advice).
package struct StorageUsage: IndexedAuditRule {
  package static let id = "storage.usage"
  package static let category = ScoreCategory.storageHealth
  package static let advice = "Free space on or grow the storage pools that are nearly full"

  package init() {}

  package func findings(in context: AuditContext) -> [Finding] {
    let warn = context.policy.capacity.storageWarn
    let critical = context.policy.capacity.storageCritical
    return context.poolFigures.compactMap { p in
      guard p.usage >= warn else { return nil }
      let where_ = p.node.map { " on \($0)" } ?? ""
      return Finding(
        rule: Self.id, severity: p.usage >= critical ? .high : .medium,
        subject: Subject(kind: .storage, id: p.key),
        message:
          "\(p.storage)\(where_) is \(Figure.percent(p.usage)) full (\(ByteSize.decimal(p.used)) of \(ByteSize.decimal(p.total))); warning at \(Figure.wholePercent(warn)), critical at \(Figure.wholePercent(critical))",
        evidence: [
          "used": .bytes(p.used), "total": .bytes(p.total), "available": .bytes(p.available),
          "usage": .ratio(p.usage), "warn": .ratio(warn), "critical": .ratio(critical),
        ],
        remediation: .advice)
    }
  }
}
