import PVEModel

/// What happens to a guest: power, migration, volume moves. Each keeps every path consistent:
/// `/cluster/resources`, node memory, storage usage, the config path and the HA service entry.
extension ClusterState {
  /// Starts a guest: `running`, its configured memory claimed on its node.
  package func start(_ guest: GuestRecord) {
    guard !guest.isRunning else { return }
    let memory = guest.entry["maxmem"]?.intValue ?? 512 * ByteSize.mib
    updateGuest(guest.vmid) { e in
      e["status"] = .string("running")
      e["mem"] = .int(memory)
      e["uptime"] = .int(1)
    }
    adjustNodeMemory(guest.node, by: memory)
  }

  /// Stops a guest: `stopped`, its memory returned to its node.
  package func stop(_ guest: GuestRecord) {
    guard guest.isRunning else { return }
    let memory = memoryInUse(of: guest)
    updateGuest(guest.vmid) { e in
      e["status"] = .string("stopped")
      if e["mem"] != nil { e["mem"] = .int(0) }
      if e["cpu"] != nil { e["cpu"] = .int(0) }
      if e["uptime"] != nil { e["uptime"] = .int(0) }
    }
    adjustNodeMemory(guest.node, by: -memory)
  }

  /// The volumes of a guest's config (CD-ROMs and empty drives excluded).
  func volumes(of guest: GuestRecord) -> [Disk] {
    Cluster.disks(kind: guest.kind, config: config(of: guest))
  }

  /// The content type a guest's volumes need: `images` (VMs) or `rootdir` (containers).
  func content(for kind: GuestKind) -> String { kind == .qemu ? "images" : "rootdir" }

  /// Why the guest cannot move to `target` (storage not there, too few cores), or nil.
  ///
  /// `storageMap` maps local storage ids to the target's (`--targetstorage`); shared volumes stay.
  func moveRefusal(_ guest: GuestRecord, to target: String, storageMap: [String: String])
    -> String?
  {
    let content = content(for: guest.kind)
    for disk in volumes(of: guest) {
      guard let storage = disk.storage else {
        return guest.kind == .qemu
          ? "can't migrate local disk '\(disk.volid)': local file/device"
          : "cannot migrate local bind mount point '\(disk.key)'"
      }
      let shared = isShared(storage, on: guest.node)
      let destination = shared ? storage : (storageMap[storage] ?? storage)
      if storageEntry(destination, on: target) == nil {
        return "storage '\(destination)' is not available on node '\(target)'"
      }
      if !disk.isUnused, !storageOffers(destination, content: content, on: target) {
        return
          "\(disk.volid): content type '\(content)' is not available on storage '\(destination)'"
      }
    }
    if guest.isRunning {
      let cores = cores(of: target)
      let vcpus = vcpus(of: guest)
      if cores > 0, vcpus > cores { return "MAX \(cores) vcpus allowed per VM on this node" }
    }
    return nil
  }

  /// Moves a guest to `target`: config path, local volumes (usage moves between the nodes' pools,
  /// volids rewritten when mapped), memory, `/cluster/resources` and the HA service's node.
  package func move(_ guest: GuestRecord, to target: String, storageMap: [String: String] = [:]) {
    let source = guest.node
    var config = config(of: guest)
    for disk in volumes(of: guest) {
      guard let storage = disk.storage, !isShared(storage, on: source) else { continue }
      let destination = storageMap[storage] ?? storage
      if destination != storage, let text = config[disk.key]?.stringValue {
        config[disk.key] = .string(destination + text.dropFirst(storage.count))
      }
      adjustStorage(storage, node: source, by: -disk.size)
      adjustStorage(destination, node: target, by: disk.size)
    }
    let hadConfig = self[guest.configPath] != nil
    self[guest.configPath] = nil
    if hadConfig {
      self[Snapshot.guestConfigPath(node: target, kind: guest.kind, vmid: guest.vmid)] =
        .object(ConfigDigest.stamped(config, kind: guest.kind))
    }
    let memory = memoryInUse(of: guest)
    adjustNodeMemory(source, by: -memory)
    adjustNodeMemory(target, by: memory)
    updateGuest(guest.vmid) { $0["node"] = .string(target) }
    updateService(guest.sid) { $0["node"] = .string(target) }
  }

  /// Moves one volume of a guest to another storage on its node (`qm disk move`,
  /// `pct move-volume`); returns the task log.
  package func moveVolume(
    _ guest: GuestRecord, key: String, to storage: String, delete: Bool, format: String?
  ) throws(CommandFailure) -> [String] {
    var config = config(of: guest)
    guard let text = config[key]?.stringValue else {
      throw CommandFailure(
        guest.kind == .qemu
          ? "disk '\(key)' does not exist" : "cannot move volume '\(key)': volume does not exist")
    }
    let fields = text.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
    let volid = fields.first ?? ""
    if fields.contains("media=cdrom") { throw CommandFailure("you can't move a cdrom") }
    guard !volid.hasPrefix("/"), volid != "none",
      let colon = volid.firstIndex(of: ":")
    else {
      throw CommandFailure("cannot move volume '\(key)': '\(volid)' is not a storage volume")
    }
    let from = String(volid[..<colon])
    let volname = String(volid[volid.index(after: colon)...])
    let sourceFormat =
      volname.hasSuffix(".qcow2") ? "qcow2" : (volname.hasSuffix(".vmdk") ? "vmdk" : "raw")
    if from == storage && (format == nil || format == sourceFormat) {
      throw CommandFailure("you can't move to the same storage with same format")
    }
    let content = content(for: guest.kind)
    guard storageEntry(storage, on: guest.node) != nil else {
      throw CommandFailure("storage '\(storage)' is not available on node '\(guest.node)'")
    }
    guard storageOffers(storage, content: content, on: guest.node) else {
      throw CommandFailure("storage '\(storage)' does not support content-type '\(content)'")
    }
    let size = Cluster.disks(kind: guest.kind, config: [key: .string(text)]).first?.size ?? 0
    let newVolid = allocateVolume(
      guest, on: storage, format: format ?? sourceFormat, config: config)
    config[key] = .string(([newVolid] + fields.dropFirst()).joined(separator: ","))
    if !delete {
      var n = 0
      while config["unused\(n)"] != nil { n += 1 }
      config["unused\(n)"] = .string(volid)
    }
    self[guest.configPath] = .object(ConfigDigest.stamped(config, kind: guest.kind))
    adjustStorage(storage, node: guest.node, by: size)
    if delete { adjustStorage(from, node: guest.node, by: -size) }
    var log = [
      guest.kind == .qemu
        ? "create full clone of drive \(key) (\(volid))" : "moving volume '\(key)' (\(volid))",
      "transferred \(ByteSize.binary(size)) of \(ByteSize.binary(size)) (100.00%)",
    ]
    log.append(
      delete
        ? "removing source volume '\(volid)'" : "source volume '\(volid)' kept as unused disk")
    return log
  }

  /// The next free volume name for the guest on a storage (`vm-114-disk-1`, `114/vm-114-disk-0.qcow2`).
  private func allocateVolume(
    _ guest: GuestRecord, on storage: String, format: String, config: [String: JSONValue]
  ) -> String {
    let type = storageType(storage, on: guest.node)
    let fileBased = ["dir", "nfs", "cifs", "glusterfs", "cephfs", "btrfs"].contains(type)
    let prefix = guest.kind == .lxc && type == "zfspool" ? "subvol" : "vm"
    let used = Set(
      config.values.compactMap { $0.stringValue?.split(separator: ",").first.map(String.init) })
    var n = 0
    while true {
      let base = "\(prefix)-\(guest.vmid)-disk-\(n)"
      let name = fileBased ? "\(guest.vmid)/\(base).\(guest.kind == .lxc ? "raw" : format)" : base
      if !used.contains("\(storage):\(name)") { return "\(storage):\(name)" }
      n += 1
    }
  }
}
