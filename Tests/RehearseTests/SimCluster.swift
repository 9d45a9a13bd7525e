import PVEModel
import Playbook
import Rehearse

/// A small cluster written like a pve-ha-manager `src/test/` scenario: `hardware_status` (nodes
/// with maxcpu / maxmem), `service_config` (sid → node, state), `static_service_stats` (sid →
/// maxcpu, maxmem), `rules_config` or `groups`, `datacenter.cfg` (`crs`). The inputs are written
/// here by hand after the scenario's README, not copied.
struct SimCluster {
  var version = PVEVersion(major: 9, minor: 1, patch: 7)
  var nodes: [Node] = []
  var guests: [Guest] = []
  var resources: [HAResource] = []
  var rules: [HARule]? = []
  var groups: [HAGroup]?
  var crs: String?
  /// Shared storage every guest's disk sits on (HA can recover them).
  static let shared = Storage(
    id: "shared", type: "nfs", shared: true, content: ["images", "rootdir"], restrictedTo: nil,
    disabled: false, server: "10.0.0.9", perNode: [])

  /// A node; `maxcpu` 32 and 100 GB memory unless said (`hardware_status` defaults of the tests).
  mutating func node(_ name: String, maxcpu: Int = 32, maxmem: Int64 = 100_000_000_000) {
    nodes.append(
      Node(
        name: name, online: true, cores: maxcpu, memoryTotal: maxmem, memoryUsed: 0, cpuUsage: 0,
        uptime: 1, version: version, ip: nil, haState: "online"))
  }

  /// An HA service (`service_config`) with its static stats; `state` as in resources.cfg.
  mutating func service(
    _ sid: String, on node: String, state: String = "started", maxcpu: Int = 2,
    maxmem: Int64 = 4_000_000_000, failback: Bool? = nil, localDisk: Bool = false
  ) {
    guest(
      sid, on: node, maxcpu: maxcpu, maxmem: maxmem, running: state == "started",
      localDisk: localDisk)
    let parts = sid.split(separator: ":")
    resources.append(
      HAResource(
        sid: sid, kind: parts[0] == "vm" ? .qemu : .lxc, vmid: Int(parts[1]) ?? 0, state: state,
        maxRestart: 1, maxRelocate: 1, group: nil, failback: failback, comment: nil))
  }

  /// A guest without HA.
  mutating func guest(
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

  mutating func nodeAffinity(_ id: String, nodes: String, resources: [String], strict: Bool = false)
  {
    rules =
      (rules ?? []) + [
        HARule(
          id: id, type: "node-affinity", resources: resources.sorted(),
          nodes: NodePriority.parseList(nodes), strict: strict, affinity: nil, disabled: false)
      ]
  }

  mutating func resourceAffinity(_ id: String, _ affinity: String, resources: [String]) {
    rules =
      (rules ?? []) + [
        HARule(
          id: id, type: "resource-affinity", resources: resources.sorted(), nodes: [], strict: true,
          affinity: affinity, disabled: false)
      ]
  }

  /// A PVE 8 group; the listed resources join it.
  mutating func group(_ id: String, nodes: String, restricted: Bool = false, resources: [String]) {
    groups =
      (groups ?? []) + [
        HAGroup(
          id: id, nodes: NodePriority.parseList(nodes), restricted: restricted, nofailback: false)
      ]
    for i in self.resources.indices where resources.contains(self.resources[i].sid) {
      self.resources[i].group = id
    }
  }

  var cluster: Cluster {
    let sortedGuests = guests.sorted { $0.vmid < $1.vmid }
    var haGuests = sortedGuests
    for i in haGuests.indices {
      haGuests[i].haState = resources.first { $0.sid == haGuests[i].sid }?.state
    }
    return Cluster(
      name: "sim", collectedAt: "2026-12-01T00:00:00Z", source: "sim",
      nodes: nodes.sorted { $0.name < $1.name }, guests: haGuests, storages: [Self.shared],
      haResources: resources, haGroups: groups, haRules: rules,
      haManager: HAManagerStatus(master: nodes.first?.name, quorate: true, services: [:]),
      backupJobs: [],
      quorum: Quorum(quorate: true, nodes: nodes.count, online: nodes.count, configVersion: 1),
      version: version, inconsistencies: [],
      options: crs.map { ["crs": "ha=\($0)"] } ?? [:])
  }

  /// Fails `nodes` and returns sid → recovery node (nil: no node found / not recovered).
  func fail(_ nodes: String...) -> RecoveryOutcome {
    Rehearsal.run(
      cluster, policy: Policy(capacity: CapacityPolicy(vcpuPerCore: 8, memoryReserve: 0)),
      scenario: FailureScenario(failedNodes: nodes))
  }
}

extension RecoveryOutcome {
  /// sid → node for every recovered service, in the CRM's order.
  var targets: [String] { recovered.map { "\($0.sid)→\($0.to)" } }
}
