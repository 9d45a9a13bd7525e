import PVEModel
import Playbook

/// Detects: a guest whose every backup archive sits where its own disks are, so one failure loses
/// the guest and its backups: the same shared server (or shared storage without a server), or, for
/// node-local storage, the same node. Judged only when the snapshot lists every backup storage.
/// Remediation: back the guest up to another server or offsite (advice).
package struct BackupSameStorage: IndexedAuditRule {
  package static let id = "backup.same-storage"
  package static let category = ScoreCategory.disasterRecovery
  package static let advice =
    "Keep a backup of these guests away from the storage that holds their disks"

  package init() {}

  /// Where a storage's data physically is, as seen from `node`.
  static func location(_ storage: String, node: String, _ context: AuditContext) -> String {
    guard let s = context.storageByID[storage] else { return "node \(node)" }
    if s.shared { return s.server.map { "server \($0)" } ?? "storage \(storage)" }
    return "node \(node)"
  }

  package func findings(in context: AuditContext) -> [Finding] {
    let backups = context.cluster.backups
    guard backups.complete else { return [] }
    var byVMID: [Int: [BackupArchive]] = [:]
    for a in backups.archives { if let v = a.vmid { byVMID[v, default: []].append(a) } }
    return context.guests.compactMap { g in
      let mine = (byVMID[g.vmid] ?? []).filter { $0.kind == nil || $0.kind == g.kind }
      guard !mine.isEmpty else { return nil }
      let disks = Set(
        g.disks.compactMap { d in d.storage.map { Self.location($0, node: g.node, context) } })
      let places = Set(mine.map { Self.location($0.storage, node: $0.node, context) })
      guard !disks.isEmpty, places.isSubset(of: disks) else { return nil }
      let where_ = places.sorted().joined(separator: ", ")
      return Finding(
        rule: Self.id, severity: context.severity(of: g, fallback: .medium), subject: .guest(g),
        message:
          "\(AuditContext.label(g)): all \(mine.count) backup(s) are on \(where_), where its disks are too; one failure loses both",
        evidence: [
          "backupStorages": .list(Set(mine.map(\.storage)).sorted()),
          "diskStorages": .list(Set(g.disks.compactMap(\.storage)).sorted()),
          "locations": .list(places.sorted()),
        ],
        remediation: .advice)
    }
  }
}
