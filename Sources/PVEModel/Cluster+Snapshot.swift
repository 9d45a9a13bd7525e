import Foundation

extension Cluster {
  /// Derives the cluster from a snapshot. Throws only when a required API path is absent or of the
  /// wrong shape; odd data (unknown fields, unordered lists, guests on unlisted nodes) is tolerated and
  /// recorded in `inconsistencies`.
  package init(snapshot: Snapshot, file: String = "snapshot") throws(SnapshotError) {
    let api = snapshot.api
    func array(_ path: String) throws(SnapshotError) -> [[String: JSONValue]] {
      guard let value = api[path] else { throw SnapshotError.missingPath(file: file, path: path) }
      if case .null = value { return [] }
      guard let items = value.arrayValue else {
        throw SnapshotError.wrongShape(file: file, path: path, expected: "a JSON array")
      }
      return items.compactMap(\.objectValue)
    }
    func object(_ path: String, required: Bool = true) throws(SnapshotError) -> [String: JSONValue]?
    {
      guard let value = api[path] else {
        if required { throw SnapshotError.missingPath(file: file, path: path) }
        return nil
      }
      guard let o = value.objectValue else {
        throw SnapshotError.wrongShape(file: file, path: path, expected: "a JSON object")
      }
      return o
    }

    let versionObject = try object("/version")
    let status = try array("/cluster/status")
    let resources = try array("/cluster/resources")
    let haConfig = try array("/cluster/ha/resources")
    let haStatus = try array("/cluster/ha/status/current")
    let backup = try array("/cluster/backup")
    let storageConfig = try array("/storage")
    let options = try object("/cluster/options") ?? [:]
    let groups: [[String: JSONValue]]? =
      api[Snapshot.haGroupsPath] == nil ? nil : try array(Snapshot.haGroupsPath)
    let rules: [[String: JSONValue]]? =
      api[Snapshot.haRulesPath] == nil ? nil : try array(Snapshot.haRulesPath)
    if groups == nil && rules == nil {
      throw SnapshotError.missingPath(file: file, path: "/cluster/ha/groups or /cluster/ha/rules")
    }

    var inconsistencies: [Inconsistency] = []
    /// A figure within its plausible range; an implausible one is clamped and reported.
    func plausible(_ value: Int64, _ limit: Int64, _ key: String, _ what: String) -> Int64 {
      let (bounded, changed) = PlausibleRange.clamp(value, to: limit)
      if changed {
        inconsistencies.append(
          Inconsistency(
            key: "implausible-value/\(key)",
            message: "\(what) is \(value), outside 0…\(limit); taken as \(bounded)"))
      }
      return bounded
    }

    // Cluster membership and quorum.
    var clusterName: String?
    var quorate = false
    var configVersion: Int?
    var memberIPs: [String: String] = [:]
    var memberOnline: [String: Bool] = [:]
    for entry in status {
      switch entry["type"]?.stringValue {
      case "cluster":
        clusterName = entry["name"]?.stringValue
        quorate = entry["quorate"]?.boolValue ?? false
        configVersion = entry["version"]?.intValue.map(Int.init)
      case "node":
        guard let n = entry["name"]?.stringValue else { continue }
        memberIPs[n] = entry["ip"]?.stringValue
        memberOnline[n] = entry["online"]?.boolValue ?? false
      default: break
      }
    }
    if clusterName == nil {
      // A standalone node has no cluster entry: it is its own quorum.
      quorate = memberOnline.values.contains(true)
    }

    // Nodes: /cluster/resources type=node, refined by /nodes/<n>/status.
    var nodes: [String: Node] = [:]
    for r in resources where r["type"]?.stringValue == "node" {
      guard let name = r["node"]?.stringValue else { continue }
      let online = (r["status"]?.stringValue == "online") || (memberOnline[name] ?? false)
      nodes[name] = Node(
        name: name, online: online,
        cores: Int(
          plausible(
            r["maxcpu"]?.intValue ?? 0, PlausibleRange.cpus, "node/\(name)/cores",
            "node '\(name)' logical CPUs")),
        memoryTotal: plausible(
          r["maxmem"]?.intValue ?? 0, PlausibleRange.nodeMemory, "node/\(name)/memory",
          "node '\(name)' memory"),
        memoryUsed: plausible(
          r["mem"]?.intValue ?? 0, PlausibleRange.nodeMemory, "node/\(name)/memory-used",
          "node '\(name)' used memory"),
        cpuUsage: r["cpu"]?.doubleValue ?? 0, uptime: r["uptime"]?.intValue ?? 0, version: nil,
        ip: memberIPs[name], haState: r["hastate"]?.stringValue)
    }
    // A node that /cluster/resources lists but /cluster/status does not is not a member: report
    // it, keep its guests (as guests on an unknown node), and do not require its API paths.
    if !memberOnline.isEmpty {
      for name in nodes.keys.sorted() where memberOnline[name] == nil {
        nodes[name] = nil
        inconsistencies.append(
          Inconsistency(
            key: "node-not-in-cluster-status/\(name)",
            message:
              "node '\(name)' appears in /cluster/resources but /cluster/status does not list it"))
      }
    }
    for (name, online) in memberOnline where nodes[name] == nil {
      nodes[name] = Node(
        name: name, online: online, cores: 0, memoryTotal: 0, memoryUsed: 0, cpuUsage: 0,
        uptime: 0, version: nil, ip: memberIPs[name], haState: nil)
    }
    for name in nodes.keys.sorted() {
      guard var node = nodes[name] else { continue }
      let path = Snapshot.nodeStatusPath(name)
      let st = try object(path, required: node.online)
      if let st {
        if let cpus = st["cpuinfo"]?["cpus"]?.intValue {
          node.cores = Int(
            plausible(
              cpus, PlausibleRange.cpus, "node/\(name)/cores", "node '\(name)' logical CPUs"))
        }
        if let total = st["memory"]?["total"]?.intValue {
          node.memoryTotal = plausible(
            total, PlausibleRange.nodeMemory, "node/\(name)/memory", "node '\(name)' memory")
        }
        if let used = st["memory"]?["used"]?.intValue {
          node.memoryUsed = plausible(
            used, PlausibleRange.nodeMemory, "node/\(name)/memory-used",
            "node '\(name)' used memory")
        }
        if let cpu = st["cpu"]?.doubleValue { node.cpuUsage = cpu }
        if let up = st["uptime"]?.intValue { node.uptime = up }
        if let v = st["pveversion"]?.stringValue { node.version = PVEVersion(parsing: v) }
      }
      nodes[name] = node
    }

    // Storage: definitions from /storage, figures from /nodes/<n>/storage.
    var perNode: [String: [NodeStorage]] = [:]
    var seenTypes: [String: (type: String, shared: Bool, content: [String])] = [:]
    for name in nodes.keys.sorted() {
      guard let node = nodes[name] else { continue }
      let path = Snapshot.nodeStoragePath(name)
      guard api[path] != nil || node.online else { continue }
      for s in try array(path) {
        guard let id = s["storage"]?.stringValue else { continue }
        func figure(_ field: String) -> Int64 {
          plausible(
            s[field]?.intValue ?? 0, PlausibleRange.storage, "storage/\(id)/\(name)/\(field)",
            "storage '\(id)' on node '\(name)': \(field)")
        }
        perNode[id, default: []].append(
          NodeStorage(
            node: name, total: figure("total"), used: figure("used"),
            available: figure("avail"), active: s["active"]?.boolValue ?? false,
            enabled: s["enabled"]?.boolValue ?? true))
        if seenTypes[id] == nil {
          seenTypes[id] = (
            s["type"]?.stringValue ?? "unknown", s["shared"]?.boolValue ?? false,
            Cluster.list(s["content"]?.stringValue)
          )
        }
      }
    }
    var storages: [Storage] = []
    var defined = Set<String>()
    for s in storageConfig {
      guard let id = s["storage"]?.stringValue else { continue }
      guard defined.insert(id).inserted else {
        inconsistencies.append(
          Inconsistency(
            key: "duplicate-storage/\(id)",
            message: "storage '\(id)' is defined more than once in /storage; the first counts"))
        continue
      }
      let type = s["type"]?.stringValue ?? seenTypes[id]?.type ?? "unknown"
      let shared = s["shared"]?.boolValue ?? seenTypes[id]?.shared ?? false
      storages.append(
        Storage(
          id: id, type: type, shared: shared, content: Cluster.list(s["content"]?.stringValue),
          restrictedTo: s["nodes"]?.stringValue.map { Cluster.list($0) },
          disabled: s["disable"]?.boolValue ?? false,
          server: s["server"]?.stringValue,
          perNode: (perNode[id] ?? []).sorted { $0.node < $1.node }))
    }
    for (id, info) in seenTypes where !defined.contains(id) {
      storages.append(
        Storage(
          id: id, type: info.type, shared: info.shared, content: info.content, restrictedTo: nil,
          disabled: false, server: nil, perNode: (perNode[id] ?? []).sorted { $0.node < $1.node }))
    }
    storages.sort { $0.id < $1.id }

    // HA resources and live status.
    var haResources: [HAResource] = []
    var haSIDs = Set<String>()
    for r in haConfig {
      guard let sid = r["sid"]?.stringValue, let (kind, vmid) = Cluster.parseSID(sid),
        haSIDs.insert(sid).inserted
      else {
        continue
      }
      haResources.append(
        HAResource(
          sid: sid, kind: kind, vmid: vmid, state: r["state"]?.stringValue ?? "started",
          maxRestart: Int(r["max_restart"]?.intValue ?? 1),
          maxRelocate: Int(r["max_relocate"]?.intValue ?? 1), group: r["group"]?.stringValue,
          failback: r["failback"]?.boolValue, comment: r["comment"]?.stringValue))
    }
    haResources.sort { ($0.vmid, $0.sid) < ($1.vmid, $1.sid) }
    var master: String?
    var haQuorate: Bool?
    var services: [String: HAServiceStatus] = [:]
    var armedState: String?
    var disarm: HADisarm?
    for e in haStatus {
      switch e["type"]?.stringValue {
      case "master": master = e["node"]?.stringValue
      case "quorum": haQuorate = e["quorate"]?.boolValue
      case "fencing":
        // `armed`/`standby` normally; `disarming`/`disarmed` after `crm-command disarm-ha`.
        armedState = e["armed-state"]?.stringValue
        if let state = armedState, state == "disarming" || state == "disarmed" {
          disarm = HADisarm(state: state, mode: e["resource_mode"]?.stringValue ?? "unknown")
        }
      case "service":
        if let sid = e["sid"]?.stringValue {
          services[sid] = HAServiceStatus(
            node: e["node"]?.stringValue, state: e["state"]?.stringValue)
        }
      default: break
      }
    }
    let haState = Dictionary(
      haResources.map { ($0.sid, services[$0.sid]?.state ?? $0.state) },
      uniquingKeysWith: { a, _ in a })

    // Guests: /cluster/resources type=qemu|lxc, refined by their config.
    var guests: [Guest] = []
    for r in resources {
      guard let typeText = r["type"]?.stringValue, let kind = GuestKind(rawValue: typeText),
        let vmid = r["vmid"]?.intValue.map(Int.init), let node = r["node"]?.stringValue
      else { continue }
      let configPath = Snapshot.guestConfigPath(node: node, kind: kind, vmid: vmid)
      let nodeOnline = nodes[node]?.online ?? false
      if nodes[node] == nil {
        inconsistencies.append(
          Inconsistency(
            key: "guest-on-unknown-node/\(kind.haType):\(vmid)",
            message:
              "\(kind.haType):\(vmid) is listed on node '\(node)', which /cluster/status does not list"
          ))
      }
      let config: [String: JSONValue]
      if nodes[node] == nil {
        config = api[configPath]?.objectValue ?? [:]
      } else {
        config = try object(configPath, required: nodeOnline) ?? [:]
      }
      let nodeCores = nodes[node]?.cores ?? 0
      let sid = "\(kind.haType):\(vmid)"
      func cpus(_ value: Int64) -> Int {
        Int(plausible(value, PlausibleRange.cpus, "guest/\(sid)/vcpus", "\(sid) vCPUs"))
      }
      func memoryMiB(_ value: Int64) -> Int64 {
        plausible(
          value, PlausibleRange.guestMemory / ByteSize.mib, "guest/\(sid)/memory",
          "\(sid) memory (MiB)") * ByteSize.mib
      }
      func memoryBytes(_ value: Int64) -> Int64 {
        plausible(value, PlausibleRange.guestMemory, "guest/\(sid)/memory", "\(sid) memory")
      }
      let vcpus: Int
      let memory: Int64
      switch kind {
      case .qemu:
        let sockets = config["sockets"]?.intValue ?? 1
        let cores = config["cores"]?.intValue ?? 1
        if config.isEmpty {
          vcpus = cpus(r["maxcpu"]?.intValue ?? 1)
        } else {
          // sockets × cores, saturated (a product beyond Int64 is as implausible as Int64.max).
          let (product, overflow) = sockets.multipliedReportingOverflow(by: cores)
          vcpus = cpus(overflow ? ((sockets < 0) != (cores < 0) ? -1 : Int64.max) : product)
        }
        memory =
          Cluster.qemuMemoryMiB(config["memory"]).map(memoryMiB)
          ?? (config.isEmpty
            ? memoryBytes(r["maxmem"]?.intValue ?? 512 * ByteSize.mib) : 512 * ByteSize.mib)
      case .lxc:
        if let c = config["cores"]?.intValue {
          vcpus = cpus(c)
        } else {
          vcpus = cpus(r["maxcpu"]?.intValue ?? Int64(max(nodeCores, 1)))
        }
        memory =
          config["memory"]?.intValue.map(memoryMiB)
          ?? (config.isEmpty
            ? memoryBytes(r["maxmem"]?.intValue ?? 512 * ByteSize.mib) : 512 * ByteSize.mib)
      }
      var disks = Cluster.disks(kind: kind, config: config)
      for i in disks.indices {
        disks[i].size = plausible(
          disks[i].size, PlausibleRange.volume, "guest/\(sid)/\(disks[i].key)",
          "\(sid) volume \(disks[i].key) size")
      }
      // The first non-empty name (an empty `name` is as good as none).
      let name =
        [r["name"], config["name"], config["hostname"]].lazy.compactMap { $0?.stringValue }
        .first { !$0.isEmpty } ?? "\(kind.haType)\(vmid)"
      let tagText = r["tags"]?.stringValue ?? config["tags"]?.stringValue ?? ""
      let tags = tagText.split(whereSeparator: { $0 == ";" || $0 == "," || $0 == " " }).map(
        String.init
      ).sorted()
      let status = r["status"]?.stringValue ?? "unknown"
      guests.append(
        Guest(
          kind: kind, vmid: vmid, name: name, node: node, status: status, vcpus: max(vcpus, 1),
          memory: memory,
          memoryUsed: status == "running"
            ? PlausibleRange.clamp(r["mem"]?.intValue ?? 0, to: PlausibleRange.guestMemory).value
            : 0,
          disks: disks, tags: tags,
          pool: r["pool"]?.stringValue,
          template: (r["template"]?.boolValue ?? false) || (config["template"]?.boolValue ?? false),
          lock: r["lock"]?.stringValue ?? config["lock"]?.stringValue,
          onboot: config["onboot"]?.boolValue ?? false,
          haState: r["hastate"]?.stringValue ?? haState["\(kind.haType):\(vmid)"],
          localDevices: Cluster.localDevices(kind: kind, config: config),
          networks: Cluster.networks(config: config)))
    }
    // A guest listed twice (a stale entry during a migration, a hand-edited snapshot) is one
    // guest: the first entry counts. A VMID held by a VM and a container is reported.
    var seenSIDs = Set<String>()
    var unique: [Guest] = []
    for guest in guests {
      guard seenSIDs.insert(guest.sid).inserted else {
        inconsistencies.append(
          Inconsistency(
            key: "duplicate-guest/\(guest.sid)",
            message:
              "\(guest.sid) is listed more than once in /cluster/resources (also on node '\(guest.node)'); the first entry counts"
          ))
        continue
      }
      unique.append(guest)
    }
    guests = unique
    for vmid in Dictionary(grouping: guests, by: \.vmid).filter({ $0.value.count > 1 }).keys
      .sorted()
    {
      inconsistencies.append(
        Inconsistency(
          key: "vmid-reused/\(vmid)",
          message: "VMID \(vmid) is both vm:\(vmid) and ct:\(vmid); Proxmox VMIDs are unique"))
    }
    guests.sort { ($0.vmid, $0.kind) < ($1.vmid, $1.kind) }
    let guestSIDs = Set(guests.map(\.sid))
    for r in haResources where !guestSIDs.contains(r.sid) {
      inconsistencies.append(
        Inconsistency(
          key: "ha-resource-without-guest/\(r.sid)",
          message: "HA resource \(r.sid) names a guest that /cluster/resources does not list"))
    }

    // HA placement.
    let haGroups = groups.map { list in
      list.compactMap { g -> HAGroup? in
        guard let id = g["group"]?.stringValue else { return nil }
        return HAGroup(
          id: id, nodes: NodePriority.parseList(g["nodes"]?.stringValue ?? ""),
          restricted: g["restricted"]?.boolValue ?? false,
          nofailback: g["nofailback"]?.boolValue ?? false)
      }.sorted { $0.id < $1.id }
    }
    let haRules = rules.map { list in
      list.compactMap { r -> HARule? in
        guard let id = r["rule"]?.stringValue, let type = r["type"]?.stringValue else { return nil }
        return HARule(
          id: id, type: type, resources: Cluster.list(r["resources"]?.stringValue),
          nodes: NodePriority.parseList(r["nodes"]?.stringValue ?? ""),
          strict: r["strict"]?.boolValue ?? false, affinity: r["affinity"]?.stringValue,
          disabled: r["disable"]?.boolValue ?? false)
      }.sorted { $0.id < $1.id }
    }

    // Backup jobs.
    let backupJobs = backup.compactMap { j -> BackupJob? in
      guard let id = j["id"]?.stringValue else { return nil }
      if let type = j["type"]?.stringValue, type != "vzdump" { return nil }
      var prune: [String: String] = [:]
      if let o = j["prune-backups"]?.objectValue {
        for (k, v) in o { prune[k] = v.stringValue ?? "" }
      } else if let s = j["prune-backups"]?.stringValue {
        for part in s.split(separator: ",") {
          let kv = part.split(separator: "=", maxSplits: 1)
          if kv.count == 2 { prune[String(kv[0])] = String(kv[1]) }
        }
      }
      let vmidList = Cluster.vmidList(j["vmid"]?.stringValue)
      let exclude = Cluster.vmidList(j["exclude"]?.stringValue)
      let pool = j["pool"]?.stringValue
      return BackupJob(
        id: id, enabled: j["enabled"]?.boolValue ?? true,
        all: (j["all"]?.boolValue ?? false)
          || (vmidList.isEmpty && pool == nil && !exclude.isEmpty),
        vmids: vmidList, exclude: exclude, pool: pool, node: j["node"]?.stringValue,
        storage: j["storage"]?.stringValue, schedule: j["schedule"]?.stringValue,
        mode: j["mode"]?.stringValue, compress: j["compress"]?.stringValue, pruneBackups: prune,
        comment: j["comment"]?.stringValue)
    }.sorted { $0.id < $1.id }

    let nodeList = nodes.values.sorted { $0.name < $1.name }
    var opts: [String: String] = [:]
    for (k, v) in options {
      if let s = v.stringValue {
        opts[k] = s
      } else if let o = v.objectValue {
        // Property strings (`crs`, `ha`, `migration`) arrive as objects: keep them as `k=v,k=v`.
        opts[k] = o.keys.sorted().compactMap { key in o[key]?.stringValue.map { "\(key)=\($0)" } }
          .joined(separator: ",")
      }
    }
    self.init(
      name: clusterName, collectedAt: snapshot.collectedAt, source: snapshot.source,
      nodes: nodeList, guests: guests, storages: storages, haResources: haResources,
      haGroups: haGroups, haRules: haRules,
      haManager: HAManagerStatus(
        master: master, quorate: haQuorate, services: services, armedState: armedState,
        disarm: disarm),
      backupJobs: backupJobs,
      quorum: Quorum(
        quorate: quorate, nodes: max(memberOnline.count, nodeList.count),
        online: nodeList.filter(\.online).count, configVersion: configVersion),
      version: versionObject.flatMap { $0["version"]?.stringValue }.flatMap {
        PVEVersion(parsing: $0)
      },
      inconsistencies: Dictionary(
        inconsistencies.map { ($0.key, $0) }, uniquingKeysWith: { a, _ in a }
      )
      .values.sorted { $0.key < $1.key },
      options: opts,
      backups: BackupInventory(
        api: api,
        expected: Snapshot.backupContentReads(
          storage: api["/storage"], online: nodeList.filter(\.online).map(\.name))))
  }

  /// Splits a Proxmox comma or semicolon list into sorted, unique items.
  package static func list(_ text: String?) -> [String] {
    guard let text else { return [] }
    return Array(
      Set(
        text.split(whereSeparator: { $0 == "," || $0 == ";" }).map {
          $0.trimmingSpaces
        }.filter { !$0.isEmpty })
    ).sorted()
  }

  /// `100,101` or `100 101` → [100, 101].
  package static func vmidList(_ text: String?) -> [Int] {
    guard let text else { return [] }
    return text.split(whereSeparator: { $0 == "," || $0 == " " || $0 == ";" }).compactMap {
      Int($0)
    }.sorted()
  }

  /// QEMU `memory`: `"8192"`, `8192`, or the property string `"current=8192"` (MiB).
  package static func qemuMemoryMiB(_ value: JSONValue?) -> Int64? {
    guard let value else { return nil }
    if let i = value.intValue { return i }
    guard let text = value.stringValue else { return nil }
    for part in text.split(separator: ",") {
      let kv = part.split(separator: "=", maxSplits: 1)
      if kv.count == 2, kv[0] == "current" { return JSONValue.string(String(kv[1])).intValue }
    }
    return nil
  }

  /// `vm:114` → (.qemu, 114).
  package static func parseSID(_ sid: String) -> (GuestKind, Int)? {
    let parts = sid.split(separator: ":", maxSplits: 1)
    guard parts.count == 2, let vmid = Int(parts[1]) else { return nil }
    switch parts[0] {
    case "vm": return (.qemu, vmid)
    case "ct": return (.lxc, vmid)
    default: return nil
    }
  }

  /// The network devices of a config: `net0` → its property string.
  package static func networks(config: [String: JSONValue]) -> [String: String] {
    var out: [String: String] = [:]
    for (key, value) in config where key.hasPrefix("net") && Int(key.dropFirst(3)) != nil {
      if let text = value.stringValue { out[key] = text }
    }
    return out
  }

  /// Config keys of host devices that pin a guest to its node (see `Guest.localDevices`).
  package static func localDevices(kind: GuestKind, config: [String: JSONValue]) -> [String] {
    func numbered(_ key: String, _ prefix: String) -> Bool {
      key.hasPrefix(prefix) && key.count > prefix.count
        && key.dropFirst(prefix.count).allSatisfy(\.isNumber)
    }
    var out: [String] = []
    for (key, value) in config {
      let text = value.stringValue ?? ""
      let mapped = text.split(separator: ",").contains { $0.hasPrefix("mapping=") }
      switch kind {
      case .qemu:
        if numbered(key, "hostpci") && !mapped { out.append(key) }
        if numbered(key, "usb") && !mapped && !text.hasPrefix("spice") { out.append(key) }
        if numbered(key, "serial") && text.hasPrefix("/dev/") { out.append(key) }
        if numbered(key, "parallel") { out.append(key) }
      case .lxc:
        if numbered(key, "dev") && !mapped { out.append(key) }
      }
    }
    return out.sorted()
  }

  static let qemuDiskPrefixes = ["ide", "sata", "scsi", "virtio", "efidisk", "tpmstate", "unused"]
  static let lxcDiskPrefixes = ["rootfs", "mp", "unused"]
  static let qemuDiskInitials = Set(qemuDiskPrefixes.compactMap(\.utf8.first))
  static let lxcDiskInitials = Set(lxcDiskPrefixes.compactMap(\.utf8.first))

  /// Every volume of a guest config, sorted by key; CD-ROMs and empty drives are not disks.
  package static func disks(kind: GuestKind, config: [String: JSONValue]) -> [Disk] {
    var out: [Disk] = []
    let prefixes = kind == .qemu ? qemuDiskPrefixes : lxcDiskPrefixes
    let initials: Set<UInt8> = kind == .qemu ? qemuDiskInitials : lxcDiskInitials
    for (key, value) in config {
      // Most keys (name, memory, net0, …) are ruled out by their first letter.
      guard let first = key.utf8.first, initials.contains(first),
        let prefix = prefixes.first(where: { key.hasPrefix($0) })
      else { continue }
      let rest = key.dropFirst(prefix.count)
      guard key == "rootfs" || (!rest.isEmpty && rest.allSatisfy(\.isNumber)) else { continue }
      guard let text = value.stringValue else { continue }
      var fields = text.split(separator: ",").map(String.init)
      // The volume may be written with its key (`file=…` for QEMU, `volume=…` for LXC), anywhere.
      if let i = fields.firstIndex(where: { $0.hasPrefix("file=") || $0.hasPrefix("volume=") }) {
        let field = fields.remove(at: i)
        fields.insert(String(field.drop(while: { $0 != "=" }).dropFirst()), at: 0)
      }
      guard let volid = fields.first, volid != "none", !volid.isEmpty,
        !volid.utf8.contains(UInt8(ascii: "="))
      else {
        continue
      }
      if fields.contains("media=cdrom") { continue }
      var size: Int64 = 0
      for f in fields.dropFirst() where f.hasPrefix("size=") {
        size = ByteSize.parse(String(f.dropFirst(5))) ?? 0
      }
      let storage: String? =
        volid.hasPrefix("/")
        ? nil : volid.split(separator: ":", maxSplits: 1).first.map(String.init)
      out.append(Disk(key: key, volid: volid, storage: storage, size: size))
    }
    return out.sorted { $0.key < $1.key }
  }
}

extension Cluster {
  package func node(_ name: String) -> Node? { nodes.first { $0.name == name } }
  package func guest(vmid: Int) -> Guest? { guests.first { $0.vmid == vmid } }
  package func guest(sid: String) -> Guest? { guests.first { $0.sid == sid } }
  package func guests(on node: String) -> [Guest] { guests.filter { $0.node == node } }
  package func storage(_ id: String) -> Storage? { storages.first { $0.id == id } }
  package func haResource(_ sid: String) -> HAResource? { haResources.first { $0.sid == sid } }

  /// Whether a storage id is shared (NFS, Ceph, …); unknown ids count as local.
  package func isShared(_ storageID: String) -> Bool { storage(storageID)?.shared ?? false }

  /// The lowest PVE major version among the nodes (a mixed cluster is as old as its oldest node).
  package var pveMajor: Int? {
    let majors = nodes.compactMap { $0.version?.major }
    return majors.min() ?? version?.major
  }

  /// Whether HA placement uses PVE 9 rules (all nodes on 9 and groups migrated) or PVE 8 groups.
  package var usesHARules: Bool {
    guard let major = pveMajor, major >= 9 else { return false }
    if let groups = haGroups, !groups.isEmpty { return false }
    return haRules != nil || haGroups?.isEmpty == true
  }
}
