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
    let previous = lastStepOfGuest[g.sid]
    let (i, last) = addFoldingOutage(draft, g, viaHA: viaHA)
    room.step = i
    migrationOf[g.sid] = MigrationRecord(
      draft: i, from: source, to: target,
      plain: i == last && drafts[i].commands.count == 1 && landing.targetStorage == nil,
      previous: previous)
    lastStepOfGuest[g.sid] = last
    freed[source, default: []].append(room)
    if viaHA, haArrival[target] == nil { haArrival[target] = i }
    moved.insert(g.sid)
    migrations += 1
  }

  /// Sends `g`, which this plan already migrates, to `landing.node` instead: its migration is
  /// undone in the simulation and drafted again from where it started, and the old draft is
  /// absorbed into the new one (whatever waited for it waits for the new one). So a guest moves
  /// once even when a later goal (the HA spread) wants it elsewhere. Returns false (and changes
  /// nothing) when that migration is not a plain one or the new one would wait for itself.
  mutating func retarget(
    _ g: Guest, _ landing: Landing, phase: StepDraft.Phase, reasons: [String], why: String
  ) -> Bool {
    guard let record = migrationOf[g.sid], record.plain, record.to == g.node,
      drafts[record.draft].absorbedInto == nil, lastStepOfGuest[g.sid] == record.draft,
      record.from != landing.node
    else { return false }
    var probe = self
    probe.sim.moveGuest(g.sid, to: record.from, targetStorage: nil)
    guard let back = probe.sim.guest(g.sid) else { return false }
    if probe.haPlanned[g.sid] != nil, !probe.sim.isHAManaged(g.sid) {
      probe.plannedHAOn[record.to, default: 0] -= 1
      probe.plannedHAOn[record.from, default: 0] += 1
    }
    probe.freed[record.from]?.removeAll { $0.step == record.draft }
    if probe.haArrival[record.to] == record.draft { probe.haArrival[record.to] = nil }
    probe.lastStepOfGuest[g.sid] = drafts[record.draft].dependencies.max()
    probe.migrations -= 1
    let old = drafts[record.draft]
    var reasonsNow = Array(Set(reasons + old.reasons)).sorted()
    reasonsNow.removeAll { $0.isEmpty }
    probe.addMigration(
      back, landing, phase: old.phase, reasons: reasonsNow,
      why: [old.detail, why].compactMap { $0 }.joined(separator: "; "))
    guard let new = probe.migrationOf[g.sid]?.draft else { return false }
    probe.drafts[new].dependencies.formUnion(old.dependencies)
    probe.drafts[record.draft].absorbedInto = new
    // Whatever waited for the old draft now waits for the new one: it must not wait for them.
    let waiting = Set(
      probe.drafts.indices.filter { probe.drafts[$0].dependencies.contains(record.draft) })
    if probe.waitsFor(probe.drafts[new].dependencies, waiting.union([new])) { return false }
    self = probe
    return true
  }

  /// Adds the migration `m` of `g`. When `g` is a running container whose volume move (drafted
  /// by the volumes phase) already stops it, the two become one outage: shutdown → `pct
  /// move-volume` → offline `pct migrate` → start on the target (through HA: stop, move and
  /// migrate, start). Returns the index of the draft that moves the guest and of its last draft.
  private mutating func addFoldingOutage(_ m: StepDraft, _ g: Guest, viaHA: Bool) -> (Int, Int) {
    guard g.kind == .lxc, g.isRunning, let move = storageMoves[g.sid], move.outage,
      move.viaHA == viaHA, move.node == g.node,
      move.drafts.allSatisfy({ drafts[$0].absorbedInto == nil })
    else {
      let i = add(m)
      return (i, i)
    }
    let absorbed = Set(move.drafts)
    var deps = m.dependencies
    for v in move.drafts { deps.formUnion(drafts[v].dependencies) }
    deps.subtract(absorbed)
    // A step this one would wait for that itself waits for the volume move: folding would make
    // a cycle, so keep the two outages.
    if waitsFor(deps, absorbed) {
      let i = add(m)
      return (i, i)
    }
    let source = g.node
    let vmid = String(g.vmid)
    let target = m.effects.first { $0.kind == .guestOnNode }?.node ?? source
    let volumeDrafts = move.drafts.map { drafts[$0] }
    let moveCommands = volumeDrafts.flatMap(\.commands).filter { $0.argv.contains("move-volume") }
    let moveBack = volumeDrafts.flatMap(\.inverse).filter { $0.argv.contains("move-volume") }
    let volumeBytes = move.volumes.reduce(Int64(0)) { $0 + $1.size }
    let keys = move.volumes.map(\.key).joined(separator: ", ")
    let reasons = Array(Set(m.reasons + volumeDrafts.flatMap(\.reasons))).sorted()
    let migrateBytes = sim.localVolumes(of: g, includingUnused: true).reduce(Int64(0)) {
      $0 + $1.size
    }
    let outage = Estimate.foldedOutage(
      g, volumeBytes: volumeBytes, pool: move.pool, localBytes: migrateBytes, target: target,
      viaHA: viaHA)
    var before = m.figures
    for k in before.indices where before[k].node == source { before[k].localFree -= volumeBytes }
    let volumePre = volumeDrafts.flatMap(\.preconditions).filter { $0.kind == .volumeOnStorage }
    let volumeEffects = volumeDrafts.flatMap(\.effects).filter { $0.kind == .volumeOnStorage }
    let why = [m.detail, volumeDrafts.first?.detail].compactMap { $0 }.joined(separator: "; ")

    if !viaHA {
      var d = m
      d.title =
        "Migrate \(label(g)) from \(source) to \(target), moving \(keys) to \(move.pool) (one restart)"
      d.reasons = reasons
      d.dependencies = deps
      let offline = Self.withoutRestart(m.commands.first?.argv ?? [])
      let back = Self.withoutRestart(m.inverse.first?.argv ?? [])
      d.commands =
        [RemoteCommand(node: source, argv: ["pct", "shutdown", vmid], mutating: true)]
        + moveCommands + [
          RemoteCommand(node: source, argv: offline, mutating: true),
          RemoteCommand(node: target, argv: ["pct", "start", vmid], mutating: true),
        ]
      d.inverse =
        [
          RemoteCommand(node: target, argv: ["pct", "shutdown", vmid], mutating: true),
          RemoteCommand(node: target, argv: back, mutating: true),
        ] + moveBack + [RemoteCommand(node: source, argv: ["pct", "start", vmid], mutating: true)]
      let running = Condition(.guestStatus, sid: g.sid, state: "running")
      d.preconditions = Array(Set(m.preconditions + volumePre + [running])).sorted()
      d.effects = Array(Set(m.effects + volumeEffects + [running])).sorted()
      d.downtime = outage
      d.figures = before
      d.detail = why
      let i = add(d)
      for v in move.drafts { drafts[v].absorbedInto = i }
      return (i, i)
    }

    // Through HA: stop, then move the volumes and migrate the stopped service (the CRM migrates
    // a stopped service and leaves it stopped on the target), then start it there.
    guard let stopDraft = volumeDrafts.first else {
      let i = add(m)
      return (i, i)
    }
    var stop = stopDraft
    stop.phase = m.phase
    stop.dependencies = deps
    stop.title =
      "Stop \(label(g)) through HA to move \(keys) to \(move.pool) and migrate it to \(target)"
    stop.reasons = reasons
    stop.downtime = outage
    stop.detail = why
    let first = add(stop)

    var d = m
    d.title =
      "Move \(label(g)) \(keys) to \(move.pool) and migrate it (stopped) to \(target) through HA"
    d.reasons = reasons
    d.dependencies = [first]
    d.commands = moveCommands + m.commands
    d.inverse = m.inverse + moveBack
    let stopped = Condition(.guestStatus, sid: g.sid, state: "stopped")
    d.preconditions = Array(Set(m.preconditions + volumePre + [stopped])).sorted()
    d.effects = Array(Set(m.effects + volumeEffects)).sorted()
    d.downtime = Downtime(seconds: 0, note: "counted in the step that stopped it")
    d.figures = before
    let i = add(d)

    var start = StepDraft(
      phase: m.phase, kind: .moveVolume, title: "Start \(label(g)) through HA on \(target)",
      reasons: reasons, dependencies: [i])
    start.commands = [
      RemoteCommand(
        node: target, argv: ["ha-manager", "set", g.sid, "--state", "started"], mutating: true)
    ]
    start.inverse = [
      RemoteCommand(
        node: target, argv: ["ha-manager", "set", g.sid, "--state", "stopped"], mutating: true)
    ]
    start.preconditions = [
      Condition(.guestOnNode, sid: g.sid, node: target),
      Condition(.haManaged, sid: g.sid, state: "stopped"),
    ].sorted()
    // The guest on the target too: otherwise its effects hold before the plan runs (the guest
    // runs, HA started) and the executor would count the stop and this start as done.
    start.effects = [
      Condition(.guestOnNode, sid: g.sid, node: target),
      Condition(.guestStatus, sid: g.sid, state: "running"),
      Condition(.haManaged, sid: g.sid, state: "started"),
    ].sorted()
    start.wait = Wait(
      kind: "ha-state", sid: g.sid, node: target, timeoutSeconds: policy.migration.timeoutSeconds,
      state: "started")
    start.downtime = Downtime(seconds: 0, note: "counted in the step that stopped it")
    let last = add(start)
    for v in move.drafts { drafts[v].absorbedInto = first }
    drafts[move.drafts[move.drafts.count - 1]].absorbedInto = i
    return (i, last)
  }

  /// Whether any of `deps` waits, directly or through others, for one of `targets`.
  func waitsFor(_ deps: Set<Int>, _ targets: Set<Int>) -> Bool {
    var stack = Array(deps)
    var seen = Set<Int>()
    while let d = stack.popLast() {
      guard seen.insert(d).inserted, drafts.indices.contains(d) else { continue }
      var next = drafts[d].dependencies
      if let owner = drafts[d].absorbedInto { next.insert(owner) }
      for n in next {
        if targets.contains(n) { return true }
        stack.append(n)
      }
    }
    return false
  }

  /// `pct migrate … --restart 1` without `--restart 1`: the container is already stopped.
  static func withoutRestart(_ argv: [String]) -> [String] {
    var out: [String] = []
    var k = 0
    while k < argv.count {
      if argv[k] == "--restart", k + 1 < argv.count {
        k += 2
        continue
      }
      out.append(argv[k])
      k += 1
    }
    return out
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
    let discounted: Bool
    switch outageDiscount {
    case .all: discounted = true
    case .notManaged: discounted = !sim.isHAManaged(g.sid)
    case .unmanaged: discounted = !sim.isHAManaged(g.sid) && haPlanned[g.sid] == nil
    case .none: discounted = false
    }
    if discounted, g.kind == .lxc, g.isRunning, let move = storageMoves[g.sid], move.outage,
      move.node == g.node, move.viaHA == sim.isHAManaged(g.sid)
    {
      // It stops for its volume move anyway: migrating it in that outage costs no other.
      return 1 + Double(Estimate.copySeconds(local)) / 600
    }
    return Estimate.moveCost(g, localBytes: local, viaHA: sim.isHAManaged(g.sid))
  }

  // MARK: Keep-apart

  var moveLimitText: String {
    "the playbook allows at most \(policy.migration.maxMoves) migrations per plan (migration.max_moves); apply this plan, then plan again"
  }
}
