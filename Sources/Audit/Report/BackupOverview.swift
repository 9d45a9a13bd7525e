import PVEModel

/// Section 8: the backup jobs, which guests they cover, and whether backups leave the building.
package struct BackupOverview: Sendable, Codable, Hashable {
  /// One vzdump job.
  package struct Job: Sendable, Codable, Hashable {
    package var id: String
    package var enabled: Bool
    package var schedule: String?
    package var storage: String
    /// `all`, `all except 101, 102`, `vmid 100, 101`, `pool prod`, plus ` on node X`.
    package var selection: String
    package var mode: String?
    /// `keep-daily=7, keep-weekly=4`, sorted by key.
    package var retention: String
    /// Guests it covers now.
    package var guests: Int
  }

  /// A guest no enabled job covers.
  package struct Uncovered: Sendable, Codable, Hashable {
    package var sid: String
    package var name: String
    package var node: String
  }

  package var jobs: [Job]
  package var guests: Int
  package var covered: Int
  package var uncovered: [Uncovered]
  /// Guests the policy excludes from backup on purpose.
  package var excludedByPolicy: Int
  /// Target storages of the enabled jobs.
  package var targets: [String]
  /// Whether the enabled jobs write to at least two locations (servers).
  package var secondCopy: Bool

  init(context: AuditContext) {
    let coverage = BackupCoverage(context)
    var perJob: [String: Int] = [:]
    for ids in coverage.jobsBySID.values { for id in ids { perJob[id, default: 0] += 1 } }
    jobs = context.cluster.backupJobs.map { j in
      var selection: String
      if !j.vmids.isEmpty {
        selection = "vmid " + j.vmids.map(String.init).joined(separator: ", ")
      } else if let pool = j.pool {
        selection = "pool \(pool)"
      } else if j.all {
        selection = "all"
      } else {
        selection = "nothing"
      }
      if !j.exclude.isEmpty && j.vmids.isEmpty {
        selection += " except " + j.exclude.map(String.init).joined(separator: ", ")
      }
      if let node = j.node { selection += " on node \(node)" }
      return Job(
        id: j.id, enabled: j.enabled, schedule: j.schedule, storage: j.storage ?? "local",
        selection: selection, mode: j.mode,
        retention: j.pruneBackups.keys.sorted().map { "\($0)=\(j.pruneBackups[$0] ?? "")" }.joined(
          separator: ", "),
        guests: perJob[j.id] ?? 0)
    }
    guests = context.guests.count
    covered = context.guests.filter { coverage.isCovered($0) }.count
    uncovered = context.guests.filter {
      !coverage.isCovered($0) && !coverage.excludedByPolicy.contains($0.sid)
    }.map { Uncovered(sid: $0.sid, name: $0.name, node: $0.node) }
    excludedByPolicy = coverage.excludedByPolicy.count
    let targetSet = Set(context.cluster.backupJobs.filter(\.enabled).map { $0.storage ?? "local" })
    targets = targetSet.sorted()
    secondCopy = Set(targetSet.map { context.storageByID[$0]?.server ?? $0 }).count >= 2
  }
}
