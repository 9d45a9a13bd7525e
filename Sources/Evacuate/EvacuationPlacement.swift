import PVEModel
import Planning

/// Where the movable guests of an emptied node go. Pure.
///
/// First the plain way: in priority order (critical, running, smallest claim), each guest onto the
/// survivor with the most headroom after the move, which spreads the load. When that leaves a
/// guest behind for want of room, two more ways are tried on copies of the cluster: the largest
/// claim first within each priority class onto the fullest survivor that still keeps every limit
/// (best-fit decreasing), and a bounded depth-first search that places the guests with the fewest
/// landings first. The way that leaves the fewest critical, then running, then any guests behind
/// wins (ties: the plain way); its landings are drafted in priority order. Targets only gain load,
/// so limits that hold with every guest placed hold after every step.
enum EvacuationPlacement {
  /// The moves drafted and the guests that stay, with the closest miss.
  struct Outcome {
    var moves: GuestMoves
    var left: [(guest: Guest, block: GuestMoveBlock)]
  }

  /// Limits that a different packing can get around.
  static let roomLimits: Set<String> = [
    "memory", "cores", "vcpu-ceiling", "local-storage", "keep-apart", "guests", "share",
  ]

  /// Search steps (drafted moves) at most, scaled down on big clusters: each step copies the
  /// simulated cluster, and the copies along the current path are kept (at most 400,000 guest
  /// records in all).
  static func searchBudget(guests: Int) -> Int { min(4_000, 400_000 / max(guests, 1)) }

  /// Places `guests` (already in priority order, each movable) from `node`.
  static func place(
    _ guests: [Guest], moves start: GuestMoves, node: String, reason: String,
    isCritical: (Guest) -> Bool
  ) -> Outcome {
    var plain = start
    let left = spread(guests, on: &plain, node: node, reason: reason)
    guard left.contains(where: { roomLimits.contains($0.block.limit) }) else {
      return Outcome(moves: plain, left: left)
    }

    func cost(_ stays: [Guest]) -> (Int, Int, Int) {
      (stays.filter(isCritical).count, stays.filter(\.isRunning).count, stays.count)
    }
    var best = (cost: cost(left.map(\.guest)), chosen: [String: String]?.none)
    let ways =
      [bestFitDecreasing(guests, start, isCritical)]
      + [search(guests, start, isCritical)].compactMap { $0 }
    for chosen in ways {
      let c = cost(guests.filter { chosen[$0.sid] == nil })
      if c < best.cost { best = (c, chosen) }
    }
    guard let chosen = best.chosen else { return Outcome(moves: plain, left: left) }

    // Drafted in priority order; a guest the chosen way left behind gets one more look.
    let behind = left.count - best.cost.2
    var moves = start
    var stays: [Guest] = []
    for g in guests {
      guard let target = chosen[g.sid],
        case .success(let landing) = moves.landing(of: g, on: target)
      else {
        stays.append(g)
        continue
      }
      moves.migrate(
        g, to: landing, reason: reason,
        why:
          "empties \(node) for maintenance; \(target) is where every guest that can leave fits (spreading by headroom would leave \(behind) more behind)"
      )
    }
    let still = spread(stays, on: &moves, node: node, reason: reason)
    return Outcome(moves: moves, left: still)
  }

  /// Each guest in order onto the survivor with the most headroom after the move; returns the
  /// guests that fit nowhere, with the closest miss.
  static func spread(
    _ guests: [Guest], on moves: inout GuestMoves, node: String, reason: String
  ) -> [(guest: Guest, block: GuestMoveBlock)] {
    var left: [(guest: Guest, block: GuestMoveBlock)] = []
    for g in guests {
      switch moves.bestLanding(of: g) {
      case .success(let landing):
        moves.migrate(
          g, to: landing, reason: reason,
          why: "empties \(node) for maintenance; \(landing.node) has the most headroom left")
      case .failure(let block):
        left.append((g, block))
      }
    }
    return left
  }

  /// Largest claim first within each priority class, each onto the fullest survivor that keeps
  /// every limit. Returns SID → node for the guests placed.
  static func bestFitDecreasing(
    _ guests: [Guest], _ start: GuestMoves, _ isCritical: (Guest) -> Bool
  ) -> [String: String] {
    let order = guests.sorted {
      (isCritical($0) ? 0 : 1, $0.isRunning ? 0 : 1, -claim($0), $0.vmid)
        < (isCritical($1) ? 0 : 1, $1.isRunning ? 0 : 1, -claim($1), $1.vmid)
    }
    var moves = start
    var chosen: [String: String] = [:]
    for g in order {
      guard let pick = fullest(moves.landings(of: g)) else { continue }
      moves.migrate(g, to: pick, reason: "", why: "")
      chosen[g.sid] = pick.node
    }
    return chosen
  }

  /// A depth-first search for a landing of every guest that has one on the unchanged cluster: the
  /// guests with the fewest landings first (critical ones before the others), each trying the
  /// fullest survivor first. Nil when the budget runs out or no such placement exists.
  static func search(_ guests: [Guest], _ start: GuestMoves, _ isCritical: (Guest) -> Bool)
    -> [String: String]?
  {
    // Every guest that can land somewhere must land: their claims must fit the room there is
    // (checked first, cheaply: on a full cluster the search cannot succeed).
    let rooms = start.rooms()
    let biggest = (memory: rooms.map(\.memory).max() ?? 0, vcpus: rooms.map(\.vcpus).max() ?? 0)
    let fitting = guests.filter {
      !$0.claimsCapacity || ($0.memory <= biggest.memory && Double($0.vcpus) <= biggest.vcpus)
    }
    guard fits(fitting, rooms) else { return nil }
    let options = Dictionary(
      fitting.map { ($0.sid, start.landings(of: $0).count) }, uniquingKeysWith: { a, _ in a })
    guard fits(fitting.filter { options[$0.sid, default: 0] > 0 }, rooms) else { return nil }
    // A guest with no landing now never gets one (targets only gain load): the rest must all fit.
    let order = fitting.filter { options[$0.sid, default: 0] > 0 }.sorted {
      (isCritical($0) ? 0 : 1, options[$0.sid] ?? 0, -claim($0), $0.vmid)
        < (isCritical($1) ? 0 : 1, options[$1.sid] ?? 0, -claim($1), $1.vmid)
    }
    guard !order.isEmpty else { return [:] }
    var budget = searchBudget(guests: start.cluster.guests.count)
    var chosen: [String: String] = [:]
    // Iterative (no recursion as deep as the node's guest list): frame i holds the cluster with
    // guests 0..<i placed, guest i's landings (fullest first) and the next one to try.
    struct Frame {
      var moves: GuestMoves
      var landings: [GuestLanding]
      var next = 0
    }
    func landings(_ g: Guest, _ moves: GuestMoves) -> [GuestLanding] {
      moves.landings(of: g).sorted { ($0.fill, $1.landing.node) > ($1.fill, $0.landing.node) }
        .map(\.landing)
    }
    var stack = [Frame(moves: start, landings: landings(order[0], start))]
    while let top = stack.last {
      let i = stack.count - 1
      let g = order[i]
      guard top.next < top.landings.count else {
        stack.removeLast()
        chosen[g.sid] = nil
        continue
      }
      guard budget > 0 else { return nil }
      budget -= 1
      let landing = top.landings[top.next]
      stack[i].next += 1
      var moves = top.moves
      moves.migrate(g, to: landing, reason: "", why: "")
      chosen[g.sid] = landing.node
      if i + 1 == order.count { return chosen }
      stack.append(Frame(moves: moves, landings: landings(order[i + 1], moves)))
    }
    return nil
  }

  /// Whether the guests' claims together fit the rooms together (a full placement needs it).
  static func fits(_ guests: [Guest], _ rooms: [(memory: Int64, vcpus: Double)]) -> Bool {
    let claiming = guests.filter(\.claimsCapacity)
    return claiming.reduce(0) { $0 + $1.memory } <= rooms.reduce(0) { $0 + $1.memory }
      && Double(claiming.reduce(0) { $0 + $1.vcpus }) <= rooms.reduce(0) { $0 + $1.vcpus } + 1e-9
  }

  /// The landing on the fullest survivor (ties: the first node by name).
  static func fullest(_ landings: [(fill: Double, landing: GuestLanding)]) -> GuestLanding? {
    var best: (fill: Double, landing: GuestLanding)?
    for entry in landings where best == nil || entry.fill > (best?.fill ?? 0) + 1e-12 {
      best = entry
    }
    return best?.landing
  }

  /// A guest's memory claim (what packing is mostly about).
  static func claim(_ g: Guest) -> Int64 { g.claimsCapacity ? g.memory : 0 }
}
