import PVEModel

/// The hand-built cluster of every test target: small `Cluster` values from the model's memberwise
/// inits, written as a chain (`TestCluster().node("a").guest(101, on: "a").cluster`).
///
/// Defaults: nodes online with 8 cores and 32 GiB; guests are running containers with 1 vCPU and
/// 1 GiB and no disks; quorum follows the nodes (one vote each) unless set.
///
/// Two presets keep the defaults the planner's and the rehearsal's tests were written against
/// (see `TestCluster+Planner.swift` and `TestCluster+Sim.swift`); they add with mutating
/// methods (`var b = TestCluster.planner(); b.addNode("a", cores: 8); b.cluster`).
package struct TestCluster {
  package init() {}

  /// How `cluster` renders the parts: the chain's own defaults, the planner tests' (every node
  /// has `local-lvm`, shared pools on every node) or the rehearsal tests' (pve-ha-manager
  /// scenarios: one shared pool, HA state on the guests).
  package enum Preset: Sendable { case plain, planner(major: Int), sim }
  package var preset = Preset.plain

  package static let gib = ByteSize.gib

  package var name: String? = "test"
  package var nodes: [Node] = []
  package var guests: [Guest] = []
  package var storages: [Storage] = []
  package var haResources: [HAResource] = []
  package var haGroups: [HAGroup]? = []
  package var haRules: [HARule]? = nil
  package var haServices: [String: HAServiceStatus] = [:]
  package var master: String? = nil
  package var backupJobs: [BackupJob] = []
  package var quorum: Quorum? = nil
  package var inconsistencies: [Inconsistency] = []
  package var backups = BackupInventory()
  /// The cluster's version; nodes take `nodeVersion ?? version` when added.
  package var version = PVEVersion(major: 8, minor: 4, patch: 1)
  package var nodeVersion: PVEVersion? = nil
  /// `datacenter.cfg` `crs` (`ha=<value>`), sim preset.
  package var crs: String? = nil
  /// Planner preset: each node's `local-lvm` figures, and shared pools with their GiB figures.
  package var localLVM: [NodeStorage] = []
  package var sharedPools: [Storage] = []
  package var sharedSizes: [String: (Int64, Int64)] = [:]

  package func node(
    _ name: String, cores: Int = 8, memoryGiB: Int64 = 32, online: Bool = true, cpu: Double = 0.1,
    uptime: Int64? = nil, haState: String? = nil
  ) -> TestCluster {
    var c = self
    c.nodes.append(
      Node(
        name: name, online: online, cores: cores, memoryTotal: memoryGiB * Self.gib,
        memoryUsed: online ? memoryGiB * Self.gib / 4 : 0, cpuUsage: online ? cpu : 0,
        uptime: uptime ?? (online ? 3 * 86_400 : 0), version: nodeVersion ?? version,
        ip: nil, haState: haState))
    return c
  }

  package func guest(
    _ vmid: Int, on node: String, name: String? = nil, kind: GuestKind = .lxc,
    status: String = "running", vcpus: Int = 1, memoryGiB: Int64 = 1, disks: [Disk] = [],
    tags: [String] = [], pool: String? = nil, template: Bool = false, onboot: Bool = false
  ) -> TestCluster {
    var c = self
    c.guests.append(
      Guest(
        kind: kind, vmid: vmid, name: name ?? "guest\(vmid)", node: node, status: status,
        vcpus: vcpus, memory: memoryGiB * Self.gib,
        memoryUsed: status == "running" ? memoryGiB * Self.gib / 2 : 0, disks: disks, tags: tags,
        pool: pool, template: template, lock: nil, onboot: onboot, haState: nil))
    return c
  }

  /// An HA resource (requested state `started` unless given) for an existing or missing guest.
  package func ha(
    _ sid: String, state: String = "started", group: String? = nil, live: String? = nil,
    liveNode: String? = nil
  )
    -> TestCluster
  {
    var c = self
    guard let (kind, vmid) = Cluster.parseSID(sid) else { return c }
    c.haResources.append(
      HAResource(
        sid: sid, kind: kind, vmid: vmid, state: state, maxRestart: 1, maxRelocate: 1,
        group: group, failback: nil, comment: nil))
    if let live { c.haServices[sid] = HAServiceStatus(node: liveNode, state: live) }
    return c
  }

  /// A node-local pool with figures on the given nodes (GB, decimal).
  package func localStorage(
    _ id: String, type: String = "lvmthin", content: [String] = ["images", "rootdir"],
    perNode: [(String, Int64, Int64)]
  ) -> TestCluster {
    var c = self
    c.storages.append(
      Storage(
        id: id, type: type, shared: false, content: content, restrictedTo: nil, disabled: false,
        server: nil,
        perNode: perNode.map {
          NodeStorage(
            node: $0.0, total: $0.1 * 1_000_000_000, used: $0.2 * 1_000_000_000,
            available: ($0.1 - $0.2) * 1_000_000_000, active: true, enabled: true)
        }))
    return c
  }

  /// A shared pool every listed node reports with the same figures (GB, decimal).
  package func sharedStorage(
    _ id: String, server: String?, type: String = "nfs", content: [String] = ["images", "rootdir"],
    totalGB: Int64, usedGB: Int64, nodes: [String]
  ) -> TestCluster {
    var c = self
    c.storages.append(
      Storage(
        id: id, type: type, shared: true, content: content, restrictedTo: nil, disabled: false,
        server: server,
        perNode: nodes.map {
          NodeStorage(
            node: $0, total: totalGB * 1_000_000_000, used: usedGB * 1_000_000_000,
            available: (totalGB - usedGB) * 1_000_000_000, active: true, enabled: true)
        }))
    return c
  }

  package func backupJob(
    _ id: String, enabled: Bool = true, all: Bool = false, vmids: [Int] = [], exclude: [Int] = [],
    pool: String? = nil, node: String? = nil, storage: String? = "backup"
  ) -> TestCluster {
    var c = self
    c.backupJobs.append(
      BackupJob(
        id: id, enabled: enabled, all: all, vmids: vmids, exclude: exclude, pool: pool, node: node,
        storage: storage, schedule: "02:00", mode: "snapshot", compress: "zstd",
        pruneBackups: ["keep-daily": "7"], comment: nil))
    return c
  }

  package func with(_ change: (inout TestCluster) -> Void) -> TestCluster {
    var c = self
    change(&c)
    return c
  }

  package var cluster: Cluster {
    switch preset {
    case .plain: plainCluster
    case .planner: plannerCluster
    case .sim: simCluster
    }
  }

  private var plainCluster: Cluster {
    let q =
      quorum
      ?? Quorum(
        quorate: true, nodes: nodes.count, online: nodes.filter(\.online).count, configVersion: 3)
    return Cluster(
      name: name, collectedAt: "2025-11-09T10:00:00Z", source: "test",
      nodes: nodes.sorted { $0.name < $1.name }, guests: guests.sorted { $0.vmid < $1.vmid },
      storages: storages.sorted { $0.id < $1.id }, haResources: haResources, haGroups: haGroups,
      haRules: haRules,
      haManager: HAManagerStatus(master: master, quorate: true, services: haServices),
      backupJobs: backupJobs, quorum: q, version: version,
      inconsistencies: inconsistencies, options: [:], backups: backups)
  }

  /// Backup archives, with every listing read (`complete`): `(vmid, storage, node, age in hours
  /// before collectedAt, verification)`.
  package func archives(_ list: [(Int, String, String, Int64, String?)]) -> TestCluster {
    var c = self
    let now: Int64 = 1_762_682_400  // 2025-11-09T10:00:00Z
    let archives = list.map { a in
      BackupArchive(
        volid: "\(a.1):backup/vm/\(a.0)/\(a.3)", storage: a.1, node: a.2, vmid: a.0, kind: nil,
        ctime: now - a.3 * 3600, size: 1, format: a.1.hasPrefix("pbs") ? "pbs-ct" : "tar.zst",
        verification: a.4, notes: nil, protected: false, encrypted: false)
    }
    c.backups = BackupInventory(archives: archives, complete: true)
    return c
  }

  /// A volume on `storage` of `gib` GiB.
  package static func disk(_ storage: String, gib: Int64 = 8, key: String = "rootfs") -> Disk {
    Disk(key: key, volid: "\(storage):vol-\(key)", storage: storage, size: gib * Self.gib)
  }

}
