/// The audit rule ids a playbook may name under `actions` (the table in the project brief), and
/// which actions make sense for each.
extension FindingAction {
  /// Every audit rule id, sorted.
  package static let knownRules: [String] = [
    "backup.content-unknown", "backup.never", "backup.none", "backup.offsite",
    "backup.same-storage", "backup.stale", "backup.target-full", "backup.uncovered",
    "backup.unverified",
    "guest.too-many-vcpus", "ha.disarmed", "ha.distribution", "ha.error", "ha.failover-capacity",
    "ha.local-storage", "ha.orphan", "ha.unprotected", "node.imbalance", "node.memory",
    "node.offline", "node.overcommit", "node.small", "quorum.fragile", "quorum.lost",
    "snapshot.inconsistent", "storage.local-imbalance", "storage.single-server", "storage.usage",
  ]

  /// The rules this action can act on (`advise` and `ignore` fit every rule).
  package var applicableRules: [String] {
    switch self {
    case .enableHA: return ["ha.local-storage", "ha.unprotected"]
    case .rebalance:
      return [
        "ha.distribution", "ha.failover-capacity", "node.imbalance", "node.memory",
        "node.overcommit", "storage.local-imbalance",
      ]
    case .createBackupJob: return ["backup.none", "backup.offsite", "backup.uncovered"]
    case .advise, .ignore: return FindingAction.knownRules
    }
  }

  /// The actions that fit a rule, in declaration order.
  package static func applicable(to rule: String) -> [FindingAction] {
    allCases.filter { $0.applicableRules.contains(rule) }
  }
}
