import Audit
import PVEModel
import Playbook

/// Moves guests off nodes beyond their vCPU ceiling, memory budget or share of guests, one move
/// at a time, each checked against every hard limit in the state it will run in. Greedy: the move
/// that removes the most excess per unit of cost goes first; a node that stays beyond a limit
/// becomes an unresolved finding that names the limit that blocks the best candidate.
struct RebalancePhase: PlanPhase {
  func run(_ s: inout PlanState) {
    var metrics: [String: Set<LoadMetric>] = [:]
    for metric in LoadMetric.allCases {
      for f in s.findings(metric.rawValue, action: .rebalance) {
        metrics[f.subject.id, default: []].insert(metric)
      }
    }
    guard !metrics.isEmpty else { return }
    let sources = metrics.keys.sorted()
    var stoppedByLimit = false

    while true {
      var candidates: [(score: Double, cost: Double, vmid: Int, guest: Guest)] = []
      for node in sources {
        guard let wanted = metrics[node], let load = s.sim.load(node), load.online else { continue }
        let excess = s.sim.limits.excess(load)
        guard wanted.contains(where: { $0.of(excess) > 0 }) else { continue }
        for g in s.sim.guests(on: node) {
          let sid = g.sid
          guard !s.moved.contains(sid) else { continue }
          let gain = s.gain(of: g, on: load, metrics: wanted)
          guard gain > 1e-9, s.sim.movability(of: g) == nil else { continue }
          var cost = s.moveCost(g)
          // Taking a node's last HA guest away would leave it for the spread to refill.
          if s.policy.ha.spread, s.haPlanned[sid] != nil || s.sim.isHAManaged(sid),
            s.haCount(node) == 1
          {
            cost *= 3
          }
          candidates.append((gain / cost, cost, g.vmid, g))
        }
      }
      guard !candidates.isEmpty else { break }
      if !s.mayMove {
        stoppedByLimit = true
        break
      }
      candidates.sort { a, b in
        if abs(a.score - b.score) > 1e-9 { return a.score > b.score }
        if abs(a.cost - b.cost) > 1e-9 { return a.cost < b.cost }
        return a.vmid < b.vmid
      }
      var done = false
      // Guests of one size from one node pass or fail the numeric limits alike.
      var noRoom = Set<SizeKey>()
      for c in candidates {
        let key = SizeKey(c.guest)
        if noRoom.contains(key) { continue }
        if !s.sim.anyQuickFit(c.guest) {
          noRoom.insert(key)
          continue
        }
        guard case .success(let landing) = s.sim.bestLanding(of: c.guest, explain: false) else {
          continue
        }
        let source = c.guest.node
        let reasons = (metrics[source] ?? []).compactMap { s.findingID($0.rawValue, source) }
        s.addMigration(
          c.guest, landing, phase: .rebalance, reasons: reasons,
          why: s.rebalanceWhy(c.guest, from: source, to: landing.node))
        done = true
        break
      }
      if !done { break }
    }

    for node in sources {
      guard let wanted = metrics[node] else { continue }
      for metric in wanted.sorted(by: { $0.rawValue < $1.rawValue }) {
        guard let id = s.findingID(metric.rawValue, node) else { continue }
        guard let load = s.sim.load(node) else {
          s.markUnresolved(id, "\(node) is not a node of this cluster", limit: "nodes")
          continue
        }
        if !load.online {
          s.markUnresolved(id, "\(node) is offline; nothing can move off it", limit: "nodes")
          continue
        }
        let left = metric.of(s.sim.limits.excess(load))
        if left <= 0 {
          if !s.drafts.contains(where: { $0.reasons.contains(id) }) {
            s.markUnresolved(
              id,
              "\(s.status(of: load, metric)); the planner counts it within the playbook's limit, so nothing moves",
              limit: nil)
          }
          continue
        }
        if stoppedByLimit {
          s.markUnresolved(
            id, "\(s.status(of: load, metric)) after this plan: \(s.moveLimitText)",
            limit: "move-limit"
          )
          continue
        }
        let (text, limit) = s.explainStuck(load, metrics: [metric])
        s.markUnresolved(id, "\(s.status(of: load, metric)) after this plan: \(text)", limit: limit)
      }
    }
  }
}

/// What the numeric limits see of a guest: its node, size and whether it claims capacity.
struct SizeKey: Hashable {
  var node: String
  var vcpus: Int
  var memory: Int64
  var claims: Bool

  init(_ g: Guest) {
    node = g.node
    vcpus = g.vcpus
    memory = g.memory
    claims = g.claimsCapacity
  }
}

/// A node limit a rebalance finding is about.
enum LoadMetric: String, Sendable, CaseIterable {
  case vcpus = "node.overcommit"
  case memory = "node.memory"
  case share = "node.imbalance"

  func of(_ e: Excess) -> Double {
    switch self {
    case .vcpus: e.vcpus
    case .memory: e.memoryGiB
    case .share: e.guests
    }
  }
}

extension PlanState {

  /// How much of the wanted excess leaves `load` with `g`.
  func gain(of g: Guest, on load: NodeLoad, metrics: Set<LoadMetric>) -> Double {
    var after = load
    after.guests -= 1
    if g.claimsCapacity {
      after.vcpus -= g.vcpus
      after.memory -= g.memory
    }
    let e0 = sim.limits.excess(load)
    let e1 = sim.limits.excess(after)
    return metrics.reduce(0) { $0 + $1.of(e0) - $1.of(e1) }
  }

  /// The node's figure for `metric`, in words.
  func status(of load: NodeLoad, _ metric: LoadMetric) -> String {
    let l = sim.limits
    switch metric {
    case .vcpus:
      return
        "\(load.name) would still claim \(load.vcpus) vCPUs on \(load.cores) cores (\(Format.ratio(Double(load.vcpus) / Double(max(load.cores, 1)))) per core, ceiling \(Format.ratio(l.vcpuPerCore)))"
    case .memory:
      return
        "\(load.name) would still claim \(Format.bytes(load.memory)) of memory, above its \(Format.bytes(l.memoryBudget(load))) budget (\(Format.bytes(load.memoryTotal)) less the \(Format.bytes(l.memoryReserve)) reserve)"
    case .share:
      let share = l.totalGuests > 0 ? Double(load.guests) / Double(l.totalGuests) : 0
      return
        "\(load.name) would still carry \(load.guests) of \(l.totalGuests) guests (\(Format.percent(share))) for \(Format.percent(l.coreShare(load))) of the cores (tolerance \(Format.percent(l.shareTolerance)))"
    }
  }

  /// Why nothing more can move off the node: the best candidate and the limit that blocks it.
  func explainStuck(_ load: NodeLoad, metrics: Set<LoadMetric>) -> (String, String?) {
    let ranked = sim.guests(on: load.name).compactMap { g -> (Double, Guest)? in
      let gain = self.gain(of: g, on: load, metrics: metrics)
      return gain > 1e-9 ? (gain / moveCost(g), g) : nil
    }.sorted { ($0.0, -$0.1.vmid) > ($1.0, -$1.1.vmid) }.map(\.1)
    guard let first = ranked.first else {
      return ("no guest on \(load.name) would reduce it", "nodes")
    }
    for g in ranked where sim.movability(of: g) == nil && !moved.contains(g.sid) {
      if case .failure(let blocker) = sim.bestLanding(of: g) {
        return ("no node can take \(label(g)): \(blocker.text)", blocker.limit)
      }
    }
    if let blocker = sim.movability(of: first) {
      return ("every guest that would help stays: \(blocker.text)", blocker.limit)
    }
    return ("no further move reduces it without breaking another limit", nil)
  }

  fileprivate func rebalanceWhy(_ g: Guest, from source: String, to target: String) -> String {
    guard let load = sim.load(source) else { return "" }
    let l = sim.limits
    let e = l.excess(load)
    var over: [String] = []
    if e.vcpus > 0 {
      over.append(
        "\(Format.ratio(Double(load.vcpus) / Double(max(load.cores, 1)))) vCPUs per core (ceiling \(Format.ratio(l.vcpuPerCore)))"
      )
    }
    if e.memoryGiB > 0 {
      over.append(
        "\(Format.bytes(load.memory)) of memory claimed (budget \(Format.bytes(l.memoryBudget(load))))"
      )
    }
    if e.guests > 0 {
      over.append(
        "\(load.guests) of \(l.totalGuests) guests for \(Format.percent(l.coreShare(load))) of the cores"
      )
    }
    return
      "\(source) carries \(over.joined(separator: ", ")); \(g.sid) fits \(target) within every hard limit"
  }

  // MARK: HA spread

  /// HA guests on `node` once the planned HA resources exist.
  func haCount(_ node: String) -> Int {
    (sim.load(node)?.haGuests ?? 0) + (plannedHAOn[node] ?? 0)
  }

  /// Counts the guests that will become HA-managed per node (before the HA phase adds them).
  mutating func countPlannedHA() {
    plannedHAOn = [:]
    for sid in haPlanned.keys where !sim.isHAManaged(sid) {
      if let g = sim.guest(sid) { plannedHAOn[g.node, default: 0] += 1 }
    }
  }
}
