import PVEModel

/// A part of the cluster's state that a condition depends on: what the executor must read (fresh)
/// to decide whether the condition holds. Pure.
///
/// Each fact is one API path (or one guest's config); `Condition.holds(in:)` reads nothing else of
/// the `Cluster` for that condition, so a `Cluster` derived with just these paths fresh (the rest
/// last-known) decides it exactly as a full collection would.
package enum ClusterFact: Sendable, Hashable, Comparable {
  /// `/cluster/resources`: guest placement and run status, node status, `hastate`.
  case resources
  /// `/cluster/status`: membership (a node's `online`).
  case membership
  /// `/cluster/ha/resources`: HA resources, their request state and group.
  case haResources
  /// `/cluster/ha/status/current`: the CRM's live state of each service.
  case haStatus
  /// `/cluster/ha/groups` (PVE 8, unmigrated PVE 9).
  case haGroups
  /// `/cluster/ha/rules` (PVE 9).
  case haRules
  /// `/cluster/backup`.
  case backupJobs
  /// One guest's config (`vm:101`): its volumes.
  case guestConfig(String)

  /// The API path of a cluster-wide fact; nil for a guest config (its path depends on the node).
  package var path: String? {
    switch self {
    case .resources: "/cluster/resources"
    case .membership: "/cluster/status"
    case .haResources: "/cluster/ha/resources"
    case .haStatus: "/cluster/ha/status/current"
    case .haGroups: Snapshot.haGroupsPath
    case .haRules: Snapshot.haRulesPath
    case .backupJobs: "/cluster/backup"
    case .guestConfig: nil
    }
  }

  /// Facts that change by themselves while a step waits (the CRM moving a service, a migration
  /// finishing): what polls read.
  package var isAsynchronous: Bool { self == .resources || self == .haStatus }

  /// Every fact of a cluster except guest configs.
  package static let clusterWide: Set<ClusterFact> = [
    .resources, .membership, .haResources, .haStatus, .haGroups, .haRules, .backupJobs,
  ]
}

extension Condition {
  /// The facts `holds(in:)` and `observation(in:)` read for this condition.
  package var facts: Set<ClusterFact> {
    switch kind {
    case .guestOnNode, .guestStatus: return [.resources]
    case .haManaged, .haNotManaged, .haInGroup: return [.haResources]
    case .haSettled: return Condition.liveHAStateFacts
    case .haRulePresent, .haRuleAbsent: return [.haRules]
    case .haGroupPresent, .haGroupAbsent: return [.haGroups]
    case .backupJobPresent, .backupJobAbsent: return [.backupJobs]
    case .volumeOnStorage:
      // The guest is found by sid in /cluster/resources, its volumes in its config.
      return sid.map { [.resources, .guestConfig($0)] } ?? [.resources]
    case .nodeOnline: return [.resources, .membership]
    case .guestAbsent: return [.resources]
    case .networkCut: return sid.map { [.resources, .guestConfig($0)] } ?? [.resources]
    }
  }

  /// What `liveHAState` reads: the CRM status, else the guest's `hastate`, else the resource.
  package static let liveHAStateFacts: Set<ClusterFact> = [.haStatus, .resources, .haResources]
}

extension Wait {
  /// The facts the executor reads to decide whether the wait is over (guest on its node, HA state).
  package var facts: Set<ClusterFact> {
    if kind == Wait.agentPing { return Condition(.guestOnNode, sid: sid, node: node).facts }
    return Condition(.guestOnNode, sid: sid, node: node).facts.union(Condition.liveHAStateFacts)
  }
}

extension Step {
  /// Facts to read before the step runs: its preconditions and effects (satisfied or stale).
  package var checkFacts: Set<ClusterFact> {
    (preconditions + effects).reduce(into: Set()) { $0.formUnion($1.facts) }
  }

  /// Facts to read after its commands: its effects and its wait, and the live HA state of the
  /// services it touches (an HA `error` fails the step at once).
  package var verifyFacts: Set<ClusterFact> {
    var facts = effects.reduce(into: Set<ClusterFact>()) { $0.formUnion($1.facts) }
    if let wait { facts.formUnion(wait.facts) }
    if effects.contains(where: { [.haSettled, .haManaged, .guestOnNode].contains($0.kind) })
      || wait != nil
    {
      facts.formUnion(Condition.liveHAStateFacts)
    }
    return facts
  }
}

extension Plan {
  /// Everything the check before a run reads: the union of every step's preconditions and
  /// effects (`PlanCheck` reads nothing else).
  package var checkFacts: Set<ClusterFact> {
    steps.reduce(into: Set()) { $0.formUnion($1.checkFacts) }
  }
}
