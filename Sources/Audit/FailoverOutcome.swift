import PVEModel

/// What HA does with one node's guests if that node fails: where each restarts, and which find no room.
///
/// The survivors are the other online nodes. A guest fits a survivor when its vCPUs are at most the
/// survivor's cores and its memory fits in the survivor's total − policy reserve − memory already
/// promised to running and onboot guests. Guests are placed largest memory first on the allowed
/// survivor with most free memory (what HA's static load scheduler does); a restricted HA group or a
/// strict node-affinity rule limits the allowed survivors.
package struct FailoverOutcome: Sendable, Codable, Hashable {
  /// Where one HA guest would restart.
  package struct Placement: Sendable, Codable, Hashable {
    package var sid: String
    package var node: String
  }

  /// The failing node.
  package var node: String
  /// Sids of the node's HA guests that HA recovers (requested state `started`), by VMID.
  package var haGuests: [String]
  package var haVCPUs: Int
  package var haMemory: Int64
  /// Number of surviving online nodes.
  package var survivors: Int
  /// Free memory on the survivors before recovery (after reserve and promised guests), bytes.
  package var survivorFreeMemory: Int64
  /// Where each placeable HA guest restarts, by sid.
  package var placements: [Placement]
  /// HA guests no survivor can take, by sid.
  package var unplaced: [String]

  package var fits: Bool { unplaced.isEmpty }
}

extension AuditContext {
  /// Simulates the failure of `node` (see `FailoverOutcome`). O(h·n) for h HA guests on the node.
  package func failover(of node: Node) -> FailoverOutcome {
    let ha = guests(on: node.name).filter { isHARecovered($0) }
    var survivors: [(node: Node, free: Int64)] = onlineNodes.filter { $0.name != node.name }.map {
      ($0, memoryBudget(of: $0) - (claimedMemory[$0.name] ?? 0))
    }
    let freeBefore = survivors.reduce(Int64(0)) { $0 + max($1.free, 0) }
    let order = ha.sorted { ($1.memory, $1.vcpus, $0.vmid) < ($0.memory, $0.vcpus, $1.vmid) }
    var placements: [FailoverOutcome.Placement] = []
    var unplaced: [String] = []
    for g in order {
      let allowed = haAllowedNodes[g.sid]
      var best: Int?
      for (i, s) in survivors.enumerated() {
        if let allowed, !allowed.contains(s.node.name) { continue }
        guard s.node.cores >= g.vcpus, s.free >= g.memory else { continue }
        if let b = best, survivors[b].free >= s.free { continue }
        best = i
      }
      if let b = best {
        survivors[b].free -= g.memory
        placements.append(.init(sid: g.sid, node: survivors[b].node.name))
      } else {
        unplaced.append(g.sid)
      }
    }
    let vmidOf = Dictionary(ha.map { ($0.sid, $0.vmid) }, uniquingKeysWith: { a, _ in a })
    func byVMID(_ a: String, _ b: String) -> Bool { (vmidOf[a] ?? 0, a) < (vmidOf[b] ?? 0, b) }
    return FailoverOutcome(
      node: node.name, haGuests: ha.map(\.sid), haVCPUs: ha.reduce(0) { $0 + $1.vcpus },
      haMemory: ha.reduce(0) { $0 + $1.memory }, survivors: survivors.count,
      survivorFreeMemory: freeBefore,
      placements: placements.sorted { byVMID($0.sid, $1.sid) },
      unplaced: unplaced.sorted(by: byVMID))
  }
}
