import Audit
import PVEModel
import Playbook

/// Moves members of a keep-apart set off nodes that run more than one of them.
struct KeepApartPhase: PlanPhase {
  func run(_ s: inout PlanState) {
    let online = s.sim.onlineNodes.count
    for set in s.sim.keepApart {
      let reason = "keep-apart/\(set.name)"
      if set.sids.count > online {
        s.markUnresolved(
          reason,
          "keep-apart set '\(set.name)' has \(set.sids.count) guests but the cluster has \(online) online nodes",
          limit: "nodes")
        continue
      }
      var byNode: [String: [Guest]] = [:]
      for sid in set.sids { if let g = s.sim.guest(sid) { byNode[g.node, default: []].append(g) } }
      for node in byNode.keys.sorted() {
        guard let members = byNode[node], members.count > 1 else { continue }
        // Keep the one that is dearest to move; move the others, cheapest first.
        let ranked = members.sorted { (s.moveCost($0), $0.vmid) < (s.moveCost($1), $1.vmid) }
        for g in ranked.dropLast() {
          guard let current = s.sim.guest(g.sid) else { continue }
          let ids = set.sids.compactMap { s.findingID("ha.unprotected", $0) }
          if !s.mayMove {
            s.markUnresolved(reason, s.moveLimitText, limit: "move-limit")
            break
          }
          if let blocker = s.sim.movability(of: current) {
            s.markUnresolved(
              reason, "\(set.sids.joined(separator: ", ")) share \(node): \(blocker.text)",
              limit: blocker.limit)
            continue
          }
          switch s.sim.bestLanding(of: current) {
          case .success(let landing):
            s.addMigration(
              current, landing, phase: .keepApart, reasons: [reason] + ids,
              why:
                "keep-apart set '\(set.name)': \(set.sids.joined(separator: ", ")) must run on different nodes"
            )
          case .failure(let blocker):
            s.markUnresolved(
              reason,
              "\(set.sids.joined(separator: ", ")) share \(node); no node can take \(current.sid): \(blocker.text)",
              limit: blocker.limit)
          }
        }
      }
    }
  }
}
