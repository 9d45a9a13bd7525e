import PVEModel

/// `qmrestore`, `pct restore`, `qm|pct set`, `qm|pct destroy` and `qm agent <vmid> ping`: what a
/// restore test runs, with Proxmox's refusals. Wording: qemu-server `API2/Qemu.pm` (`create_vm`'s
/// restore branch: "unable to restore vm N - config file already exists", "… - already existing on
/// cluster node 'X'"; `destroy_vm`; `update_vm`), pve-container `API2/LXC.pm`, qemu-server
/// `API2/Qemu/Agent.pm` ("No QEMU guest agent configured"). A restore copies the config of the
/// guest the archive belongs to when it still exists (the sandbox holds no archive bytes), else a
/// minimal one named after the archive's notes; volumes are allocated anew on the target storage.
enum RestoreCLI {
  // MARK: Restore

  static func qmrestore(_ args: [String], _ ctx: Context) throws(CommandFailure) -> Outcome {
    let a = try CommandSchemas.qmrestore(major: ctx.major).parse(args)
    return try restore(.qemu, archive: a["archive"] ?? "", a, overrides: [:], ctx)
  }

  static func pctRestore(_ args: [String], _ ctx: Context) throws(CommandFailure) -> Outcome {
    let a = try CommandSchemas.pctRestore(major: ctx.major).parse(args)
    var overrides: [String: JSONValue] = [:]
    for key in CommandSchemas.netKeys + ["hostname", "tags"] {
      if let v = a.options[key] { overrides[key] = .string(v) }
    }
    if let v = a.int("onboot") { overrides["onboot"] = .int(Int64(v)) }
    return try restore(.lxc, archive: a["ostemplate"] ?? "", a, overrides: overrides, ctx)
  }

  static func restore(
    _ kind: GuestKind, archive: String, _ a: Arguments, overrides: [String: JSONValue],
    _ ctx: Context
  ) throws(CommandFailure) -> Outcome {
    let state = ctx.state
    let vmid = a.int("vmid") ?? 0
    let word = kind == .qemu ? "vm" : "CT"
    if let existing = state.guest(vmid: vmid) {
      if existing.node != ctx.node {
        throw CommandFailure(
          "unable to restore \(word) \(vmid) - already existing on cluster node '\(existing.node)'")
      }
      if !a.flag("force") {
        throw CommandFailure("unable to restore \(word) \(vmid) - config file already exists")
      }
      throw CommandFailure(
        "pve-standin: restoring over an existing guest (--force) is not simulated by the sandbox")
    }
    guard let entry = BackupContent.archive(volid: archive, node: ctx.node, state) else {
      throw CommandFailure("volume '\(archive)' does not exist")
    }
    let info = BackupArchive(
      entry: entry, storage: String(archive.prefix(while: { $0 != ":" })), node: ctx.node)
    if let k = info?.kind, k != kind {
      throw CommandFailure(
        "unable to restore \(word) \(vmid) - archive '\(archive)' is a \(k == .qemu ? "VM" : "CT") backup"
      )
    }
    let content = state.content(for: kind)
    if let storage = a.options["storage"] {
      guard state.storageEntry(storage, on: ctx.node) != nil else {
        throw CommandFailure("storage '\(storage)' is not available on node '\(ctx.node)'")
      }
      guard state.storageOffers(storage, content: content, on: ctx.node) else {
        throw CommandFailure(
          "content type '\(content)' is not available on storage '\(storage)'")
      }
    }
    // The backed-up config: the source guest's, when it still exists.
    let sourceVMID = info?.vmid
    let source = sourceVMID.flatMap { state.guest(vmid: $0) }.flatMap {
      $0.kind == kind ? $0 : nil
    }
    var config = source.map { state.config(of: $0) } ?? minimalConfig(kind, entry)
    for key in ["digest", "lock", "parent", "vmstate"] { config[key] = nil }
    for key in config.keys where key.hasPrefix("unused") { config[key] = nil }
    // Volumes, allocated anew on the target storage (or each volume's own).
    var allocated: [(String, Int64)] = []
    var names = Set<String>()
    for disk in Cluster.disks(kind: kind, config: config) where !disk.isUnused {
      guard let from = disk.storage, let text = config[disk.key]?.stringValue else { continue }
      let storage = a.options["storage"] ?? from
      guard state.storageEntry(storage, on: ctx.node) != nil,
        state.storageOffers(storage, content: content, on: ctx.node)
      else {
        throw CommandFailure(
          "content type '\(content)' is not available on storage '\(storage)'")
      }
      var n = 0
      var volid = ""
      repeat {
        volid = volumeName(storage: storage, vmid: vmid, n: n, kind: kind, state, ctx.node)
        n += 1
      } while names.contains(volid)
      names.insert(volid)
      let rest = text.split(separator: ",", omittingEmptySubsequences: false).dropFirst()
      config[disk.key] = .string(([volid] + rest.map(String.init)).joined(separator: ","))
      allocated.append((storage, disk.size))
    }
    if a.flag("unique") {
      for key in CommandSchemas.netKeys {
        if let text = config[key]?.stringValue {
          config[key] = .string(newMAC(text, vmid: vmid, key: key, kind: kind))
        }
      }
    }
    for (k, v) in overrides { config[k] = v }
    let path = Snapshot.guestConfigPath(node: ctx.node, kind: kind, vmid: vmid)
    state[path] = .object(ConfigDigest.stamped(config, kind: kind))
    for (storage, size) in allocated { state.adjustStorage(storage, node: ctx.node, by: size) }
    let memoryMiB =
      kind == .qemu
      ? (Cluster.qemuMemoryMiB(config["memory"]) ?? 512) : (config["memory"]?.intValue ?? 512)
    let cpus: Int64 =
      kind == .qemu
      ? (config["sockets"]?.intValue ?? 1) * (config["cores"]?.intValue ?? 1)
      : (config["cores"]?.intValue ?? 1)
    var e: [String: JSONValue] = [
      "id": .string("\(kind.rawValue)/\(vmid)"), "type": .string(kind.rawValue),
      "vmid": .int(Int64(vmid)), "node": .string(ctx.node), "status": .string("stopped"),
      "name": .string(
        (config[kind == .qemu ? "name" : "hostname"]?.stringValue) ?? "\(kind.rawValue)\(vmid)"),
      "maxmem": .int(memoryMiB * ByteSize.mib), "maxcpu": .int(cpus),
      "maxdisk": .int(allocated.first?.1 ?? 0), "mem": .int(0), "cpu": .int(0),
      "disk": .int(0), "uptime": .int(0), "template": .int(0),
    ]
    if let tags = config["tags"]?.stringValue { e["tags"] = .string(tags) }
    var resources = state.list("/cluster/resources")
    resources.append(e)
    state.setList("/cluster/resources", resources)
    if a.flag("start") {
      if let restored = state.guest(vmid: vmid) { state.start(restored) }
    }
    return .lines([
      "restore \(archive) to \(kind == .qemu ? "VM" : "CT") \(vmid) on \(ctx.node)",
      "TASK OK",
    ])
  }

  /// A config for an archive whose guest no longer exists: one volume the size of the archive.
  static func minimalConfig(_ kind: GuestKind, _ entry: [String: JSONValue]) -> [String:
    JSONValue]
  {
    let gib = max(1, (entry["size"]?.intValue ?? ByteSize.gib) / ByteSize.gib)
    let name = entry["notes"]?.stringValue.map { String($0.prefix(while: { $0 != "\n" })) }
    switch kind {
    case .qemu:
      return [
        "name": .string(name ?? "restored"), "memory": .string("1024"), "cores": .int(1),
        "sockets": .int(1), "scsi0": .string("local-lvm:vm-0-disk-0,size=\(gib)G"),
        "net0": .string("virtio=BC:24:11:00:00:01,bridge=vmbr0"),
      ]
    case .lxc:
      return [
        "hostname": .string(name ?? "restored"), "memory": .int(512), "cores": .int(1),
        "rootfs": .string("local-lvm:vm-0-disk-0,size=\(gib)G"),
        "net0": .string("name=eth0,bridge=vmbr0,hwaddr=BC:24:11:00:00:01,ip=dhcp,type=veth"),
      ]
    }
  }

  /// `vm-<vmid>-disk-<n>` (`subvol-` for containers on zfspool; file storages `<vmid>/…raw`).
  static func volumeName(
    storage: String, vmid: Int, n: Int, kind: GuestKind, _ state: ClusterState, _ node: String
  ) -> String {
    let type = state.storageType(storage, on: node)
    let fileBased = ["dir", "nfs", "cifs", "glusterfs", "cephfs", "btrfs"].contains(type)
    let prefix = kind == .lxc && type == "zfspool" ? "subvol" : "vm"
    let base = "\(prefix)-\(vmid)-disk-\(n)"
    return "\(storage):" + (fileBased ? "\(vmid)/\(base).raw" : base)
  }

  /// The network device with a new MAC (`--unique 1`): BC:24:11 (Proxmox's prefix) + VMID/index.
  static func newMAC(_ text: String, vmid: Int, key: String, kind: GuestKind) -> String {
    let index = Int(key.dropFirst(3)) ?? 0
    let v = (vmid * 32 + index) & 0xFF_FFFF
    func hex(_ x: Int) -> String {
      let s = String(x, radix: 16, uppercase: true)
      return s.count < 2 ? "0" + s : s
    }
    let mac = "BC:24:11:\(hex(v >> 16)):\(hex((v >> 8) & 0xFF)):\(hex(v & 0xFF))"
    var parts = text.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
    let macKeys: Set<String> =
      kind == .qemu
      ? [
        "macaddr", "virtio", "e1000", "e1000e", "rtl8139", "vmxnet3", "i82551", "i82557b",
        "i82559er", "ne2k_isa", "ne2k_pci", "pcnet",
      ] : ["hwaddr"]
    var done = false
    for i in parts.indices {
      let kv = parts[i].split(separator: "=", maxSplits: 1).map(String.init)
      if kv.count == 2, macKeys.contains(kv[0]) {
        parts[i] = "\(kv[0])=\(mac)"
        done = true
      }
    }
    if !done { parts.append(kind == .qemu ? "macaddr=\(mac)" : "hwaddr=\(mac)") }
    return parts.joined(separator: ",")
  }

  // MARK: Set, destroy, agent

  static func set(_ kind: GuestKind, _ args: [String], _ ctx: Context) throws(CommandFailure)
    -> Outcome
  {
    let a = try CommandSchemas.guestSet(kind).parse(args)
    let guest = try GuestCLI.localGuest(kind, a, ctx)
    if !a.flag("skiplock") { try GuestCLI.checkLock(guest, ctx) }
    var config = ctx.state.config(of: guest)
    if let digest = a.options["digest"], digest != config["digest"]?.stringValue {
      throw CommandFailure(
        "detected modified configuration - file changed by other user? Try again.")
    }
    var changes = a.options.filter { !["digest", "delete", "skiplock", "force"].contains($0.key) }
    let deletes = Cluster.list(a.options["delete"])
    if changes.isEmpty && deletes.isEmpty { throw CommandFailure("no options specified") }
    for key in deletes {
      if changes[key] != nil {
        throw CommandFailure.parameters(
          ["delete": "you can't use '-\(key)' and -delete \(key)' at the same time"],
          usage: CommandSchemas.guestSet(kind).usage)
      }
      config[key] = nil
    }
    if let onboot = changes.removeValue(forKey: "onboot") {
      config["onboot"] = .int(onboot == "1" ? 1 : 0)
    }
    for (k, v) in changes { config[k] = .string(v) }
    ctx.state[guest.configPath] = .object(ConfigDigest.stamped(config, kind: kind))
    let nameKey = kind == .qemu ? "name" : "hostname"
    ctx.state.updateGuest(guest.vmid) { e in
      if let n = config[nameKey]?.stringValue { e["name"] = .string(n) }
      if let t = config["tags"]?.stringValue { e["tags"] = .string(t) } else { e["tags"] = nil }
    }
    return Outcome()
  }

  static func destroy(_ kind: GuestKind, _ args: [String], _ ctx: Context) throws(CommandFailure)
    -> Outcome
  {
    let state = ctx.state
    let a = try CommandSchemas.guestDestroy(kind).parse(args)
    let guest = try GuestCLI.localGuest(kind, a, ctx)
    let config = state.config(of: guest)
    let word = kind == .qemu ? "VM" : "CT"
    if config["protection"]?.boolValue == true {
      throw CommandFailure("can't remove \(word) \(guest.vmid) - protection mode enabled")
    }
    if !a.flag("skiplock") { try GuestCLI.checkLock(guest, ctx) }
    if guest.isRunning {
      throw CommandFailure(
        kind == .qemu
          ? "VM \(guest.vmid) is running - destroy failed"
          : "unable to destroy CT \(guest.vmid) - container is running")
    }
    if state.haResource(guest.sid) != nil, !a.flag("purge") {
      throw CommandFailure(
        "unable to remove \(word) \(guest.vmid) - used in HA resources and purge parameter not set."
      )
    }
    for disk in state.volumes(of: guest) {
      if let s = disk.storage { state.adjustStorage(s, node: guest.node, by: -disk.size) }
    }
    state[guest.configPath] = nil
    state.setList(
      "/cluster/resources",
      state.list("/cluster/resources").filter {
        !(($0["type"]?.stringValue == "qemu" || $0["type"]?.stringValue == "lxc")
          && $0["vmid"]?.intValue == Int64(guest.vmid))
      })
    if a.flag("purge") {
      if state.haResource(guest.sid) != nil {
        state.setHAResources(
          state.list(ClusterState.haResourcesPath).filter {
            $0["sid"]?.stringValue != guest.sid
          })
      }
      state.updateList(
        "/cluster/backup",
        where: { Cluster.vmidList($0["vmid"]?.stringValue).contains(guest.vmid) }
      ) { job in
        let left = Cluster.vmidList(job["vmid"]?.stringValue).filter { $0 != guest.vmid }
        job["vmid"] = left.isEmpty ? nil : .string(left.map(String.init).joined(separator: ","))
      }
    }
    return .lines(["destroyed \(word) \(guest.vmid)"])
  }

  static func agent(_ args: [String], usage: String, _ ctx: Context) throws(CommandFailure)
    -> Outcome
  {
    let a = try CommandSchemas.qmAgent(usage).parse(args)
    let guest = try GuestCLI.localGuest(.qemu, a, ctx)
    guard a["command"] == "ping" else {
      throw CommandFailure(
        "pve-standin: '\(usage) \(a["command"] ?? "")' is not simulated by the sandbox (only ping)")
    }
    guard guest.isRunning else { throw CommandFailure("VM \(guest.vmid) is not running") }
    let agent = ctx.state.config(of: guest)["agent"]?.stringValue ?? "0"
    let first = agent.split(separator: ",").first.map(String.init) ?? "0"
    let enabled =
      first == "1" || first == "enabled=1" || agent.split(separator: ",").contains("enabled=1")
    guard enabled else { throw CommandFailure("No QEMU guest agent configured") }
    return Outcome()
  }
}
