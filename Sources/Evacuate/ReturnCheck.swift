import Audit
import PVEModel
import Planning
import Playbook

/// The return after maintenance checked again: every migration of an undo plan (`pvemend undo
/// JOURNAL` of an evacuation) against the hard limits of the cluster as it is now (a fresh
/// snapshot), each in the state the moves before it leave. Pure.
package enum ReturnCheck {
  /// The moves that would break a hard limit, in words (empty: every guest fits back).
  package static func violations(of undo: Plan, cluster: Cluster, policy: Policy) -> [String] {
    var moves = GuestMoves(
      cluster: relaxed(cluster, by: undo), policy: policy, emptying: [], maintenance: false)
    var out: [String] = []
    for step in undo.steps where step.commands.contains(where: \.isMigration) {
      guard let arrival = step.effects.first(where: { $0.kind == .guestOnNode }),
        let sid = arrival.sid, let node = arrival.node, let g = moves.guest(sid)
      else { continue }
      if g.node == node { continue }
      switch moves.landing(of: g, on: node) {
      case .success(let landing):
        moves.migrate(g, to: landing, reason: "return", why: "")
      case .failure(let block):
        out.append(
          "\(step.id): \(sid) (\(g.name)) back to \(node): \(block.reason) [\(block.limit)]")
      }
    }
    return out
  }

  /// The cluster with what the undo's other steps take away: maintenance mode ended (`pvemend
  /// evacuate --maintenance`), HA resources, groups and rules it removes (an undone `plan`). They
  /// only relax the limits, so they are taken first whatever their order in the undo.
  static func relaxed(_ cluster: Cluster, by undo: Plan) -> Cluster {
    var c = cluster
    var resources = Set<String>()
    var groups = Set<String>()
    var rules = Set<String>()
    for step in undo.steps {
      for command in step.commands where command.argv.first == "ha-manager" {
        let a = Array(command.argv.dropFirst())
        switch a.first {
        case "crm-command" where a.count >= 4 && a[1] == "node-maintenance" && a[2] == "disable":
          for i in c.nodes.indices where c.nodes[i].name == a[3] {
            c.nodes[i].haState = "online"
          }
        case "remove" where a.count >= 2: resources.insert(a[1])
        case "groupremove" where a.count >= 2: groups.insert(a[1])
        case "rules" where a.count >= 3 && a[1] == "remove": rules.insert(a[2])
        default: break
        }
      }
    }
    c.haResources.removeAll { resources.contains($0.sid) }
    for i in c.guests.indices where resources.contains(c.guests[i].sid) {
      c.guests[i].haState = nil
    }
    c.haGroups = c.haGroups?.filter { !groups.contains($0.id) }
    c.haRules = c.haRules?.filter { !rules.contains($0.id) }
    return c
  }

  /// `policy` loosened to what the nodes the guests return to carried before the undone run (its
  /// plan's `before` figures): an undo restores that state, so a node already over the vCPU
  /// ceiling or short of its memory reserve then is not refused for being so again, only for
  /// carrying more than then (something took the room meanwhile). Returns the policy and, when it
  /// loosened anything, the words that say so.
  package static func policy(_ policy: Policy, allowing before: Figures, undo: Plan) -> (
    Policy, String?
  ) {
    var targets = Set<String>()
    for step in undo.steps where step.commands.contains(where: \.isMigration) {
      for e in step.effects where e.kind == .guestOnNode { if let n = e.node { targets.insert(n) } }
    }
    var p = policy
    var words: [String] = []
    for f in before.nodes.sorted(by: { $0.node < $1.node }) where targets.contains(f.node) {
      if f.cores > 0 {
        let perCore = Double(f.vcpus) / Double(f.cores)
        if perCore > p.capacity.vcpuPerCore {
          p.capacity.vcpuPerCore = perCore
          words.append("\(f.node) ran \(Figure.fixed(perCore, 2)) vCPUs per core")
        }
      }
      let free = max(0, f.memoryTotal - f.memory)
      if free < p.capacity.memoryReserve {
        p.capacity.memoryReserve = free
        words.append("\(f.node) had \(ByteSize.binary(free)) left")
      }
    }
    return (
      p,
      words.isEmpty
        ? nil : "limits loosened to the state before the run (\(words.joined(separator: ", ")))"
    )
  }
}
