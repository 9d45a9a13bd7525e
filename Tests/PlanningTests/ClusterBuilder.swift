import Audit
import PVEModel
import Planning
import Playbook

/// Small clusters built by hand for planner tests: every node has `local-lvm`, shared pools are
/// seen by every node.
struct ClusterBuilder {
  var major = 9
  var nodes: [Node] = []
  var guests: [Guest] = []
  var localLVM: [NodeStorage] = []
  var shared: [Storage] = []
  var haResources: [HAResource] = []
  var haGroups: [HAGroup]?
  var haRules: [HARule]? = []
  var backupJobs: [BackupJob] = []

  static let gib = ByteSize.gib

  init(major: Int = 9) {
    self.major = major
    if major < 9 {
      haGroups = []
      haRules = nil
    }
  }

  mutating func node(
    _ name: String, cores: Int, memoryGiB: Int64 = 32, localGiB: Int64 = 500,
    localUsedGiB: Int64 = 0, online: Bool = true
  ) {
    nodes.append(
      Node(
        name: name, online: online, cores: cores, memoryTotal: memoryGiB * Self.gib,
        memoryUsed: 0, cpuUsage: 0, uptime: 1000,
        version: PVEVersion(major: major, minor: major >= 9 ? 1 : 4, patch: 1), ip: nil,
        haState: nil))
    localLVM.append(
      NodeStorage(
        node: name, total: localGiB * Self.gib, used: localUsedGiB * Self.gib,
        available: (localGiB - localUsedGiB) * Self.gib, active: true, enabled: true))
  }

  mutating func sharedPool(
    _ id: String, totalGiB: Int64, usedGiB: Int64 = 0, content: [String] = ["images", "rootdir"],
    server: String = "10.0.0.9"
  ) {
    shared.append(
      Storage(
        id: id, type: "nfs", shared: true, content: content, restrictedTo: nil, disabled: false,
        server: server, perNode: []))
    sharedSizes[id] = (totalGiB, usedGiB)
  }
  private var sharedSizes: [String: (Int64, Int64)] = [:]

  /// Adds a guest; `disks` are `(key, storage, GiB)`.
  mutating func guest(
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

  mutating func vm(
    _ vmid: Int, on node: String, vcpus: Int = 2, memoryGiB: Double = 2,
    disks: [(String, String, Int64)]? = nil, running: Bool = true, onboot: Bool = false,
    name: String? = nil
  ) {
    guest(
      .qemu, vmid, on: node, vcpus: vcpus, memoryGiB: memoryGiB, disks: disks, running: running,
      onboot: onboot, name: name)
  }

  mutating func ct(
    _ vmid: Int, on node: String, vcpus: Int = 1, memoryGiB: Double = 1,
    disks: [(String, String, Int64)]? = nil, running: Bool = true, onboot: Bool = false,
    name: String? = nil
  ) {
    guest(
      .lxc, vmid, on: node, vcpus: vcpus, memoryGiB: memoryGiB, disks: disks, running: running,
      onboot: onboot, name: name)
  }

  mutating func ha(_ sid: String, state: String = "started", group: String? = nil) {
    guard let (kind, vmid) = Cluster.parseSID(sid) else { return }
    haResources.append(
      HAResource(
        sid: sid, kind: kind, vmid: vmid, state: state, maxRestart: 1, maxRelocate: 1,
        group: group, failback: nil, comment: nil))
    if let i = guests.firstIndex(where: { $0.sid == sid }) { guests[i].haState = state }
  }

  func build() -> Cluster {
    var storages = [
      Storage(
        id: "local-lvm", type: "lvmthin", shared: false, content: ["images", "rootdir"],
        restrictedTo: nil, disabled: false, server: nil, perNode: localLVM)
    ]
    for s in shared {
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
    var services: [String: HAServiceStatus] = [:]
    for r in haResources {
      services[r.sid] = HAServiceStatus(
        node: guests.first { $0.sid == r.sid }?.node, state: r.state)
    }
    return Cluster(
      name: "test", collectedAt: "2025-01-01T00:00:00Z", source: "test",
      nodes: nodes.sorted { $0.name < $1.name }, guests: guests.sorted { $0.vmid < $1.vmid },
      storages: storages.sorted { $0.id < $1.id },
      haResources: haResources.sorted { $0.vmid < $1.vmid }, haGroups: haGroups,
      haRules: haRules,
      haManager: HAManagerStatus(master: nodes.first?.name, quorate: true, services: services),
      backupJobs: backupJobs,
      quorum: Quorum(quorate: true, nodes: nodes.count, online: nodes.count, configVersion: 1),
      version: PVEVersion(major: major, minor: 1, patch: 1), inconsistencies: [], options: [:])
  }
}

/// Planning a hand-built cluster the way `pvemend plan` does.
enum Plans {
  static let snapshot = Snapshot(collectedAt: "2025-01-01T00:00:00Z", source: "test", api: [:])

  static func outcome(_ cluster: Cluster, _ policy: Policy, findings: [Finding]? = nil)
    -> PlanOutcome
  {
    Planner.outcome(
      snapshot: snapshot, cluster: cluster,
      findings: findings ?? TestAudit.findings(in: cluster, policy: policy), policy: policy,
      playbookPath: "test.yaml", playbookText: "name: test\n")
  }

  static func plan(_ cluster: Cluster, _ policy: Policy, findings: [Finding]? = nil) -> Plan {
    outcome(cluster, policy, findings: findings).plan
  }
}
