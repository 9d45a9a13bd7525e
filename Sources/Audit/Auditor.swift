import PVEModel
import Playbook

/// Runs every audit rule over a cluster and returns the findings, most severe first.
package enum Auditor {
  /// Every rule, listed explicitly (one file each under `Rules/`).
  package static let allRules: [any AuditRule] = [
    HAUnprotected(),
    HALocalStorage(),
    HADistribution(),
    HAFailoverCapacity(),
    HAOrphan(),
    HAError(),
    HADisarmed(),
    NodeOvercommit(),
    NodeImbalance(),
    NodeMemory(),
    NodeOffline(),
    NodeSmall(),
    GuestTooManyVCPUs(),
    StorageUsage(),
    StorageSingleServer(),
    StorageLocalImbalance(),
    QuorumLost(),
    QuorumFragile(),
    BackupNone(),
    BackupUncovered(),
    BackupOffsite(),
    BackupTargetFull(),
    BackupContentUnknown(),
    BackupNever(),
    BackupStale(),
    BackupSameStorage(),
    BackupUnverified(),
    RestoreFailed(),
    SnapshotInconsistent(),
  ]

  package static func findings(in cluster: Cluster, policy: Policy) -> [Finding] {
    findings(in: AuditContext(cluster: cluster, policy: policy))
  }

  /// The findings of every rule over one shared index of the cluster.
  package static func findings(in context: AuditContext) -> [Finding] {
    allRules.flatMap { rule in
      if let indexed = rule as? any IndexedAuditRule { return indexed.findings(in: context) }
      return rule.findings(in: context.cluster, policy: context.policy)
    }.sorted()
  }

  /// The rule type with this id, if any.
  package static func rule(_ id: String) -> (any AuditRule.Type)? {
    allRules.first { type(of: $0).id == id }.map { type(of: $0) }
  }

  /// The score category of a rule id (`.haConfiguration` for unknown ids never happens: every
  /// finding comes from a listed rule).
  package static func category(of ruleID: String) -> ScoreCategory? { rule(ruleID)?.category }

  /// The one-line advice of a rule id.
  package static func advice(for ruleID: String) -> String? {
    (rule(ruleID) as? any IndexedAuditRule.Type)?.advice
  }
}
