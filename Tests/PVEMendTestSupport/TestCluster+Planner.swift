import PVEModel

/// The planner tests' preset: every node has `local-lvm` (its usage counts the local volumes),
/// shared pools are seen by every node, nodes report no memory or CPU use, PVE `major`.1.1
/// (nodes `major`.1.1 on 9, `major`.4.1 before), HA groups on 8 and rules on 9.
extension TestCluster {
  package static func planner(major: Int = 9) -> TestCluster {
    var c = TestCluster()
    c.preset = .planner(major: major)
    c.name = "test"
    c.version = PVEVersion(major: major, minor: 1, patch: 1)
    c.nodeVersion = PVEVersion(major: major, minor: major >= 9 ? 1 : 4, patch: 1)
    c.haGroups = major < 9 ? [] : nil
    c.haRules = major < 9 ? nil : []
    return c
  }

  /// A planner node with `localGiB` of `local-lvm` (`localUsedGiB` used besides its volumes).
  package mutating func addNode(
    _ name: String, cores: Int, memoryGiB: Int64 = 32, localGiB: Int64 = 500,
    localUsedGiB: Int64 = 0, online: Bool = true
  ) {
    nodes.append(
      Node(
        name: name, online: online, cores: cores, memoryTotal: memoryGiB * Self.gib,
        memoryUsed: 0, cpuUsage: 0, uptime: 1000, version: nodeVersion ?? version, ip: nil,
        haState: nil))
    localLVM.append(
      NodeStorage(
        node: name, total: localGiB * Self.gib, used: localUsedGiB * Self.gib,
        available: (localGiB - localUsedGiB) * Self.gib, active: true, enabled: true))
  }

  /// A shared NFS pool every node reports with the same figures (GiB).
  package mutating func sharedPool(
    _ id: String, totalGiB: Int64, usedGiB: Int64 = 0, content: [String] = ["images", "rootdir"],
    server: String = "10.0.0.9"
  ) {
    sharedPools.append(
      Storage(
        id: id, type: "nfs", shared: true, content: content, restrictedTo: nil, disabled: false,
        server: server, perNode: []))
    sharedSizes[id] = (totalGiB, usedGiB)
  }

  /// Adds a guest; `disks` are `(key, storage, GiB)`, one 8 GiB `local-lvm` volume unless given.
  package mutating func addGuest(
    _ kind: GuestKind, _ vmid: Int, on node: String, vcpus: Int = 1, memoryGiB: Double = 1,
    disks: [(String, String, Int64)]? = nil, running: Bool = true, onboot: Bool = false,
    name: String? = nil, tags: [String] = []
  ) {
    let list =
      disks ?? [(kind == .qemu ? "scsi0" : "rootfs", "local-lvm", 8)]
    let memory = Int64(memoryGiB * Double(Self.gib))
    guests.append(
      Guest(
        kind: kind, vmid: vmid, name: name ?? "\(kind.haType)\(vmid)", node: node,
        status: running ? "running" : "stopped", vcpus: vcpus, memory: memory,
        memoryUsed: running ? memory / 2 : 0,
        disks: list.map { key, storage, size in
          Disk(
            key: key, volid: "\(storage):vm-\(vmid)-disk-\(key)", storage: storage,
            size: size * Self.gib)
        }, tags: tags, pool: nil, template: false, lock: nil, onboot: onboot, haState: nil))
  }

  package mutating func vm(
    _ vmid: Int, on node: String, vcpus: Int = 2, memoryGiB: Double = 2,
    disks: [(String, String, Int64)]? = nil, running: Bool = true, onboot: Bool = false,
    name: String? = nil
  ) {
    addGuest(
      .qemu, vmid, on: node, vcpus: vcpus, memoryGiB: memoryGiB, disks: disks, running: running,
      onboot: onboot, name: name)
  }

  package mutating func ct(
    _ vmid: Int, on node: String, vcpus: Int = 1, memoryGiB: Double = 1,
    disks: [(String, String, Int64)]? = nil, running: Bool = true, onboot: Bool = false,
    name: String? = nil
  ) {
    addGuest(
      .lxc, vmid, on: node, vcpus: vcpus, memoryGiB: memoryGiB, disks: disks, running: running,
      onboot: onboot, name: name)
  }

  /// An HA resource; the guest (if added already) takes its state.
  package mutating func addHA(_ sid: String, state: String = "started", group: String? = nil) {
    guard let (kind, vmid) = Cluster.parseSID(sid) else { return }
    haResources.append(
      HAResource(
        sid: sid, kind: kind, vmid: vmid, state: state, maxRestart: 1, maxRelocate: 1,
        group: group, failback: nil, comment: nil))
    if let i = guests.firstIndex(where: { $0.sid == sid }) { guests[i].haState = state }
  }

  var plannerCluster: Cluster {
    var storages = [
      Storage(
        id: "local-lvm", type: "lvmthin", shared: false, content: ["images", "rootdir"],
        restrictedTo: nil, disabled: false, server: nil, perNode: localLVM)
    ]
    for s in sharedPools {
      var pool = s
      let (total, used) = sharedSizes[s.id] ?? (1000, 0)
      pool.perNode = nodes.map {
        NodeStorage(
          node: $0.name, total: total * Self.gib, used: used * Self.gib,
          available: (total - used) * Self.gib, active: true, enabled: true)
      }
      storages.append(pool)
    }
    // Local usage counts the local volumes.
    for g in guests {
      for d in g.disks where d.storage == "local-lvm" {
        if let i = storages[0].perNode.firstIndex(where: { $0.node == g.node }) {
          storages[0].perNode[i].used += d.size
          storages[0].perNode[i].available -= d.size
        }
      }
    }
    storages += self.storages
    var services: [String: HAServiceStatus] = [:]
    for r in haResources {
      services[r.sid] = HAServiceStatus(
        node: guests.first { $0.sid == r.sid }?.node, state: r.state)
    }
    return Cluster(
      name: name, collectedAt: "2025-01-01T00:00:00Z", source: "test",
      nodes: nodes.sorted { $0.name < $1.name }, guests: guests.sorted { $0.vmid < $1.vmid },
      storages: storages.sorted { $0.id < $1.id },
      haResources: haResources.sorted { $0.vmid < $1.vmid }, haGroups: haGroups,
      haRules: haRules,
      haManager: HAManagerStatus(master: nodes.first?.name, quorate: true, services: services),
      backupJobs: backupJobs,
      quorum: Quorum(quorate: true, nodes: nodes.count, online: nodes.count, configVersion: 1),
      version: version, inconsistencies: [], options: [:])
  }
}
