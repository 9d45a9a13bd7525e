import Audit
import PVEModel
import Playbook

/// Gives every online node that would end without HA guests (while others have some) one,
/// moving a (future) HA guest from a node that has two or more (`ha.spread`).
struct SpreadPhase: PlanPhase {
  func run(_ s: inout PlanState) {
    guard s.policy.ha.spread, s.policy.action(for: "ha.distribution") != .ignore else { return }
    for f in s.findings
    where f.rule == "ha.distribution" && s.sim.load(f.subject.id)?.online != true {
      s.markUnresolved(f.id, "\(f.subject.id) is not an online node", limit: "nodes")
    }
    // Every online node that ends without HA guests, flagged by the audit or left so by the moves
    // above (planning again must find nothing to spread).
    let empty = s.sim.onlineNodes.map(\.name).filter { s.haCount($0) == 0 }
    guard empty.count < s.sim.onlineNodes.count else { return }
    for node in empty {
      let id = "ha.distribution/\(node)"
      if !s.mayMove {
        if s.findingByID[id] != nil { s.markUnresolved(id, s.moveLimitText, limit: "move-limit") }
        continue
      }
      let donors = Set(s.sim.onlineNodes.map(\.name).filter { s.haCount($0) >= 2 })
      // Guests this plan moved already may move on (never back where they came from): planning
      // again on the predicted state must find nothing more to do.
      let candidates = s.sim.cluster.guests.filter { g in
        donors.contains(g.node) && (s.haPlanned[g.sid] != nil || s.sim.isHAManaged(g.sid))
          && s.originalNode[g.sid] != node && s.sim.movability(of: g) == nil
      }.sorted { a, b in
        // Guests not moved yet first: a moved one changes its target instead (moves once).
        let ma = s.moved.contains(a.sid) ? 1 : 0
        let mb = s.moved.contains(b.sid) ? 1 : 0
        let pa = s.haPlanned[a.sid] != nil ? 0 : 1
        let pb = s.haPlanned[b.sid] != nil ? 0 : 1
        return (ma, pa, s.moveCost(a), a.vmid) < (mb, pb, s.moveCost(b), b.vmid)
      }
      var closest: (Guest, Blocker)?
      var placed = false
      for g in candidates {
        switch s.sim.landing(of: g, on: node) {
        case .success(let landing):
          let why = "\(node) carries no HA guest; \(g.sid) becomes its first"
          if s.moved.contains(g.sid) {
            guard s.retarget(g, landing, phase: .spread, reasons: [id], why: why) else {
              continue
            }
          } else {
            s.addMigration(g, landing, phase: .spread, reasons: [id], why: why)
          }
          closest = nil
          placed = true
        case .failure(let b):
          if closest == nil || b.shortfall < (closest?.1.shortfall ?? .infinity) {
            closest = (g, b)
          }
        }
        if placed { break }
      }
      if !placed, s.findingByID[id] != nil {
        if let (g, b) = closest {
          s.markUnresolved(
            id, "no HA guest can move to \(node): \(s.label(g)): \(b.text)",
            limit: b.limit)
        } else {
          s.markUnresolved(
            id, "no node has two HA guests that could move to \(node)", limit: "nodes")
        }
      }
    }
  }
}
