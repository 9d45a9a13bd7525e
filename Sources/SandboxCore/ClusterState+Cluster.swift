import PVEModel

/// Reading the cluster out of the stored responses: nodes, versions, guests, storage.
extension ClusterState {
  /// Every guest of `/cluster/resources`.
  package func guests() -> [GuestRecord] {
    list("/cluster/resources").compactMap(GuestRecord.init(entry:))
  }

  package func guest(vmid: Int) -> GuestRecord? {
    guests().first { $0.vmid == vmid }
  }

  /// Node names from `/cluster/status` and `/cluster/resources`, sorted.
  package func nodeNames() -> [String] {
    var names = Set<String>()
    for e in list("/cluster/status") where e["type"]?.stringValue == "node" {
      if let n = e["name"]?.stringValue { names.insert(n) }
    }
    for e in list("/cluster/resources") where e["type"]?.stringValue == "node" {
      if let n = e["node"]?.stringValue { names.insert(n) }
    }
    return names.sorted()
  }

  package func nodeExists(_ node: String) -> Bool { nodeNames().contains(node) }

  /// Online as `/cluster/status` (or else `/cluster/resources`) says.
  package func isOnline(_ node: String) -> Bool {
    for e in list("/cluster/status") where e["type"]?.stringValue == "node" {
      if e["name"]?.stringValue == node { return e["online"]?.boolValue ?? false }
    }
    for e in list("/cluster/resources") where e["type"]?.stringValue == "node" {
      if e["node"]?.stringValue == node { return e["status"]?.stringValue == "online" }
    }
    return false
  }

  func nodeIP(_ node: String) -> String? {
    list("/cluster/status").first {
      $0["type"]?.stringValue == "node" && $0["name"]?.stringValue == node
    }?["ip"]?.stringValue
  }

  /// Logical CPUs of a node (`cpuinfo.cpus`, else `maxcpu`).
  package func cores(of node: String) -> Int {
    if let cpus = object(Snapshot.nodeStatusPath(node))?["cpuinfo"]?["cpus"]?.intValue {
      return Int(cpus)
    }
    let entry = list("/cluster/resources").first {
      $0["type"]?.stringValue == "node" && $0["node"]?.stringValue == node
    }
    return Int(entry?["maxcpu"]?.intValue ?? 0)
  }

  /// The node's `pveversion` (`pve-manager/9.1.1/…`) from `/nodes/<n>/status`.
  package func pveversionText(of node: String) -> String? {
    object(Snapshot.nodeStatusPath(node))?["pveversion"]?.stringValue
  }

  /// The node's PVE major version; the cluster's (`/version`) when the node does not say.
  package func major(of node: String) -> Int {
    if let text = pveversionText(of: node), let v = PVEVersion(parsing: text) { return v.major }
    return clusterMajor
  }

  /// The lowest PVE major version among the nodes (a mixed cluster is as old as its oldest node).
  package var clusterMajor: Int {
    let majors = nodeNames().compactMap {
      pveversionText(of: $0).flatMap(PVEVersion.init(parsing:))?.major
    }
    if let m = majors.min() { return m }
    return object("/version")?["version"]?.stringValue.flatMap(PVEVersion.init(parsing:))?.major
      ?? 8
  }

  /// PVE 9 with HA groups migrated to rules (a fresh 9 counts as migrated): `groups.cfg` empty.
  package var haGroupsMigrated: Bool {
    guard clusterMajor >= 9 else { return false }
    return list(Snapshot.haGroupsPath).isEmpty
  }

  /// The guest's config as stored; empty when the snapshot has none.
  package func config(of guest: GuestRecord) -> [String: JSONValue] {
    object(guest.configPath) ?? [:]
  }

  /// VMs: sockets × cores; containers: cores, or `maxcpu`.
  package func vcpus(of guest: GuestRecord) -> Int {
    let config = config(of: guest)
    switch guest.kind {
    case .qemu:
      if config.isEmpty { return Int(guest.entry["maxcpu"]?.intValue ?? 1) }
      return Int((config["sockets"]?.intValue ?? 1) * (config["cores"]?.intValue ?? 1))
    case .lxc:
      return Int(config["cores"]?.intValue ?? guest.entry["maxcpu"]?.intValue ?? 1)
    }
  }

  /// Memory the guest takes from its node now (`mem` while running).
  func memoryInUse(of guest: GuestRecord) -> Int64 {
    guard guest.isRunning else { return 0 }
    return guest.entry["mem"]?.intValue ?? guest.entry["maxmem"]?.intValue ?? 0
  }

  /// A storage as `/nodes/<node>/storage` lists it.
  package func storageEntry(_ id: String, on node: String) -> [String: JSONValue]? {
    list(Snapshot.nodeStoragePath(node)).first { $0["storage"]?.stringValue == id }
  }

  /// The storage definition of `/storage`.
  func storageConfig(_ id: String) -> [String: JSONValue]? {
    list("/storage").first { $0["storage"]?.stringValue == id }
  }

  /// Shared storage (NFS, Ceph, …) is the same pool on every node.
  package func isShared(_ id: String, on node: String) -> Bool {
    if let s = storageEntry(id, on: node)?["shared"]?.boolValue { return s }
    return storageConfig(id)?["shared"]?.boolValue ?? false
  }

  func storageType(_ id: String, on node: String) -> String {
    storageEntry(id, on: node)?["type"]?.stringValue ?? storageConfig(id)?["type"]?.stringValue
      ?? "dir"
  }

  /// Whether the storage is enabled on the node and holds `content` (`images`, `rootdir`, `backup`).
  func storageOffers(_ id: String, content: String, on node: String) -> Bool {
    guard let e = storageEntry(id, on: node), e["enabled"]?.boolValue ?? true,
      e["active"]?.boolValue ?? true
    else { return false }
    return Cluster.list(e["content"]?.stringValue).contains(content)
  }

  /// Adds `delta` bytes to a storage's usage on a node, or on every node for shared storage:
  /// `/nodes/<n>/storage` used/avail/used_fraction and the `/cluster/resources` storage entries.
  package func adjustStorage(_ id: String, node: String, by delta: Int64) {
    guard delta != 0 else { return }
    let nodes = isShared(id, on: node) ? nodeNames() : [node]
    for n in nodes {
      updateList(Snapshot.nodeStoragePath(n), where: { $0["storage"]?.stringValue == id }) { e in
        let used = max(0, (e["used"]?.intValue ?? 0) + delta)
        e["used"] = .int(used)
        if let avail = e["avail"]?.intValue { e["avail"] = .int(max(0, avail - delta)) }
        if let total = e["total"]?.intValue, total > 0, e["used_fraction"] != nil {
          e["used_fraction"] = .double(Double(used) / Double(total))
        }
      }
      updateList(
        "/cluster/resources",
        where: {
          $0["type"]?.stringValue == "storage" && $0["id"]?.stringValue == "storage/\(n)/\(id)"
        }
      ) { e in
        e["disk"] = .int(max(0, (e["disk"]?.intValue ?? 0) + delta))
      }
    }
  }

  /// Adds `delta` bytes to a node's used memory (`/nodes/<n>/status` and `/cluster/resources`).
  package func adjustNodeMemory(_ node: String, by delta: Int64) {
    guard delta != 0 else { return }
    let statusPath = Snapshot.nodeStatusPath(node)
    if var status = object(statusPath), var memory = status["memory"]?.objectValue {
      let total = memory["total"]?.intValue ?? 0
      let used = max(0, (memory["used"]?.intValue ?? 0) + delta)
      memory["used"] = .int(used)
      if memory["free"] != nil { memory["free"] = .int(max(0, total - used)) }
      if let available = memory["available"]?.intValue {
        memory["available"] = .int(max(0, available - delta))
      }
      status["memory"] = .object(memory)
      self[statusPath] = .object(status)
    }
    updateList(
      "/cluster/resources",
      where: { $0["type"]?.stringValue == "node" && $0["node"]?.stringValue == node }
    ) { e in
      e["mem"] = .int(max(0, (e["mem"]?.intValue ?? 0) + delta))
    }
  }

  /// Rewrites a guest's `/cluster/resources` entry.
  package func updateGuest(_ vmid: Int, _ change: (inout [String: JSONValue]) -> Void) {
    updateList(
      "/cluster/resources",
      where: {
        ($0["type"]?.stringValue == "qemu" || $0["type"]?.stringValue == "lxc")
          && $0["vmid"]?.intValue == Int64(vmid)
      }, change)
  }
}
