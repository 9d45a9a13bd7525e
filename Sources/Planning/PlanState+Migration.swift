import Audit
import PVEModel
import Playbook

extension PlanState {
  /// Drafts the migration of `g` as `landing` says and applies it to the simulation.
  mutating func addMigration(
    _ g: Guest, _ landing: Landing, phase: StepDraft.Phase, reasons: [String], why: String
  ) {
    let source = g.node
    let target = landing.node
    let vmid = String(g.vmid)
    let viaHA = sim.isHAManaged(g.sid)
    var draft = StepDraft(
      phase: phase, kind: .migrate,
      title: "Migrate \(label(g)) from \(source) to \(target)", reasons: reasons.sorted())
    draft.dependencies = dependencies(of: g, landing)

    let originalPools = Set(sim.localVolumes(of: g, includingUnused: true).compactMap(\.storage))
    if viaHA {
      let verb = g.kind == .qemu ? "migrate" : "relocate"
      draft.commands = [
        RemoteCommand(node: source, argv: ["ha-manager", verb, g.sid, target], mutating: true)
      ]
      draft.inverse = [
        RemoteCommand(node: target, argv: ["ha-manager", verb, g.sid, source], mutating: true)
      ]
      draft.wait = Wait(
        kind: "ha-migrate", sid: g.sid, node: target,
        timeoutSeconds: policy.migration.timeoutSeconds)
    } else if g.kind == .qemu {
      var argv = ["qm", "migrate", vmid, target, "--online", "1"]
      var back = ["qm", "migrate", vmid, source, "--online", "1"]
      if landing.localBytes > 0 {
        argv += ["--with-local-disks", "1"]
        back += ["--with-local-disks", "1"]
      }
      if let s = landing.targetStorage {
        argv += ["--targetstorage", s]
        if originalPools.count == 1, let original = originalPools.first {
          back += ["--targetstorage", original]
        }
      }
      draft.commands = [RemoteCommand(node: source, argv: argv, mutating: true)]
      draft.inverse = [RemoteCommand(node: target, argv: back, mutating: true)]
    } else {
      var argv = ["pct", "migrate", vmid, target, "--restart", "1"]
      var back = ["pct", "migrate", vmid, source, "--restart", "1"]
      if let s = landing.targetStorage {
        argv += ["--target-storage", s]
        if originalPools.count == 1, let original = originalPools.first {
          back += ["--target-storage", original]
        }
      }
      draft.commands = [RemoteCommand(node: source, argv: argv, mutating: true)]
      draft.inverse = [RemoteCommand(node: target, argv: back, mutating: true)]
    }
    draft.preconditions = [
      Condition(.guestOnNode, sid: g.sid, node: source),
      Condition(.nodeOnline, node: target),
      viaHA ? Condition(.haManaged, sid: g.sid) : Condition(.haNotManaged, sid: g.sid),
    ].sorted()
    var effects = [Condition(.guestOnNode, sid: g.sid, node: target)]
    if viaHA { effects.append(Condition(.haSettled, sid: g.sid)) }
    draft.effects = effects.sorted()
    draft.downtime = Estimate.migration(g, localBytes: landing.localBytes, viaHA: viaHA)
    draft.detail = why
    draft.figures = [source, target].compactMap { sim.figures($0) }
    var room = FreedRoom(step: drafts.count, guests: 1)
    if g.claimsCapacity {
      room.vcpus = g.vcpus
      room.memory = g.memory
    }
    for d in sim.localVolumes(of: g, includingUnused: true) {
      if let s = d.storage { room.local[s, default: 0] += d.size }
    }
    sim.moveGuest(g.sid, to: target, targetStorage: landing.targetStorage)
    if haPlanned[g.sid] != nil, !viaHA {
      plannedHAOn[source, default: 0] -= 1
      plannedHAOn[target, default: 0] += 1
    }
    draft.figuresAfter = [source, target].compactMap { sim.figures($0) }
    let i = add(draft)
    lastStepOfGuest[g.sid] = i
    freed[source, default: []].append(room)
    if viaHA, haArrival[target] == nil { haArrival[target] = i }
    moved.insert(g.sid)
    migrations += 1
  }

  /// The steps a move of `g` onto `landing.node` really waits for: the guest's previous step, a
  /// keep-apart partner leaving the target, and the fewest earlier steps (oldest first) whose
  /// freed room the move needs on the target.
  func dependencies(of g: Guest, _ landing: Landing) -> Set<Int> {
    var deps = Set<Int>()
    if let last = lastStepOfGuest[g.sid] { deps.insert(last) }
    let target = landing.node
    for set in sim.keepApartOf[g.sid] ?? [] {
      for partner in sim.keepApart[set].sids where partner != g.sid && moved.contains(partner) {
        if originalNode[partner] == target, let step = lastStepOfGuest[partner] {
          deps.insert(step)
        }
      }
    }
    guard let records = freed[target], !records.isEmpty, let t = sim.load(target) else {
      return deps
    }
    var needs: [String: Int64] = [:]
    for d in sim.localVolumes(of: g, includingUnused: true) {
      guard let s = d.storage else { continue }
      needs[landing.targetStorage ?? s, default: 0] += d.size
    }
    func fits(without rest: ArraySlice<FreedRoom>) -> Bool {
      var load = t
      var local: [String: Int64] = [:]
      for r in rest {
        load.vcpus += r.vcpus
        load.memory += r.memory
        load.guests += r.guests
        for (s, b) in r.local { local[s, default: 0] += b }
      }
      if g.claimsCapacity {
        load.vcpus += g.vcpus
        load.memory += g.memory
        if !sim.limits.withinVCPUCeiling(load) || !sim.limits.withinMemoryBudget(load) {
          return false
        }
      }
      load.guests += 1
      if sim.enforceShare && !sim.limits.withinShare(load) { return false }
      for (s, bytes) in needs where sim.localFree(s, on: target) - (local[s] ?? 0) < bytes {
        return false
      }
      return true
    }
    for k in 0...records.count where fits(without: records[k...]) {
      deps.formUnion(records[..<k].map(\.step))
      break
    }
    return deps
  }

  /// Whether another migration fits under `migration.max_moves`.
  var mayMove: Bool { migrations < policy.migration.maxMoves }

  /// Cost of moving `g` (cheap first): stopped guests, then live VMs, then containers; local
  /// volumes add copy time.
  func moveCost(_ g: Guest) -> Double {
    let local = sim.localVolumes(of: g, includingUnused: true).reduce(Int64(0)) { $0 + $1.size }
    return Estimate.moveCost(g, localBytes: local, viaHA: sim.isHAManaged(g.sid))
  }

  // MARK: Keep-apart

  var moveLimitText: String {
    "the playbook allows at most \(policy.migration.maxMoves) migrations per plan (migration.max_moves); apply this plan, then plan again"
  }
}
