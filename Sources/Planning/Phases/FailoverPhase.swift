import Audit
import PVEModel
import Playbook
import Rehearse

/// Chooses where each guest this plan makes HA goes when its node fails, so that every single
/// node failure keeps the survivors within the playbook's failover limits
/// (`capacity.failover_vcpu_per_core`, `capacity.failover_memory_reserve`).
///
/// Runs before the HA group and rule phases. It rehearses (`Rehearse`) the cluster as the plan
/// leaves it with the planned HA resources in their default placement (home node first, every
/// other node next, the CRS scheduler decides). When a failure overloads a survivor, it gives the
/// failed node's planned guests a failover node each — a three-level order `home:3,failover:2,
/// others:1`, so the scheduler no longer decides — packing them, largest first, onto the survivor
/// that stays furthest below its limits after the guests HA recovers anyway (existing HA guests,
/// which follow the scheduler), and rehearses again, a few rounds at most. Where the cluster's
/// scheduler is `basic` and the placement still overloads a survivor, it tries `static` (TOPSIS
/// over configured CPU and memory, for the guests it does not steer) and keeps it when that
/// reaches the limits. Deterministic: sorted guests and nodes, no randomness.
struct FailoverPhase: PlanPhase {
  /// Rounds of rehearse-and-repack per scheduler.
  static let rounds = 4

  func run(_ s: inout PlanState) {
    let planned = s.failoverCandidates
    // An admin who ignores ha.failover-capacity keeps the HA guests as they are.
    let steerable =
      s.policy.action(for: "ha.failover-capacity") == .ignore ? [] : s.steerableHAGuests
    guard !(planned.isEmpty && steerable.isEmpty), s.sim.cluster.nodes.filter(\.online).count > 1
    else { return }
    // The guests this plan makes HA first; HA guests the cluster already manages without a group
    // or rule only when that makes every single-node failure survivable (an admin's guests are
    // not regrouped for a partial gain, and a plan of the predicted cluster finds nothing to do).
    if !planned.isEmpty, place(planned, &s, exact: false) { return }
    guard !steerable.isEmpty else { return }
    // First with the planned guests' failover nodes kept (as a plan of the predicted cluster would
    // search), then all together.
    if place(planned + steerable, &s, exact: true, fixed: Set(planned.map(\.sid))) { return }
    if !planned.isEmpty { _ = place(planned + steerable, &s, exact: true) }
  }

  /// Searches failover nodes for `candidates` under the cluster's scheduler, then `static`;
  /// true when every failure keeps the survivors within the failover limits. `exact`: keeps the
  /// result only then (otherwise the basic search's best stands, as for planned guests).
  private func place(
    _ candidates: [Guest], _ s: inout PlanState, exact: Bool, fixed: Set<String> = []
  ) -> Bool {
    let current = HAStack(cluster: s.sim.cluster).scheduler
    let base = s.search(candidates, scheduler: nil, start: s.failoverNode, fixed: fixed)
    if base.excess == 0 || !exact { s.failoverNode = base.assignment }
    guard base.excess > 0 else { return true }
    guard current == .basic, s.failoverScheduler == nil else { return false }
    // static changes where the guests without a failover node go (existing HA guests, keep-apart
    // sets): tried with the chosen failover nodes, the failures still over the limits first,
    // given up at the first failure static does not bring within them.
    let alternative = s.search(
      candidates, scheduler: .static, start: base.assignment, first: base.over, giveUp: true,
      fixed: fixed)
    guard alternative.excess == 0 else { return false }
    s.failoverNode = alternative.assignment
    s.failoverScheduler = .static
    s.switchScheduler(to: .static, basicExcess: base.excess)
    return true
  }
}

extension PlanState {
  /// Drafts `pvesh set /cluster/options --crs ha=static` (other `crs` keys kept) and applies it to
  /// the simulated cluster.
  mutating func switchScheduler(to scheduler: HAStack.Scheduler, basicExcess: Double) {
    let old = sim.cluster.options["crs"]
    let new = Self.crs(old, scheduler: scheduler)
    let reasons = haPlanned.values.flatMap { $0 }
    var draft = StepDraft(
      phase: .haGroups, kind: .haScheduler,
      title: "Switch the HA scheduler to \(scheduler.rawValue) (crs \(new))",
      reasons: Array(Set(reasons)).sorted())
    draft.commands = [
      RemoteCommand(
        node: entryNode, argv: ["pvesh", "set", "/cluster/options", "--crs", new], mutating: true)
    ]
    draft.inverse = [
      RemoteCommand(
        node: entryNode,
        argv: old.map { ["pvesh", "set", "/cluster/options", "--crs", $0] }
          ?? ["pvesh", "set", "/cluster/options", "--delete", "crs"],
        mutating: true)
    ]
    draft.detail =
      "With crs basic HA sends a failed node's guests to the node with the fewest HA services, whatever its size: the rehearsed failures overload a survivor (\(Figure.fixed(basicExcess, 2)) over the failover limits in all). static weighs each node's configured CPU and memory (TOPSIS), and with it every single-node failure keeps the survivors within the failover limits"
    sim.setOption("crs", new)
    add(draft)
  }
}

/// After the HA phases: rehearses every single-node failure on the predicted cluster, records the
/// worst survivor of each for the plan's summary, and marks a failure that still overloads a
/// survivor unresolved (with the numbers) when the plan adds HA guests.
struct FailoverCheckPhase: PlanPhase {
  func run(_ s: inout PlanState) {
    let cluster = s.sim.cluster
    guard cluster.nodes.filter(\.online).count > 1, !cluster.haResources.isEmpty else { return }
    // A disarmed HA stack recovers nothing; the plan's ha.disarmed advice re-arms it, and the
    // failover placement is for the armed stack.
    let rehearsal = Rehearsal(cluster: cluster.rearmed, policy: s.policy)
    let outcomes = rehearsal.runEachNode()
    s.failoverWorst = outcomes.compactMap { o in
      o.worstSurvivor.map { FailoverSurvivor(failed: o.failedNodes.joined(separator: "+"), $0) }
    }
    guard !s.haPlanned.isEmpty, s.policy.action(for: "ha.failover-capacity") != .ignore else {
      return
    }
    for o in outcomes {
      let over = o.survivors.filter { !$0.recovered.isEmpty && !$0.withinCeilings }
      let lost = o.capacityFailures
      guard !over.isEmpty || !lost.isEmpty else { continue }
      let node = o.failedNodes.joined(separator: "+")
      let figures =
        over.map { l in
          "\(l.node) ends at \(l.vcpus) vCPUs on \(l.cores) cores (\(Figure.fixed(l.vcpuPerCore, 2)) per core, failover limit \(Figure.fixed(l.vcpuCeiling, 2))) and \(ByteSize.binary(l.memory)) of memory (failover limit \(ByteSize.binary(l.memoryCeiling)))"
        } + lost.map { "\($0.sid) does not come back: \($0.message)" }
      s.markUnresolved(
        "ha.failover-capacity/\(node)",
        "no HA placement keeps every survivor within the failover limits if \(node) fails (crs \(o.scheduler.rawValue)): \(figures.joined(separator: "; "))",
        limit: "failover")
    }
  }
}

extension FailoverSurvivor {
  init(failed: String, _ l: RecoveryOutcome.SurvivorLoad) {
    self.init(
      failed: failed, survivor: l.node, cores: l.cores, vcpus: l.vcpus,
      vcpuPerCore: l.vcpuPerCore, vcpuLimit: l.vcpuCeiling, memory: l.memory,
      memoryLimit: l.memoryCeiling, within: l.withinCeilings)
  }
}

extension PlanState {
  /// Planned HA guests the failover placement may steer: on an online node, and (PVE 9) not in a
  /// keep-apart set (a node-affinity rule with more than one priority class would disable its
  /// negative resource-affinity rule).
  var failoverCandidates: [Guest] {
    let apart = usesRules ? Set(sim.keepApart.flatMap(\.sids)) : []
    return plannedHAGuests.filter { g in
      (sim.load(g.node)?.online ?? false) && !apart.contains(g.sid)
    }
  }

  /// HA guests the cluster already manages that the failover placement may steer too: started or
  /// stopped (HA recovers both), not planned here, on an online node, in no HA group (PVE 8) and no
  /// node-affinity rule (PVE 9; nor a keep-apart set): an admin's own placement is never changed.
  /// One gets a group or rule only when its node's failure needs it (`steeredHAGuests`).
  var steerableHAGuests: [Guest] {
    let apart = usesRules ? Set(sim.keepApart.flatMap(\.sids)) : []
    return sim.cluster.haResources.filter { r in
      haPlanned[r.sid] == nil && r.group == nil && ["started", "stopped"].contains(r.state)
        && !sim.rules(of: r.sid).contains { $0.type == "node-affinity" } && !apart.contains(r.sid)
    }.compactMap { sim.guest($0.sid) }.filter { g in
      !g.template && (sim.load(g.node)?.online ?? false)
    }.sorted { $0.vmid < $1.vmid }
  }

  /// The already-managed HA guests the failover placement gave a failover node, by VMID.
  var steeredHAGuests: [Guest] {
    steerableHAGuests.filter { failoverNode[$0.sid] != nil }
  }

  /// The HA state a failover candidate has or gets: its resource's for a managed guest, else the
  /// planned one.
  func failoverHAState(_ g: Guest) -> String {
    if haPlanned[g.sid] == nil, let r = sim.haResource(g.sid) { return r.state }
    return plannedHAState(g)
  }

  /// The HA state a planned guest gets (`HAResourcePhase`).
  func plannedHAState(_ g: Guest) -> String {
    g.isRunning || policy.ha.startStopped ? policy.ha.state : "stopped"
  }

  /// The node order of a planned guest's group or rule: `home:2` and every other node with enough
  /// cores at 1; with a failover node, `home:3,failover:2` and the others at 1.
  func failoverOrder(home: String, failover: String?, need: Int) -> [NodePriority] {
    var list = [NodePriority(node: home, priority: failover == nil ? 2 : 3)]
    for n in sim.cluster.nodes where n.name != home && n.cores >= need && sim.isTarget(n.name) {
      list.append(NodePriority(node: n.name, priority: n.name == failover ? 2 : 1))
    }
    return list.sorted()
  }

  /// The cluster as the plan leaves it with the candidates HA-managed, each in a group of its own
  /// with `assignment`'s failover node, and the scheduler set to `scheduler` when given.
  func failoverProbe(
    _ candidates: [Guest], assignment: [String: String], scheduler: HAStack.Scheduler?
  ) -> Cluster {
    var c = sim.cluster
    var groups = c.haGroups ?? []
    // Managed guests without a group or rule follow the scheduler until steered.
    var at: [String: Int] = [:]
    for (i, r) in c.haResources.enumerated() where at[r.sid] == nil { at[r.sid] = i }
    for g in candidates where sim.isHAManaged(g.sid) {
      guard let failover = assignment[g.sid], let i = at[g.sid] else { continue }
      let id = "pvemend-failover-probe-\(g.sid)"
      groups.append(
        HAGroup(
          id: id, nodes: failoverOrder(home: g.node, failover: failover, need: g.vcpus),
          restricted: false, nofailback: false))
      c.haResources[i].group = id
    }
    for g in candidates where !sim.isHAManaged(g.sid) {
      let id = "pvemend-failover-probe-\(g.sid)"
      groups.append(
        HAGroup(
          id: id,
          nodes: failoverOrder(home: g.node, failover: assignment[g.sid], need: g.vcpus),
          restricted: false, nofailback: false))
      c.haResources.append(
        HAResource(
          sid: g.sid, kind: g.kind, vmid: g.vmid, state: plannedHAState(g),
          maxRestart: policy.ha.maxRestart, maxRelocate: policy.ha.maxRelocate, group: id,
          failback: nil, comment: nil))
    }
    // Planned guests the placement does not steer (PVE 9 keep-apart sets) are HA without a rule.
    let steered = Set(candidates.map(\.sid))
    for g in plannedHAGuests where !steered.contains(g.sid) && !sim.isHAManaged(g.sid) {
      c.haResources.append(
        HAResource(
          sid: g.sid, kind: g.kind, vmid: g.vmid, state: plannedHAState(g),
          maxRestart: policy.ha.maxRestart, maxRelocate: policy.ha.maxRelocate, group: nil,
          failback: nil, comment: nil))
    }
    // PVE 9: the keep-apart sets the rule phase turns into negative resource-affinity rules.
    if usesRules {
      let managed = Set(c.haResources.map(\.sid))
      for set in sim.keepApart where set.sids.allSatisfy(managed.contains) {
        let covered = (c.haRules ?? []).contains { rule in
          !rule.disabled && rule.type == "resource-affinity" && rule.affinity == "negative"
            && Set(set.sids).isSubset(of: rule.resources)
        }
        if covered { continue }
        c.haRules =
          (c.haRules ?? []) + [
            HARule(
              id: "pvemend-failover-probe-apart-\(set.name)", type: "resource-affinity",
              resources: set.sids, nodes: [], strict: true, affinity: "negative", disabled: false)
          ]
      }
    }
    c.haGroups = groups
    if let scheduler { c.options["crs"] = Self.crs(c.options["crs"], scheduler: scheduler) }
    return c
  }

  /// The `crs` property with `ha=` set to `scheduler`, other keys kept.
  static func crs(_ current: String?, scheduler: HAStack.Scheduler) -> String {
    var parts = (current ?? "").split(separator: ",").map(String.init).filter {
      !$0.hasPrefix("ha=") && !$0.isEmpty
    }
    parts.insert("ha=\(scheduler.rawValue)", at: 0)
    return parts.joined(separator: ",")
  }

  /// How far a survivor is over the failover limits (0 within): vCPU per core and memory, each as
  /// a fraction of its limit.
  static func excess(_ l: RecoveryOutcome.SurvivorLoad) -> Double {
    guard !l.fenced else { return 0 }
    let cpu = max(0, l.vcpuPerCore / max(l.vcpuCeiling, 0.0001) - 1)
    let mem = max(0, Double(l.memory - l.memoryCeiling) / Double(max(l.memoryCeiling, 1)))
    return cpu + mem
  }

  /// A failure's excess: every survivor's, plus one for each HA guest that does not come back for
  /// lack of a node or room (no allowed node, too few cores, too little free memory).
  static func excess(_ o: RecoveryOutcome) -> Double {
    o.survivors.reduce(0.0) { $0 + excess($1) } + Double(o.capacityFailures.count)
  }

  /// Rehearse-and-repack rounds. A guest's failover node matters only when its home fails, so
  /// each home node is searched on its own: the first round rehearses every home's failure, later
  /// rounds only the homes whose guests were repacked, and each home keeps its best assignment
  /// (lowest excess over the limits, then the earliest). Returns the union and the total excess.
  func search(
    _ candidates: [Guest], scheduler: HAStack.Scheduler?, start: [String: String] = [:],
    first: [String] = [], giveUp: Bool = false, fixed: Set<String> = []
  ) -> (assignment: [String: String], excess: Double, over: [String]) {
    var assignment = start
    // Fixed candidates are in the probe with their failover node but never repacked.
    let movable = candidates.filter { !fixed.contains($0.sid) }
    let bySID = Dictionary(movable.map { ($0.sid, $0) }, uniquingKeysWith: { a, _ in a })
    var byHome: [String: [Guest]] = [:]
    for g in movable { byHome[g.node, default: []].append(g) }
    var best: [String: (excess: Double, assignment: [String: String])] = [:]
    let firstSet = Set(first)
    // Every online node's failure: one without planned guests cannot be steered, but it counts
    // for the scheduler's choice.
    let homes = sim.cluster.nodes.filter(\.online).map(\.name).sorted()
    var dirty = first + homes.filter { !firstSet.contains($0) }
    for _ in 0..<FailoverPhase.rounds where !dirty.isEmpty {
      let probe = failoverProbe(candidates, assignment: assignment, scheduler: scheduler)
      let rehearsal = Rehearsal(cluster: probe.rearmed, policy: policy)
      var next: [String] = []
      for home in dirty {
        let o = rehearsal.run(FailureScenario(failedNodes: [home]))
        let e = Self.excess(o)
        if giveUp && e > 0 { return (assignment, .infinity, [home]) }
        let guests = byHome[home] ?? []
        if best[home].map({ e < $0.excess - 1e-9 }) ?? true {
          var own: [String: String] = [:]
          for g in guests { own[g.sid] = assignment[g.sid] }
          best[home] = (e, own)
        }
        guard e > 0 else { continue }
        var changed = false
        for (sid, node) in pack(guests, outcome: o, bySID: bySID) where assignment[sid] != node {
          assignment[sid] = node
          changed = true
        }
        if changed { next.append(home) }
      }
      dirty = next
    }
    var out: [String: String] = [:]
    var total = 0.0
    var over: [String] = []
    for home in best.keys.sorted() {
      guard let b = best[home] else { continue }
      total += b.excess
      if b.excess > 0 { over.append(home) }
      for (sid, node) in b.assignment { out[sid] = node }
    }
    return (out, total, over)
  }

  /// Failover nodes for the candidates of a failed node: largest first, each onto the survivor
  /// that stays lowest against its limits, after what HA recovers there anyway.
  private func pack(_ guests: [Guest], outcome o: RecoveryOutcome, bySID: [String: Guest])
    -> [String: String]
  {
    struct Room {
      var node: String
      var cores: Int
      var vcpus: Int
      var memory: Int64
      var vcpuLimit: Double
      var memoryLimit: Int64
      func share(adding g: Guest) -> Double {
        max(
          Double(vcpus + g.vcpus) / (Double(max(cores, 1)) * max(vcpuLimit, 0.0001)),
          Double(memory + g.memory) / Double(max(memoryLimit, 1)))
      }
    }
    // What each survivor carries before any planned guest of the failed node arrives.
    var rooms: [Room] = o.survivors.filter { !$0.fenced && sim.isTarget($0.node) }.map { l in
      var vcpus = l.vcpus
      var memory = l.memory
      for sid in l.recovered {
        if let g = bySID[sid] {
          vcpus -= g.vcpus
          memory -= g.memory
        }
      }
      return Room(
        node: l.node, cores: l.cores, vcpus: vcpus, memory: memory, vcpuLimit: l.vcpuCeiling,
        memoryLimit: l.memoryCeiling)
    }
    rooms.sort { $0.node.utf8.lexicographicallyPrecedes($1.node.utf8) }
    // Only guests that HA starts there count as load; stopped ones still get a failover node.
    let ordered = guests.sorted { a, b in
      (a.vcpus, a.memory, b.sid) > (b.vcpus, b.memory, a.sid)
    }
    var out: [String: String] = [:]
    for g in ordered {
      var pick: Int?
      var pickShare = Double.infinity
      for (i, r) in rooms.enumerated() where r.cores >= g.vcpus {
        let share = r.share(adding: g)
        if share < pickShare - 1e-12 {
          pick = i
          pickShare = share
        }
      }
      guard let i = pick else { continue }
      out[g.sid] = rooms[i].node
      if failoverHAState(g) != "stopped" {
        rooms[i].vcpus += g.vcpus
        rooms[i].memory += g.memory
      }
    }
    // Then move single guests off the most loaded survivor while that lowers the higher of the
    // two shares (largest-first leaves the last, smaller guests unbalanced).
    func share(_ r: Room) -> Double {
      max(
        Double(r.vcpus) / (Double(max(r.cores, 1)) * max(r.vcpuLimit, 0.0001)),
        Double(r.memory) / Double(max(r.memoryLimit, 1)))
    }
    let movable = ordered.filter { failoverHAState($0) != "stopped" }
    for _ in 0..<(2 * movable.count) {
      guard
        let worst = rooms.indices.max(by: { (share(rooms[$0]), $1) < (share(rooms[$1]), $0) })
      else { break }
      let peak = share(rooms[worst])
      var best: (guest: Guest, to: Int, peak: Double)?
      for g in movable where out[g.sid] == rooms[worst].node {
        var from = rooms[worst]
        from.vcpus -= g.vcpus
        from.memory -= g.memory
        for (i, r) in rooms.enumerated() where i != worst && r.cores >= g.vcpus {
          let after = max(share(from), r.share(adding: g))
          if after < (best?.peak ?? peak) - 1e-9 { best = (g, i, after) }
        }
      }
      guard let move = best else { break }
      rooms[worst].vcpus -= move.guest.vcpus
      rooms[worst].memory -= move.guest.memory
      rooms[move.to].vcpus += move.guest.vcpus
      rooms[move.to].memory += move.guest.memory
      out[move.guest.sid] = rooms[move.to].node
    }
    return out
  }
}
