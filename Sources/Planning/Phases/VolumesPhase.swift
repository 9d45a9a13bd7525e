import Audit
import PVEModel
import Playbook

/// Decides which guests become HA-managed and moves the node-local volumes of those (and of HA
/// guests already managed) to shared storage first: HA cannot restart a guest elsewhere when its
/// disks die with its node.
struct VolumesPhase: PlanPhase {
  func run(_ s: inout PlanState) {
    // Guests the playbook wants HA-managed.
    for f in s.findings("ha.unprotected", action: .enableHA) {
      let sid = f.subject.id
      guard let g = s.sim.guest(sid) else {
        s.markUnresolved(f.id, "\(sid) is not in the snapshot", limit: "unmovable")
        continue
      }
      if s.sim.isHAManaged(sid) {
        s.markUnresolved(f.id, "\(sid) is already HA-managed in the snapshot", limit: nil)
        continue
      }
      if g.template {
        s.markUnresolved(f.id, "\(sid) is a template; templates do not run", limit: "unmovable")
        continue
      }
      if !g.localDevices.isEmpty {
        s.markUnresolved(
          f.id,
          "\(s.label(g)) uses local devices (\(g.localDevices.sorted().joined(separator: ", "))) that only exist on \(g.node); Proxmox cannot migrate it and HA could not start it elsewhere",
          limit: "unmovable")
        continue
      }
      if let d = g.disks.first(where: { $0.storage == nil && !$0.isUnused }) {
        s.markUnresolved(
          f.id,
          "\(s.label(g)) has a bind mount or passthrough volume (\(d.key): \(d.volid)) that only exists on \(g.node); HA could not start it elsewhere",
          limit: "unmovable")
        continue
      }
      s.haPlanned[sid, default: []].append(f.id)
    }
    // Guests already HA-managed with local volumes.
    var existing: [String: [String]] = [:]
    for f in s.findings("ha.local-storage", action: .enableHA) {
      let sid = f.subject.id
      if s.sim.isHAManaged(sid), s.sim.liveHAState(sid) == "error" {
        s.markUnresolved(
          f.id,
          "HA resource \(sid) is in state error; Proxmox refuses to change it until it is disabled: run 'ha-manager set \(sid) --state disabled', fix the cause, then set it back to started and plan again",
          limit: "ha-placement")
        continue
      }
      if let g = s.sim.guest(sid), !g.localDevices.isEmpty {
        s.markUnresolved(
          f.id,
          "\(s.label(g)) uses local devices (\(g.localDevices.sorted().joined(separator: ", "))) that only exist on \(g.node); HA cannot start it elsewhere, so its volumes stay",
          limit: "unmovable")
        continue
      }
      if s.haPlanned[sid] != nil {
        s.haPlanned[sid, default: []].append(f.id)
      } else if s.sim.guest(sid) != nil {
        existing[sid, default: []].append(f.id)
      } else {
        s.markUnresolved(f.id, "\(sid) is not in the snapshot", limit: "unmovable")
      }
    }

    let sids = Set(s.haPlanned.keys).union(existing.keys)
    let ordered = sids.compactMap { sid in
      s.sim.guest(sid).map { (rank: s.policy.criticality(of: $0)?.level.rank ?? 9, guest: $0) }
    }.sorted { ($0.rank, $0.guest.vmid) < ($1.rank, $1.guest.vmid) }.map(\.guest)
    for g in ordered {
      let reasons = (s.haPlanned[g.sid] ?? []) + (existing[g.sid] ?? [])
      let volumes = s.sim.localVolumes(of: g, includingUnused: false)
      guard !volumes.isEmpty else { continue }
      if !(s.sim.load(g.node)?.online ?? false) {
        for r in reasons {
          s.markUnresolved(
            r, "\(s.label(g)) is on \(g.node), which is offline; its volumes cannot move",
            limit: "nodes")
        }
        s.haPlanned[g.sid] = nil
        continue
      }
      if let lock = g.lock {
        for r in reasons {
          s.markUnresolved(
            r,
            "\(s.label(g)) is locked (\(lock)); its volumes cannot move until the lock is gone: plan again then",
            limit: "unmovable")
        }
        s.haPlanned[g.sid] = nil
        continue
      }
      switch s.sharedPool(for: g, bytes: volumes.reduce(Int64(0)) { $0 + $1.size }) {
      case .failure(let blocker):
        for r in reasons { s.markUnresolved(r, blocker.text, limit: blocker.limit) }
        s.haPlanned[g.sid] = nil
      case .success(let pool):
        s.addVolumeMoves(g, volumes: volumes, to: pool, reasons: reasons.sorted())
      }
    }
    s.countPlannedHA()
  }
}

extension PlanState {

  /// The shared pool that takes all of `bytes` for `g`: the playbook's, or the one with most room.
  fileprivate func sharedPool(for g: Guest, bytes: Int64) -> Result<String, Blocker> {
    let total = Format.bytes(bytes)
    let local = Set(sim.localVolumes(of: g, includingUnused: false).compactMap(\.storage)).sorted()
      .joined(separator: ", ")
    let prefix = "\(label(g)) keeps \(total) on \(local)"
    // Blocker texts are made later: they must not hold on to `self` (its storage would be
    // copied on the next change).
    let warn = policy.capacity.storageWarn
    if let id = policy.ha.sharedStorage {
      guard let pool = sim.storage(id), pool.shared else {
        return .failure(
          Blocker(
            limit: "shared-storage", node: nil,
            text:
              "\(prefix): ha.shared_storage '\(id)' is not a shared storage of this cluster; name one in the playbook",
            shortfall: 1))
      }
      guard sim.usable(pool, for: g.kind, on: g.node) else {
        return .failure(
          Blocker(
            limit: "shared-storage", node: g.node,
            text:
              "\(prefix): ha.shared_storage '\(id)' does not take \(g.kind == .qemu ? "images" : "rootdir") on \(g.node)",
            shortfall: 1))
      }
      let free = sim.sharedFree(id)
      guard free >= bytes else {
        return .failure(
          Blocker(
            limit: "shared-storage", node: nil,
            text:
              "\(prefix): \(id) has \(Format.bytes(max(0, free))) below its \(Format.percent(warn)) warning line",
            shortfall: 1))
      }
      return .success(id)
    }
    let pools = sim.cluster.storages.filter { $0.shared && sim.usable($0, for: g.kind, on: g.node) }
      .map { ($0.id, sim.sharedFree($0.id)) }
      .sorted { ($0.1, $1.0) > ($1.1, $0.0) }
    guard let best = pools.first else {
      return .failure(
        Blocker(
          limit: "shared-storage", node: g.node,
          text:
            "\(prefix): no shared storage takes \(g.kind == .qemu ? "VM disks (images)" : "container volumes (rootdir)") on \(g.node)",
          shortfall: 1))
    }
    guard best.1 >= bytes else {
      return .failure(
        Blocker(
          limit: "shared-storage", node: nil,
          text:
            "\(prefix): no shared storage has room, best is \(best.0) with \(Format.bytes(max(0, best.1))) below its \(Format.percent(warn)) warning line",
          shortfall: 1))
    }
    return .success(best.0)
  }

  /// Drafts the volume move of `g`'s local volumes to `pool` and applies it to the simulation.
  fileprivate mutating func addVolumeMoves(
    _ g: Guest, volumes: [Disk], to pool: String, reasons: [String]
  ) {
    let node = g.node
    let bytes = volumes.reduce(Int64(0)) { $0 + $1.size }
    let figuresBefore = sim.figures(node).map { [$0] } ?? []
    let keys = volumes.map(\.key).joined(separator: ", ")
    var before: [Condition] = [Condition(.guestOnNode, sid: g.sid, node: node)]
    var after: [Condition] = []
    for d in volumes {
      before.append(Condition(.volumeOnStorage, sid: g.sid, key: d.key, storage: d.storage))
      after.append(Condition(.volumeOnStorage, sid: g.sid, key: d.key, storage: pool))
    }
    let vmid = String(g.vmid)
    let dependencies = Set(lastStepOfGuest[g.sid].map { [$0] } ?? [])
    let managed = sim.isHAManaged(g.sid)
    let haStarted = managed && (sim.haResource(g.sid)?.state ?? "started") != "stopped"

    switch g.kind {
    case .qemu:
      var draft = StepDraft(
        phase: .volumes, kind: .moveVolume,
        title: "Move \(label(g)) \(keys) to \(pool)", reasons: reasons,
        dependencies: dependencies)
      draft.commands = volumes.map {
        RemoteCommand(
          node: node, argv: ["qm", "disk", "move", vmid, $0.key, pool, "--delete", "1"],
          mutating: true)
      }
      draft.inverse = volumes.compactMap { d in
        d.storage.map {
          RemoteCommand(
            node: node, argv: ["qm", "disk", "move", vmid, d.key, $0, "--delete", "1"],
            mutating: true)
        }
      }
      draft.preconditions = before.sorted()
      draft.effects = after.sorted()
      draft.downtime = Estimate.volumeMove(g, bytes: bytes)
      draft.detail = "HA needs shared storage to restart \(g.sid) on another node"
      for d in volumes { sim.moveVolume(g.sid, key: d.key, to: pool) }
      draft.figures = figuresBefore
      draft.figuresAfter = sim.figures(node).map { [$0] }
      let i = add(draft)
      lastStepOfGuest[g.sid] = i
      recordFreed(step: i, node: node, volumes: volumes)

    case .lxc where haStarted && g.isRunning:
      // `pct shutdown|start` of an HA-managed container only queue HA requests: stop and start
      // it through HA and wait for the CRM.
      var stop = StepDraft(
        phase: .volumes, kind: .moveVolume,
        title: "Stop \(label(g)) through HA to move \(keys) to \(pool)", reasons: reasons,
        dependencies: dependencies)
      stop.commands = [
        RemoteCommand(
          node: node, argv: ["ha-manager", "set", g.sid, "--state", "stopped"], mutating: true)
      ]
      stop.inverse = [
        RemoteCommand(
          node: node, argv: ["ha-manager", "set", g.sid, "--state", "started"], mutating: true)
      ]
      stop.preconditions = [
        Condition(.guestOnNode, sid: g.sid, node: node),
        Condition(.haManaged, sid: g.sid, state: "started"),
      ].sorted()
      stop.effects = [
        Condition(.guestStatus, sid: g.sid, state: "stopped"),
        Condition(.haManaged, sid: g.sid, state: "stopped"),
      ].sorted()
      stop.wait = Wait(
        kind: "ha-state", sid: g.sid, node: node, timeoutSeconds: policy.migration.timeoutSeconds,
        state: "stopped")
      let downtime = Estimate.volumeMove(g, bytes: bytes)
      stop.downtime = downtime
      stop.detail = "HA needs shared storage to restart \(g.sid) on another node"
      sim.setHAState(g.sid, "stopped")
      let first = add(stop)

      var move = StepDraft(
        phase: .volumes, kind: .moveVolume,
        title: "Move \(label(g)) \(keys) to \(pool) and start it through HA", reasons: reasons,
        dependencies: [first])
      move.commands =
        volumes.map {
          RemoteCommand(
            node: node, argv: ["pct", "move-volume", vmid, $0.key, pool, "--delete", "1"],
            mutating: true)
        } + [
          RemoteCommand(
            node: node, argv: ["ha-manager", "set", g.sid, "--state", "started"], mutating: true)
        ]
      move.inverse = containerInverse(g, volumes: volumes, node: node, viaHA: true)
      move.preconditions = (before + [Condition(.guestStatus, sid: g.sid, state: "stopped")])
        .sorted()
      move.effects =
        (after + [
          Condition(.guestStatus, sid: g.sid, state: "running"),
          Condition(.haManaged, sid: g.sid, state: "started"),
        ]).sorted()
      move.wait = Wait(
        kind: "ha-state", sid: g.sid, node: node, timeoutSeconds: policy.migration.timeoutSeconds,
        state: "started")
      move.downtime = Downtime(seconds: 0, note: "counted in the step that stopped it")
      for d in volumes { sim.moveVolume(g.sid, key: d.key, to: pool) }
      sim.setHAState(g.sid, "started")
      move.figures = figuresBefore
      move.figuresAfter = sim.figures(node).map { [$0] }
      let i = add(move)
      storageMoves[g.sid] = StorageMove(
        drafts: [first, i], pool: pool, volumes: volumes, node: node, viaHA: true, outage: true)
      lastStepOfGuest[g.sid] = i
      recordFreed(step: i, node: node, volumes: volumes)

    case .lxc:
      let running = g.isRunning
      var draft = StepDraft(
        phase: .volumes, kind: .moveVolume,
        title: "Move \(label(g)) \(keys) to \(pool)\(running ? " (container restarts)" : "")",
        reasons: reasons, dependencies: dependencies)
      var commands: [RemoteCommand] = []
      if running {
        commands.append(RemoteCommand(node: node, argv: ["pct", "shutdown", vmid], mutating: true))
      }
      commands += volumes.map {
        RemoteCommand(
          node: node, argv: ["pct", "move-volume", vmid, $0.key, pool, "--delete", "1"],
          mutating: true)
      }
      if running {
        commands.append(RemoteCommand(node: node, argv: ["pct", "start", vmid], mutating: true))
      }
      draft.commands = commands
      draft.inverse = containerInverse(g, volumes: volumes, node: node, viaHA: false)
      let status = Condition(.guestStatus, sid: g.sid, state: running ? "running" : "stopped")
      var pre = before + [status]
      if !managed { pre.append(Condition(.haNotManaged, sid: g.sid)) }
      draft.preconditions = pre.sorted()
      draft.effects = (after + [status]).sorted()
      draft.downtime = Estimate.volumeMove(g, bytes: bytes)
      draft.detail = "HA needs shared storage to restart \(g.sid) on another node"
      for d in volumes { sim.moveVolume(g.sid, key: d.key, to: pool) }
      draft.figures = figuresBefore
      draft.figuresAfter = sim.figures(node).map { [$0] }
      let i = add(draft)
      storageMoves[g.sid] = StorageMove(
        drafts: [i], pool: pool, volumes: volumes, node: node, viaHA: false, outage: running)
      lastStepOfGuest[g.sid] = i
      recordFreed(step: i, node: node, volumes: volumes)
    }
  }

  /// Records the local bytes a volume move frees on `node`.
  fileprivate mutating func recordFreed(step: Int, node: String, volumes: [Disk]) {
    var room = FreedRoom(step: step)
    for d in volumes { if let s = d.storage { room.local[s, default: 0] += d.size } }
    freed[node, default: []].append(room)
  }

  /// Moving a container's volumes back where they were.
  fileprivate func containerInverse(_ g: Guest, volumes: [Disk], node: String, viaHA: Bool)
    -> [RemoteCommand]
  {
    let vmid = String(g.vmid)
    let stop =
      viaHA
      ? RemoteCommand(
        node: node, argv: ["ha-manager", "set", g.sid, "--state", "stopped"], mutating: true)
      : RemoteCommand(node: node, argv: ["pct", "shutdown", vmid], mutating: true)
    let start =
      viaHA
      ? RemoteCommand(
        node: node, argv: ["ha-manager", "set", g.sid, "--state", "started"], mutating: true)
      : RemoteCommand(node: node, argv: ["pct", "start", vmid], mutating: true)
    let moves = volumes.compactMap { d in
      d.storage.map {
        RemoteCommand(
          node: node, argv: ["pct", "move-volume", vmid, d.key, $0, "--delete", "1"],
          mutating: true)
      }
    }
    return g.isRunning ? [stop] + moves + [start] : moves
  }
}
