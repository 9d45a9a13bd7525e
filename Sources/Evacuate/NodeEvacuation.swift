import Audit
import Foundation
import PVEModel
import Planning
import Playbook

/// Plans emptying one node for maintenance. Pure: no I/O, no clock, no randomness.
///
/// Every guest on the node is checked once: a guest that cannot move at all (template, lock,
/// local devices, never_move, …) stays, with the reason and the choices left to the user; the
/// others are placed critical first, then running, then smallest claim (so the most guests keep
/// running), each on the survivor with the most headroom after the move that keeps every hard
/// limit in the cluster as it will be when that move runs; when that leaves a guest behind for want
/// of room, `EvacuationPlacement` tries other packings. Targets only gain load, so the limits hold
/// after every step in any order the executor runs them.
package enum NodeEvacuation {
  /// The plan that empties `node`. `maintenance` ends it with HA maintenance mode for the node
  /// (and lets HA guests leave a group or rule that prefers it: the CRM does not move them back
  /// while the node is in maintenance).
  package static func plan(
    snapshot: Snapshot, cluster: Cluster, policy: Policy, node: String, maintenance: Bool,
    playbookPath: String, playbookText: String
  ) throws(EvacuationError) -> Plan {
    guard let target = cluster.nodes.first(where: { $0.name == node }) else {
      throw .unknownNode(node, known: cluster.nodes.map(\.name))
    }
    var moves = GuestMoves(
      cluster: cluster, policy: policy, emptying: [node], maintenance: maintenance)
    let before = cluster.nodes.compactMap { moves.figures($0.name) }
    let reason = "evacuate/\(node)"
    var unresolved: [Unresolved] = []
    var staying: [String] = []
    func stay(_ g: Guest, _ limit: String, _ text: String) {
      staying.append(g.sid)
      unresolved.append(
        Unresolved(
          finding: g.sid, reason: "\(g.sid) (\(g.name)) stays on \(node): \(text)", limit: limit))
    }

    for g in cluster.guests where g.node == node && g.template {
      stay(g, "template", templateText(g, cluster: cluster, node: node))
    }
    let quorum = QuorumFigures(cluster)
    let known = cluster.name != nil || quorum.online < quorum.needed
    let noQuorum = !quorum.quorate && !quorum.standalone && known
    // Who gets the room first: critical guests (the playbook's `critical`), then running ones,
    // then the smallest memory claim (the most guests keep running through the window), by VMID.
    func rank(_ g: Guest) -> (Int, Int, Int64, Int) {
      (
        policy.criticality(of: g) == nil ? 1 : 0, g.isRunning ? 0 : 1,
        g.claimsCapacity ? g.memory : 0, g.vmid
      )
    }
    let guests = moves.guests(on: node).sorted { rank($0) < rank($1) }
    var movable: [Guest] = []
    for g in guests {
      if noQuorum {
        stay(
          g, "quorum",
          "the cluster is not quorate: /etc/pve is read-only and no migration can start; restore quorum (pvecm status) and plan again"
        )
        continue
      }
      if !target.online {
        stay(
          g, "nodes",
          "\(node) is offline: nothing can be migrated from it"
            + (moves.isHAManaged(g.sid)
              ? "; HA recovers this guest once the node is fenced" : "")
            + "; bring \(node) back online and plan again")
        continue
      }
      if let block = moves.movability(of: g) {
        stay(g, block.limit, block.reason + "; " + choices(block.limit, g, node: node))
        continue
      }
      movable.append(g)
    }
    let placed = EvacuationPlacement.place(
      movable, moves: moves, node: node, reason: reason,
      isCritical: { policy.criticality(of: $0) != nil })
    moves = placed.moves
    for (g, block) in placed.left {
      stay(
        g, block.limit,
        "no other node can take it: \(block.reason); " + choices(block.limit, g, node: node))
    }
    let oldest =
      cluster.nodes.compactMap(\.version).min { ($0.major, $0.minor) < ($1.major, $1.minor) }
      ?? cluster.version
    let knowsMaintenance = oldest.map { ($0.major, $0.minor) >= (7, 3) } ?? true
    if maintenance, !knowsMaintenance {
      unresolved.append(
        Unresolved(
          finding: "node-maintenance/\(node)",
          reason:
            "ha-manager crm-command node-maintenance needs pve-ha-manager 3.5 (PVE 7.3) or later, and a node runs \(oldest.map(\.description) ?? "?"); upgrade every node first, or plan without --maintenance",
          limit: "version"))
    }
    let disarm = cluster.haManager.disarm
    if maintenance, let disarm {
      unresolved.append(
        Unresolved(
          finding: "node-maintenance/\(node)",
          reason:
            "the HA stack is \(disarm.text): the CRM ignores node-maintenance requests until ha-manager crm-command arm-ha; re-arm first, or plan without --maintenance",
          limit: "ha-disarmed"))
    }
    if maintenance, knowsMaintenance, target.online, !noQuorum, disarm == nil {
      let left = staying.filter { sid in
        cluster.guest(sid: sid).map { !$0.template && $0.isHAManaged } ?? false
      }.sorted()
      moves.addFinalStep(
        kind: .nodeMaintenance, title: "Put \(node) in HA maintenance mode", reason: reason,
        commands: [
          RemoteCommand(
            node: node, argv: ["ha-manager", "crm-command", "node-maintenance", "enable", node],
            mutating: true)
        ],
        inverse: [
          RemoteCommand(
            node: node, argv: ["ha-manager", "crm-command", "node-maintenance", "disable", node],
            mutating: true)
        ],
        preconditions: [Condition(.nodeOnline, node: node)],
        detail:
          "the CRM keeps HA guests off \(node) until maintenance is disabled (pvemend undo does that first); needs pve-ha-manager 3.5 (PVE 7.3) or later"
          + (left.isEmpty
            ? ""
            : "; the CRM also tries to move the HA guests that stay: \(left.joined(separator: ", "))")
      )
    }

    let steps = moves.steps()
    let predicted = moves.cluster
    let beforeReport = AuditReport(cluster: cluster, policy: policy)
    let afterReport = AuditReport(cluster: predicted, policy: policy)
    unresolved.sort { $0.finding < $1.finding }
    var plan = Plan(
      drafting: snapshot, cluster: cluster, policy: policy, playbookPath: playbookPath,
      playbookText: playbookText, findings: [], steps: steps, unresolved: unresolved,
      before: Figures(
        score: beforeReport.overallScore, nodes: before, findings: beforeReport.findings.count),
      after: Figures(
        score: afterReport.overallScore,
        nodes: predicted.nodes.compactMap { moves.figures($0.name) },
        findings: afterReport.findings.count),
      summary: moves.summary(steps: steps, unresolved: unresolved.count))
    plan.limits = PlanLimits(policy.capacity)
    plan.evacuation = Evacuation(node: node, maintenance: maintenance, staying: staying.sorted())
    return plan
  }

  /// Whether the plan leaves `node` without a guest that runs or may run: only templates stay.
  package static func emptied(_ plan: Plan) -> Bool {
    plan.unresolved.allSatisfy {
      $0.limit == "template" || $0.finding.hasPrefix("node-maintenance/")
    }
  }

  /// What happens to a template on the node.
  static func templateText(_ g: Guest, cluster: Cluster, node: String) -> String {
    let local = g.disks.contains { d in
      guard let s = d.storage else { return true }
      return !(cluster.storages.first { $0.id == s }?.shared ?? false)
    }
    if local {
      return
        "it is a template with volumes on node-local storage, which cannot move; it never runs, so maintenance can go ahead, but it cannot be cloned until \(node) is back (or clone it to shared storage first)"
    }
    return
      "it is a template on shared storage; its configuration stays assigned to \(node), so it never runs and maintenance can go ahead, but it cannot be cloned until \(node) is back"
  }

  /// The choices left to the user when a guest cannot move for `limit`.
  static func choices(_ limit: String, _ g: Guest, node: String) -> String {
    let shutdown =
      g.isHAManaged
      ? "ha-manager set \(g.sid) --state stopped for the window"
      : "\(g.kind.cli) shutdown \(g.vmid) for the window"
    switch limit {
    case "never-move":
      return "choices: \(shutdown), or take it off migration.never_move and plan again"
    case "container-restart":
      return "choices: \(shutdown), or set migration.allow_container_restart: true and plan again"
    case "ha-disarmed":
      return
        "choices: re-arm the HA stack (ha-manager crm-command arm-ha) and plan again, or (resource mode ignore only) shut it down by hand for the window (\(g.kind.cli) shutdown \(g.vmid))"
    case "ha-placement":
      return
        "choices: \(shutdown), widen its HA group or rule, or plan with --maintenance when the group or rule prefers \(node)"
    case "memory", "cores", "vcpu-ceiling", "local-storage", "shared-storage", "keep-apart",
      "nodes":
      return "choices: \(shutdown), or free room on another node and plan again"
    default:
      if g.lock != nil {
        return
          "choices: wait for the task holding the lock (or clear it with \(g.kind.cli) unlock \(g.vmid)) and plan again, or \(shutdown)"
      }
      return "choices: \(shutdown), or remove what pins it to \(node) and plan again"
    }
  }
}

/// Why an evacuation cannot be planned at all.
package enum EvacuationError: Error, Sendable, Hashable, CustomStringConvertible {
  /// The node is not in the snapshot.
  case unknownNode(String, known: [String])

  package var description: String {
    switch self {
    case .unknownNode(let node, let known):
      return "no node '\(node)' in the snapshot; use one of: \(known.joined(separator: ", "))"
    }
  }
}
