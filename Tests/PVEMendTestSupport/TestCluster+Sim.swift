import PVEModel

/// The rehearsal tests' preset, written like a pve-ha-manager `src/test/` scenario:
/// `hardware_status` (nodes with maxcpu / maxmem), `service_config` (sid → node, state),
/// `static_service_stats` (sid → maxcpu, maxmem), `rules_config` or `groups`, `datacenter.cfg`
/// (`crs`). PVE 9.1.7 unless set (set `version` before adding nodes); every guest's disk sits on
/// one shared pool unless local.
extension TestCluster {
  package static func sim() -> TestCluster {
    var c = TestCluster()
    c.preset = .sim
    c.name = "sim"
    c.version = PVEVersion(major: 9, minor: 1, patch: 7)
    c.haGroups = nil
    c.haRules = []
    return c
  }

  /// Shared storage every guest's disk sits on (HA can recover them).
  package static let simShared = Storage(
    id: "shared", type: "nfs", shared: true, content: ["images", "rootdir"], restrictedTo: nil,
    disabled: false, server: "10.0.0.9", perNode: [])

  /// A node; `maxcpu` 32 and 100 GB memory unless said (`hardware_status` defaults of the tests).
  package mutating func addNode(_ name: String, maxcpu: Int = 32, maxmem: Int64 = 100_000_000_000) {
    nodes.append(
      Node(
        name: name, online: true, cores: maxcpu, memoryTotal: maxmem, memoryUsed: 0, cpuUsage: 0,
        uptime: 1, version: nodeVersion ?? version, ip: nil, haState: "online"))
  }

  /// An HA service (`service_config`) with its static stats; `state` as in resources.cfg.
  package mutating func service(
    _ sid: String, on node: String, state: String = "started", maxcpu: Int = 2,
    maxmem: Int64 = 4_000_000_000, failback: Bool? = nil, localDisk: Bool = false
  ) {
    addGuest(
      sid, on: node, maxcpu: maxcpu, maxmem: maxmem, running: state == "started",
      localDisk: localDisk)
    let parts = sid.split(separator: ":")
    haResources.append(
      HAResource(
        sid: sid, kind: parts[0] == "vm" ? .qemu : .lxc, vmid: Int(parts[1]) ?? 0, state: state,
        maxRestart: 1, maxRelocate: 1, group: nil, failback: failback, comment: nil))
  }

  /// A guest without HA.
  package mutating func addGuest(
    _ sid: String, on node: String, maxcpu: Int = 2, maxmem: Int64 = 4_000_000_000,
    running: Bool = true, localDisk: Bool = false
  ) {
    let parts = sid.split(separator: ":")
    let vmid = Int(parts[1]) ?? 0
    let kind: GuestKind = parts[0] == "vm" ? .qemu : .lxc
    let storage = localDisk ? "local-lvm" : "shared"
    guests.append(
      Guest(
        kind: kind, vmid: vmid, name: "guest\(vmid)", node: node,
        status: running ? "running" : "stopped", vcpus: maxcpu, memory: maxmem, memoryUsed: 0,
        disks: [
          Disk(
            key: kind == .qemu ? "scsi0" : "rootfs", volid: "\(storage):vm-\(vmid)-disk-0",
            storage: storage, size: 1 << 30)
        ], tags: [], pool: nil, template: false, lock: nil, onboot: false,
        haState: nil))
  }

  package mutating func nodeAffinity(
    _ id: String, nodes: String, resources: [String], strict: Bool = false
  ) {
    haRules =
      (haRules ?? []) + [
        HARule(
          id: id, type: "node-affinity", resources: resources.sorted(),
          nodes: NodePriority.parseList(nodes), strict: strict, affinity: nil, disabled: false)
      ]
  }

  package mutating func resourceAffinity(_ id: String, _ affinity: String, resources: [String]) {
    haRules =
      (haRules ?? []) + [
        HARule(
          id: id, type: "resource-affinity", resources: resources.sorted(), nodes: [], strict: true,
          affinity: affinity, disabled: false)
      ]
  }

  /// A PVE 8 group; the listed resources join it.
  package mutating func group(
    _ id: String, nodes: String, restricted: Bool = false, resources: [String]
  ) {
    haGroups =
      (haGroups ?? []) + [
        HAGroup(
          id: id, nodes: NodePriority.parseList(nodes), restricted: restricted, nofailback: false)
      ]
    for i in haResources.indices where resources.contains(haResources[i].sid) {
      haResources[i].group = id
    }
  }

  var simCluster: Cluster {
    let sortedGuests = guests.sorted { $0.vmid < $1.vmid }
    var haGuests = sortedGuests
    for i in haGuests.indices {
      haGuests[i].haState = haResources.first { $0.sid == haGuests[i].sid }?.state
    }
    return Cluster(
      name: name, collectedAt: "2026-12-01T00:00:00Z", source: "sim",
      nodes: nodes.sorted { $0.name < $1.name }, guests: haGuests,
      storages: [Self.simShared] + storages,
      haResources: haResources, haGroups: haGroups, haRules: haRules,
      haManager: HAManagerStatus(master: nodes.first?.name, quorate: true, services: [:]),
      backupJobs: [],
      quorum: Quorum(quorate: true, nodes: nodes.count, online: nodes.count, configVersion: 1),
      version: version, inconsistencies: [],
      options: crs.map { ["crs": "ha=\($0)"] } ?? [:])
  }
}
