import Foundation
import PVEModel

/// `qm` and `pct`: migration, volume moves, power, status, and (`RestoreCLI`) restore, set,
/// destroy and agent ping of the guests of THIS node, with
/// qemu-server's and pve-container's checks and wording. Like the real CLIs they bind `node` to
/// the local host: a guest on another node has no config here.
enum GuestCLI {
  static func run(_ kind: GuestKind, _ args: [String], _ ctx: Context) throws(CommandFailure)
    -> Outcome
  {
    let tool = kind.cli
    guard let sub = args.first else {
      throw CommandFailure("400 not enough arguments\n\n\(tool) <COMMAND> [ARGS] [OPTIONS]")
    }
    var rest = Array(args.dropFirst())
    switch (kind, sub) {
    case (_, "migrate"): return try migrate(kind, rest, ctx)
    case (.qemu, "disk") where rest.first == "move":
      rest.removeFirst()
      return try moveVolume(kind, CommandSchemas.qmDiskMove(usageName: "qm disk move"), rest, ctx)
    case (.qemu, "move-disk"), (.qemu, "move_disk"):
      return try moveVolume(kind, CommandSchemas.qmDiskMove(usageName: "qm \(sub)"), rest, ctx)
    case (.lxc, "move-volume"), (.lxc, "move_volume"):
      return try moveVolume(kind, CommandSchemas.pctMoveVolume(usageName: "pct \(sub)"), rest, ctx)
    case (_, "start"), (_, "shutdown"), (_, "stop"): return try power(kind, sub, rest, ctx)
    case (_, "set"): return try RestoreCLI.set(kind, rest, ctx)
    case (_, "destroy"): return try RestoreCLI.destroy(kind, rest, ctx)
    case (.lxc, "restore"): return try RestoreCLI.pctRestore(rest, ctx)
    case (.qemu, "agent"): return try RestoreCLI.agent(rest, usage: "qm agent", ctx)
    case (.qemu, "guest") where rest.first == "cmd":
      rest.removeFirst()
      return try RestoreCLI.agent(rest, usage: "qm guest cmd", ctx)
    case (_, "status"):
      let a = try CommandSchemas.guestPower(tool, "status").parse(rest)
      let guest = try localGuest(kind, a, ctx)
      return .lines(["status: \(guest.status)"])
    case (_, "config"):
      let a = try CommandSchemas.guestPower(tool, "config").parse(rest)
      let guest = try localGuest(kind, a, ctx)
      let config = ctx.state.config(of: guest)
      return .lines(
        config.keys.sorted().filter { $0 != "digest" }.map { key in
          let v = config[key] ?? .null
          return "\(key): \(v.stringValue ?? JSONText.compact(v))"
        })
    default:
      throw CommandFailure("unknown command '\(tool) \(sub)'")
    }
  }

  /// The guest, if it lives on this node; otherwise Proxmox's missing-config error.
  static func localGuest(_ kind: GuestKind, _ a: Arguments, _ ctx: Context) throws(CommandFailure)
    -> GuestRecord
  {
    let vmid = a.int("vmid") ?? 0
    guard let guest = ctx.state.guest(vmid: vmid), guest.kind == kind, guest.node == ctx.node else {
      throw CommandFailure(
        "Configuration file '\(GuestRecord.configFile(node: ctx.node, kind: kind, vmid: vmid))' does not exist"
      )
    }
    return guest
  }

  static func checkLock(_ guest: GuestRecord, _ ctx: Context) throws(CommandFailure) {
    let lock = guest.entry["lock"]?.stringValue ?? ctx.state.config(of: guest)["lock"]?.stringValue
    if let lock { throw CommandFailure("\(guest.word) is locked (\(lock))") }
  }

  /// `--targetstorage`/`--target-storage`: `1` (same ids), `store` (everything local there) or
  /// `src:dst,…` pairs (a bare id in the list is the default).
  static func storageMap(_ text: String?, _ guest: GuestRecord, _ state: ClusterState) -> [String:
    String]
  {
    guard let text, text != "1" else { return [:] }
    var map: [String: String] = [:]
    var fallback: String?
    for item in text.split(separator: ",") {
      let parts = item.split(separator: ":").map(String.init)
      if parts.count == 2 { map[parts[0]] = parts[1] } else { fallback = parts.first }
    }
    if let fallback {
      for disk in state.volumes(of: guest) {
        if let s = disk.storage, map[s] == nil, !state.isShared(s, on: guest.node) {
          map[s] = fallback
        }
      }
    }
    return map
  }

  static func stamp(_ now: Double) -> String {
    let formatter = DateFormatter()
    formatter.locale = Locale(identifier: "en_US_POSIX")
    formatter.timeZone = TimeZone(identifier: "UTC")
    formatter.dateFormat = "yyyy-MM-dd HH:mm:ss"
    return formatter.string(from: Date(timeIntervalSince1970: now))
  }

  static func migrate(_ kind: GuestKind, _ args: [String], _ ctx: Context) throws(CommandFailure)
    -> Outcome
  {
    let state = ctx.state
    let schema =
      kind == .qemu ? CommandSchemas.qmMigrate(major: ctx.major) : CommandSchemas.pctMigrate
    let a = try schema.parse(args)
    let target = a["target"] ?? ""
    if target == ctx.node {
      throw CommandFailure.parameters(["target": "target is local node."], usage: schema.usage)
    }
    guard state.nodeExists(target) else { throw CommandFailure("no such cluster node '\(target)'") }
    let guest = try localGuest(kind, a, ctx)
    try checkLock(guest, ctx)
    let map = storageMap(
      a.options[kind == .qemu ? "targetstorage" : "target-storage"], guest, state)
    if guest.isRunning {
      switch kind {
      case .qemu:
        if !a.flag("online") { throw CommandFailure("can't migrate running VM without --online") }
      case .lxc:
        if a.flag("online") {
          throw CommandFailure("lxc live migration is currently not implemented")
        }
        if !a.flag("restart") {
          throw CommandFailure("can't migrate running container without --online or --restart")
        }
      }
    }
    if state.isHAManaged(guest.sid) {
      if kind == .qemu, let reason = state.moveRefusal(guest, to: target, storageMap: map),
        !reason.hasPrefix("MAX")
      {
        throw CommandFailure(reason)
      }
      state.pending.removeAll { $0.sid == guest.sid }
      state.queueMove(
        sid: guest.sid, target: target, command: "migrate", due: ctx.now + ctx.haDelay)
      return .lines(["Requesting HA migration for \(guest.word) \(guest.vmid) to node \(target)"])
    }
    guard state.isOnline(target) else {
      throw CommandFailure("target node '\(target)' is not online")
    }
    let attachedLocal = state.volumes(of: guest).contains { disk in
      !disk.isUnused && disk.storage.map { !state.isShared($0, on: guest.node) } ?? true
    }
    if kind == .qemu, guest.isRunning, attachedLocal, !a.flag("with-local-disks") {
      throw CommandFailure(
        "can't live migrate attached local disks without with-local-disks option")
    }
    let started = stamp(ctx.now)
    if let reason = state.moveRefusal(guest, to: target, storageMap: map) {
      throw CommandFailure(
        "\(started) ERROR: migration aborted (duration 00:00:00): \(reason)\nmigration aborted")
    }
    var log = [
      "\(started) starting migration of \(guest.word) \(guest.vmid) to node '\(target)' (\(state.nodeIP(target) ?? target))"
    ]
    if kind == .lxc, guest.isRunning { log.append("\(started) shutdown CT \(guest.vmid)") }
    for disk in state.volumes(of: guest) {
      if let s = disk.storage, !state.isShared(s, on: guest.node) {
        log.append("\(started) found local volume '\(disk.volid)' (in current VM config)")
      }
    }
    let localBytes = state.volumes(of: guest).filter { disk in
      disk.storage.map { !state.isShared($0, on: guest.node) } ?? false
    }.reduce(Int64(0)) { $0 + $1.size }
    let liveRAM = kind == .qemu && guest.isRunning ? state.memoryInUse(of: guest) : 0
    ctx.slow.work = SlowWork(
      key: "migrate", configPath: guest.configPath, kind: kind, lock: "migrate", header: log,
      progress: { fraction, now in
        if liveRAM > 0 {
          return "\(stamp(now)) "
            + ProgressLine.migrationActive(fraction, of: liveRAM, rate: 112 * ByteSize.mib)
        }
        if localBytes > 0 {
          return "\(stamp(now)) " + ProgressLine.transfer(fraction, of: localBytes)
        }
        return nil
      })
    state.move(guest, to: target, storageMap: map)
    if kind == .lxc, guest.isRunning { log.append("\(started) start container on target node") }
    log.append("\(started) migration finished successfully (duration 00:00:01)")
    return .lines(log)
  }

  static func moveVolume(
    _ kind: GuestKind, _ schema: CommandSchema, _ args: [String], _ ctx: Context
  ) throws(CommandFailure) -> Outcome {
    let a = try schema.parse(args)
    let guest = try localGuest(kind, a, ctx)
    try checkLock(guest, ctx)
    if kind == .lxc, guest.isRunning {
      throw CommandFailure("cannot move volumes of a running container")
    }
    if a["target-vmid"] != nil {
      throw CommandFailure(
        "pve-standin: moving a volume to another guest (target-vmid) is not simulated by the sandbox"
      )
    }
    guard let storage = a["storage"] else {
      throw CommandFailure("either set 'storage' or 'target-vmid'")
    }
    let key = a[kind == .qemu ? "disk" : "volume"] ?? ""
    let size =
      Cluster.disks(kind: kind, config: ctx.state.config(of: guest).filter { $0.key == key })
      .first?.size ?? 0
    let log = try ctx.state.moveVolume(
      guest, key: key, to: storage, delete: a.flag("delete"), format: a.options["format"])
    ctx.slow.work = SlowWork(
      // pve-container's move_volume holds `lock: disk`; qemu-server's move_vm_disk only flocks.
      key: "move-volume", configPath: guest.configPath, kind: kind,
      lock: kind == .lxc ? "disk" : nil,
      header: Array(log.prefix(1)),
      progress: { fraction, _ in ProgressLine.transfer(fraction, of: size) })
    return .lines(log)
  }

  static func power(_ kind: GuestKind, _ action: String, _ args: [String], _ ctx: Context)
    throws(CommandFailure) -> Outcome
  {
    let state = ctx.state
    let a = try CommandSchemas.guestPower(kind.cli, action).parse(args)
    let guest = try localGuest(kind, a, ctx)
    if state.isHAManaged(guest.sid) {
      let requested = action == "start" ? "started" : "stopped"
      var resources = state.list(ClusterState.haResourcesPath)
      for i in resources.indices where resources[i]["sid"]?.stringValue == guest.sid {
        resources[i]["state"] = .string(requested)
      }
      state.setHAResources(resources)
      state.applyRequestedState(guest.sid, requested)
      let verb = action == "start" ? "start" : "stop"
      return .lines(["Requesting HA \(verb) for \(guest.word) \(guest.vmid)"])
    }
    ctx.slow.work = SlowWork(
      key: action, configPath: guest.configPath, kind: kind, lock: nil, header: [],
      progress: { _, _ in nil })
    switch action {
    case "start":
      if guest.isRunning { throw CommandFailure("\(guest.word) \(guest.vmid) already running") }
      try checkLock(guest, ctx)
      let cores = state.cores(of: guest.node)
      if cores > 0, state.vcpus(of: guest) > cores {
        throw CommandFailure("MAX \(cores) vcpus allowed per VM on this node")
      }
      state.start(guest)
    case "shutdown":
      if !guest.isRunning { throw CommandFailure("\(guest.word) \(guest.vmid) not running") }
      state.stop(guest)
    default:
      if !guest.isRunning {
        if kind == .lxc { throw CommandFailure("CT \(guest.vmid) not running") }
        return Outcome()
      }
      state.stop(guest)
    }
    return Outcome()
  }
}
