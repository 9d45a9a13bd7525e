import PVEModel
import Playbook

/// What keeps a guest from moving, or from landing on a node: the limit, in words.
///
/// The words are made only when asked for: the planner checks many landings and reports few.
struct Blocker: Error, Sendable {
  /// The `Unresolved.limit` word: `memory`, `cores`, `local-storage`, …
  var limit: String
  /// The node it was checked against, if any.
  var node: String?
  /// How far from fitting (0 = almost), to pick the closest miss when explaining.
  var shortfall: Double
  private var makeText: @Sendable () -> String
  private var makeBest: @Sendable () -> String?

  init(
    limit: String, node: String?, text: @autoclosure @escaping @Sendable () -> String,
    shortfall: Double, best: @autoclosure @escaping @Sendable () -> String? = nil
  ) {
    self.limit = limit
    self.node = node
    self.shortfall = shortfall
    self.makeText = text
    self.makeBest = best
  }

  /// "needs 6.0 GiB, proxmox2 has 4.2 GiB after reserve".
  var text: String { makeText() }
  /// The same, phrased as the closest miss among all nodes ("best is proxmox2 with 4.2 GiB …").
  var best: String? { makeBest() }

  /// A failure nobody will read (`bestLanding(explain: false)`).
  static let unexplained = Blocker(limit: "nodes", node: nil, text: "", shortfall: 10)

  /// The blocker phrased as the closest miss.
  var asBest: Blocker {
    var copy = self
    let best = makeBest
    let text = makeText
    copy.makeText = { best() ?? text() }
    return copy
  }
}

/// Where and how a guest lands on a node.
struct Landing: Sendable, Hashable {
  var node: String
  /// `--targetstorage`/`--target-storage` when local volumes cannot keep their pool id.
  var targetStorage: String?
  /// Bytes of local volumes copied.
  var localBytes: Int64
}

extension Simulation {
  /// Why the guest cannot be moved at all (whatever the target), or nil when it can.
  func movability(of g: Guest) -> Blocker? {
    func block(_ limit: String, _ text: @autoclosure @escaping @Sendable () -> String) -> Blocker {
      Blocker(limit: limit, node: nil, text: text(), shortfall: 10)
    }
    let sid = g.sid
    if g.template { return block("unmovable", "\(sid) is a template") }
    if let lock = g.lock { return block("unmovable", "\(sid) is locked (\(lock))") }
    guard let l = load(g.node), l.online else {
      return block("unmovable", "\(sid) is on \(g.node), which is offline")
    }
    guard g.status == "running" || g.status == "stopped" else {
      return block("unmovable", "\(sid) is \(g.status)")
    }
    if policy.migration.neverMove.contains(where: { $0.matches(g) }) {
      return block("never-move", "\(sid) is listed in migration.never_move")
    }
    if g.kind == .lxc, g.isRunning, !policy.migration.allowContainerRestart {
      return block(
        "container-restart",
        "\(sid) is a running container and migration.allow_container_restart is false")
    }
    if !g.localDevices.isEmpty {
      return block(
        "unmovable",
        "\(sid) uses local devices (\(g.localDevices.sorted().joined(separator: ", "))); Proxmox cannot migrate it"
      )
    }
    if let d = g.disks.first(where: { $0.storage == nil }) {
      return block(
        "unmovable",
        "\(sid) has a bind mount or passthrough volume (\(d.key)) that cannot migrate")
    }
    if isHAManaged(sid) {
      if let disarm = cluster.haManager.disarm {
        return block(
          "ha-disarmed",
          "\(sid) is HA-managed and the HA stack is \(disarm.text): the CRM runs no HA migration until ha-manager crm-command arm-ha"
            + (disarm.mode == "ignore"
              ? " (meanwhile \(g.kind.cli) migrate works by hand, outside any plan)" : ""))
      }
      if let state = liveHAState(sid), !["started", "stopped", "disabled"].contains(state) {
        return block("ha-placement", "\(sid) is in HA state \(state)")
      }
      if let rule = rules(of: sid).first(where: {
        $0.type == "resource-affinity" && $0.affinity == "positive"
      }) {
        return block(
          "ha-placement",
          "\(sid) is in positive resource-affinity rule \(rule.id) (it would take its partners along)"
        )
      }
    }
    return nil
  }

  /// Checks every hard limit for moving `g` onto `target` in the current state.
  func landing(of g: Guest, on target: String) -> Result<Landing, Blocker> {
    func block(
      _ limit: String, _ text: @autoclosure @escaping @Sendable () -> String, _ shortfall: Double,
      best: @autoclosure @escaping @Sendable () -> String? = nil
    ) -> Result<Landing, Blocker> {
      .failure(
        Blocker(limit: limit, node: target, text: text(), shortfall: shortfall, best: best()))
    }
    guard let t = load(target), t.online, target != g.node else {
      return block("nodes", "\(target) is offline", 10)
    }
    guard !evacuated.contains(target) else {
      return block("nodes", "\(target) is the node being emptied", 10)
    }
    guard !inMaintenance(target) else {
      return block("nodes", "\(target) is in HA maintenance mode", 10)
    }
    let sid = g.sid
    if g.vcpus > t.cores {
      return block(
        "cores", "has \(g.vcpus) vCPUs, \(target) has \(t.cores) cores",
        Double(g.vcpus - t.cores) / Double(g.vcpus),
        best: "has \(g.vcpus) vCPUs, best is \(target) with \(t.cores) cores")
    }
    for set in keepApartOf[sid] ?? [] {
      for other in keepApart[set].sids where other != sid {
        if guest(other)?.node == target {
          let name = keepApart[set].name
          return block(
            "keep-apart",
            "would share \(target) with \(other) (keep-apart set '\(name)')", 5)
        }
      }
    }
    if isHAManaged(sid), let blocker = haPlacementBlocker(g, on: target) {
      return .failure(blocker)
    }
    if g.claimsCapacity {
      let budget = limits.memoryBudget(t)
      if t.memory + g.memory > budget {
        let free = max(0, budget - t.memory)
        return block(
          "memory",
          "needs \(ByteSize.binary(g.memory)), \(target) has \(ByteSize.binary(free)) after reserve",
          Double(t.memory + g.memory - budget) / Double(max(g.memory, 1)),
          best:
            "needs \(ByteSize.binary(g.memory)), best is \(target) with \(ByteSize.binary(free)) after reserve"
        )
      }
      var after = t
      after.vcpus += g.vcpus
      if !limits.withinVCPUCeiling(after) {
        let ratio = Double(after.vcpus) / Double(max(after.cores, 1))
        let ceiling = limits.vcpuPerCore
        return block(
          "vcpu-ceiling",
          "has \(g.vcpus) vCPUs: \(target) would reach \(Format.ratio(ratio)) vCPUs per core (ceiling \(Format.ratio(ceiling)))",
          (Double(after.vcpus) - limits.vcpuCeiling(after)) / Double(max(g.vcpus, 1)),
          best:
            "has \(g.vcpus) vCPUs, best is \(target), which would reach \(Format.ratio(ratio)) vCPUs per core (ceiling \(Format.ratio(ceiling)))"
        )
      }
    }
    var afterShare = t
    afterShare.guests += 1
    if enforceShare, !limits.withinShare(afterShare) {
      let guests = afterShare.guests
      let share = limits.coreShare(t)
      return block(
        "share",
        "\(target) would carry \(guests) guests, more than its \(Format.percent(share)) of the cores allows",
        1,
        best:
          "best is \(target), which would carry \(guests) guests, more than its \(Format.percent(share)) of the cores allows"
      )
    }
    for d in g.disks {
      guard let s = d.storage, isShared(s), let pool = storage(s) else { continue }
      if !usable(pool, for: g.kind, on: target) {
        return block("shared-storage", "storage \(s) is not available on \(target)", 3)
      }
    }
    return localLanding(of: g, on: target)
  }

  /// Where the guest's local volumes go on `target`: the same pool ids if they fit, else one pool.
  private func localLanding(of g: Guest, on target: String) -> Result<Landing, Blocker> {
    let local = localVolumes(of: g, includingUnused: true)
    let total = local.reduce(Int64(0)) { $0 + $1.size }
    guard !local.isEmpty else {
      return .success(Landing(node: target, targetStorage: nil, localBytes: 0))
    }
    var byPool: [String: Int64] = [:]
    for d in local { if let s = d.storage { byPool[s, default: 0] += d.size } }
    let sameIDs = byPool.allSatisfy { id, bytes in
      guard let pool = storage(id), usable(pool, for: g.kind, on: target) else { return false }
      return localFree(id, on: target) >= bytes
    }
    if sameIDs { return .success(Landing(node: target, targetStorage: nil, localBytes: total)) }
    let viaHA = isHAManaged(g.sid)
    let pools = cluster.storages.filter { !$0.shared && usable($0, for: g.kind, on: target) }
      .map { ($0.id, localFree($0.id, on: target)) }
      .sorted { ($0.1, $1.0) > ($1.1, $0.0) }
    if !viaHA, let best = pools.first, best.1 >= total {
      return .success(Landing(node: target, targetStorage: best.0, localBytes: total))
    }
    // Explain with the pool that came closest.
    if viaHA {
      let (id, bytes) =
        byPool.sorted { $0.key < $1.key }.first { id, bytes in
          guard let pool = storage(id), usable(pool, for: g.kind, on: target) else { return true }
          return localFree(id, on: target) < bytes
        } ?? ("?", total)
      let free = max(0, localFree(id, on: target))
      return .failure(
        Blocker(
          limit: "local-storage", node: target,
          text:
            "needs \(ByteSize.binary(bytes)) on \(id) (HA moves keep the pool), \(target) has \(ByteSize.binary(free)) free after reserve",
          shortfall: Double(bytes - free) / Double(max(bytes, 1)),
          best:
            "needs \(ByteSize.binary(bytes)) on \(id) (HA moves keep the pool), best is \(target) with \(ByteSize.binary(free)) free after reserve"
        ))
    }
    guard let best = pools.first else {
      return .failure(
        Blocker(
          limit: "local-storage", node: target,
          text:
            "needs \(ByteSize.binary(total)) of local storage, \(target) has no local pool for guest volumes",
          shortfall: 2))
    }
    let free = max(0, best.1)
    return .failure(
      Blocker(
        limit: "local-storage", node: target,
        text:
          "needs \(ByteSize.binary(total)) of local storage, \(target) has \(ByteSize.binary(free)) free on \(best.0) after reserve",
        shortfall: Double(total - free) / Double(max(total, 1)),
        best:
          "needs \(ByteSize.binary(total)) of local storage, best is \(target) with \(ByteSize.binary(free)) free on \(best.0) after reserve"
      ))
  }

  /// Why HA would refuse `target` for a managed guest or move it back from there.
  func haPlacementBlocker(_ g: Guest, on target: String) -> Blocker? {
    func block(_ text: @autoclosure @escaping @Sendable () -> String) -> Blocker {
      Blocker(limit: "ha-placement", node: target, text: text(), shortfall: 4)
    }
    let resource = haResource(g.sid)
    for rule in rules(of: g.sid) {
      if rule.type == "node-affinity" {
        let names = rule.nodes.map(\.node)
        if rule.strict && !names.contains(target) {
          return block(
            "strict HA rule \(rule.id) allows only \(names.joined(separator: ", "))")
        }
        if resource?.failback ?? true, let top = topPriority(rule.nodes) {
          let mine = rule.nodes.first { $0.node == target }?.priority
          if mine != top.priority {
            return block(
              "HA rule \(rule.id) prefers \(top.nodes.joined(separator: ", ")); the CRM would move it back"
            )
          }
        }
      } else if rule.type == "resource-affinity", rule.affinity == "negative" {
        for other in rule.resources where other != g.sid {
          if guest(other)?.node == target {
            return block("\(other) of negative HA rule \(rule.id) runs on \(target)")
          }
        }
      }
    }
    if let name = resource?.group, let group = cluster.haGroups?.first(where: { $0.id == name }) {
      let names = group.nodes.map(\.node)
      if group.restricted && !names.contains(target) {
        return block("restricted HA group \(name) allows only \(names.joined(separator: ", "))")
      }
      if !group.nofailback, let top = topPriority(group.nodes) {
        let mine = group.nodes.first { $0.node == target }?.priority
        if mine != top.priority {
          return block(
            "HA group \(name) prefers \(top.nodes.joined(separator: ", ")); the CRM would move it back"
          )
        }
      }
    }
    return nil
  }

  /// The CRM's live state of `sid`, else the configured one.
  /// Whether `node` is in HA maintenance mode (`ha-manager crm-command node-maintenance`): the CRM
  /// moves guests off it, so nothing may move there.
  func inMaintenance(_ node: String) -> Bool {
    maintenance.contains(node)
  }

  /// Whether guests may be moved to `node` or prefer it: online and not in maintenance.
  func isTarget(_ node: String) -> Bool {
    (load(node)?.online ?? false) && !inMaintenance(node)
  }

  func liveHAState(_ sid: String) -> String? {
    cluster.haManager.services[sid]?.state ?? guest(sid)?.haState ?? haResource(sid)?.state
  }

  /// The highest priority among the online nodes of a list, and those nodes.
  private func topPriority(_ list: [NodePriority]) -> (priority: Int, nodes: [String])? {
    let online = list.filter { (load($0.node)?.online ?? false) && !evacuated.contains($0.node) }
    guard let top = online.map(\.priority).max() else { return nil }
    return (top, online.filter { $0.priority == top }.map(\.node).sorted())
  }

  /// The numeric limits alone (cores, memory budget, vCPU ceiling, share), without words: most
  /// targets fail here, and cheaply.
  func quickFits(_ g: Guest, on t: NodeLoad) -> Bool {
    guard t.online, t.name != g.node, g.vcpus <= t.cores else { return false }
    var after = t
    after.guests += 1
    if g.claimsCapacity {
      after.vcpus += g.vcpus
      after.memory += g.memory
      guard limits.withinMemoryBudget(after), limits.withinVCPUCeiling(after) else { return false }
    }
    return !enforceShare || limits.withinShare(after)
  }

  /// Whether any online node passes `quickFits` for a guest of this size from its node.
  func anyQuickFit(_ g: Guest) -> Bool { loads.contains { quickFits(g, on: $0) } }

  /// Every online target the guest fits on, best first (least loaded after the move), or the
  /// blocker of the closest miss (`explain: false` skips the words and the closest miss).
  func bestLanding(of g: Guest, explain: Bool = true) -> Result<Landing, Blocker> {
    var best: (key: Double, landing: Landing)?
    var closest: Blocker?
    for t in loads where t.online && t.name != g.node {
      if !explain && !quickFits(g, on: t) { continue }
      switch landing(of: g, on: t.name) {
      case .success(let l):
        let key = utilisation(of: t, adding: g)
        if best == nil || key < (best?.key ?? .infinity) - 1e-12 { best = (key, l) }
      case .failure(let b):
        if closest == nil || b.shortfall < (closest?.shortfall ?? .infinity) - 1e-12 {
          closest = b
        }
      }
    }
    if let best { return .success(best.landing) }
    if !explain { return .failure(Blocker.unexplained) }
    guard let closest else {
      return .failure(
        Blocker(limit: "nodes", node: nil, text: "there is no other online node", shortfall: 10))
    }
    return .failure(closest.asBest)
  }

  /// Every online target `g` fits on now (every hard limit), with the target's fill ratio after
  /// the move (`utilisation`), by node name.
  func landings(of g: Guest) -> [(fill: Double, landing: Landing)] {
    loads.compactMap { t -> (fill: Double, landing: Landing)? in
      guard t.online, t.name != g.node, quickFits(g, on: t),
        case .success(let l) = landing(of: g, on: t.name)
      else { return nil }
      return (utilisation(of: t, adding: g), l)
    }.sorted { $0.landing.node < $1.landing.node }
  }

  /// The room each online node that may take guests has left under the memory budget and the vCPU
  /// ceiling (never negative).
  func rooms() -> [(memory: Int64, vcpus: Double)] {
    loads.filter { $0.online && !evacuated.contains($0.name) }.map {
      (
        max(0, limits.memoryBudget($0) - $0.memory),
        max(0, limits.vcpuCeiling($0) - Double($0.vcpus))
      )
    }
  }

  /// The node's highest fill ratio (vCPUs, memory, guests against their limits) with `g` added.
  func utilisation(of t: NodeLoad, adding g: Guest) -> Double {
    var after = t
    after.guests += 1
    if g.claimsCapacity {
      after.vcpus += g.vcpus
      after.memory += g.memory
    }
    let v = Double(after.vcpus) / max(limits.vcpuCeiling(after), 1e-9)
    let m = Double(after.memory) / Double(max(limits.memoryBudget(after), 1))
    let s =
      limits.totalGuests > 0 ? Double(after.guests) / max(limits.guestCeiling(after), 1e-9) : 0
    return max(v, m, s)
  }
}
