/// QEMU virtual machine or LXC container, with Proxmox's own spellings.
package enum GuestKind: String, Codable, Sendable, Hashable, CaseIterable, Comparable {
  case qemu
  case lxc

  /// The HA resource type: `vm` or `ct`.
  package var haType: String { self == .qemu ? "vm" : "ct" }
  /// The node CLI for this kind: `qm` or `pct`.
  package var cli: String { self == .qemu ? "qm" : "pct" }

  package static func < (a: GuestKind, b: GuestKind) -> Bool { a.rawValue < b.rawValue }
}

/// The cluster as pvemend reasons about it, derived from a snapshot. All lists are sorted.
package struct Cluster: Sendable, Hashable {
  /// The cluster name from `/cluster/status` (nil for a single node outside a cluster).
  package var name: String?
  package var collectedAt: String
  package var source: String
  /// Sorted by name.
  package var nodes: [Node]
  /// Sorted by VMID.
  package var guests: [Guest]
  /// Storage definitions (`/storage`) joined with per-node status; sorted by id.
  package var storages: [Storage]
  package var haResources: [HAResource]
  /// HA groups (PVE 8 and unmigrated 9); nil when the snapshot has no `/cluster/ha/groups`.
  package var haGroups: [HAGroup]?
  /// HA rules (PVE 9); nil when the snapshot has no `/cluster/ha/rules`.
  package var haRules: [HARule]?
  package var haManager: HAManagerStatus
  package var backupJobs: [BackupJob]
  package var quorum: Quorum
  /// `/version` of the node the snapshot was collected from.
  package var version: PVEVersion?
  /// Inconsistencies found while deriving the model (a guest on an unlisted node, an HA resource for a
  /// missing guest). They become findings; they never stop the audit.
  package var inconsistencies: [Inconsistency]
  /// `/cluster/options` keys that matter (e.g. `crs`).
  package var options: [String: String]
  /// Backup archives on the backup storages (`/nodes/<n>/storage/<s>/content`), and whether the
  /// snapshot holds every listing (older snapshots do not: backup content unknown).
  package var backups: BackupInventory

  package init(
    name: String?, collectedAt: String, source: String, nodes: [Node], guests: [Guest],
    storages: [Storage], haResources: [HAResource], haGroups: [HAGroup]?, haRules: [HARule]?,
    haManager: HAManagerStatus, backupJobs: [BackupJob], quorum: Quorum, version: PVEVersion?,
    inconsistencies: [Inconsistency], options: [String: String],
    backups: BackupInventory = BackupInventory()
  ) {
    self.name = name
    self.collectedAt = collectedAt
    self.source = source
    self.nodes = nodes
    self.guests = guests
    self.storages = storages
    self.haResources = haResources
    self.haGroups = haGroups
    self.haRules = haRules
    self.haManager = haManager
    self.backupJobs = backupJobs
    self.quorum = quorum
    self.version = version
    self.inconsistencies = inconsistencies
    self.options = options
    self.backups = backups
  }
}

/// A cluster member.
package struct Node: Sendable, Hashable, Codable {
  package var name: String
  package var online: Bool
  /// Logical CPUs (`maxcpu`, `cpuinfo.cpus`): the most vCPUs one guest may have here.
  package var cores: Int
  package var memoryTotal: Int64
  package var memoryUsed: Int64
  /// CPU load 0…1 across all cores.
  package var cpuUsage: Double
  package var uptime: Int64
  /// `pve-manager/9.1.1/…` parsed; nil when unknown (offline node).
  package var version: PVEVersion?
  package var ip: String?
  /// The HA node status (`online`, `maintenance`, …), if HA knows the node.
  package var haState: String?

  package init(
    name: String, online: Bool, cores: Int, memoryTotal: Int64, memoryUsed: Int64,
    cpuUsage: Double, uptime: Int64, version: PVEVersion?, ip: String?, haState: String?
  ) {
    self.name = name
    self.online = online
    self.cores = cores
    self.memoryTotal = memoryTotal
    self.memoryUsed = memoryUsed
    self.cpuUsage = cpuUsage
    self.uptime = uptime
    self.version = version
    self.ip = ip
    self.haState = haState
  }
}

/// A Proxmox VE release (`9.1.1`).
package struct PVEVersion: Sendable, Hashable, Codable, Comparable, CustomStringConvertible {
  package var major: Int
  package var minor: Int
  package var patch: Int

  package init(major: Int, minor: Int, patch: Int) {
    self.major = major
    self.minor = minor
    self.patch = patch
  }

  /// Parses `9.1.1`, `8.4-3`, `pve-manager/9.1.1/42db4a6cf33dac83` or `pve-manager/7.4-3/9002ab8a`.
  package init?(parsing text: String) {
    var t = Substring(text)
    if t.hasPrefix("pve-manager/") { t = t.dropFirst("pve-manager/".count) }
    let head = t.split(separator: "/").first ?? t
    let parts = head.split(whereSeparator: { $0 == "." || $0 == "-" }).map { Int($0) }
    guard parts.count >= 2, let major = parts[0], let minor = parts[1] else { return nil }
    self.init(major: major, minor: minor, patch: parts.count > 2 ? (parts[2] ?? 0) : 0)
  }

  package var description: String { "\(major).\(minor).\(patch)" }

  package static func < (a: PVEVersion, b: PVEVersion) -> Bool {
    (a.major, a.minor, a.patch) < (b.major, b.minor, b.patch)
  }
}

/// A virtual machine or container.
package struct Guest: Sendable, Hashable, Codable {
  package var kind: GuestKind
  package var vmid: Int
  package var name: String
  package var node: String
  /// `running`, `stopped`, `paused`, `unknown`.
  package var status: String
  /// VMs: sockets × cores; containers: `cores`, or the node's cores when unset.
  package var vcpus: Int
  /// Configured memory in bytes.
  package var memory: Int64
  /// Memory in use now (0 when stopped).
  package var memoryUsed: Int64
  package var disks: [Disk]
  package var tags: [String]
  package var pool: String?
  package var template: Bool
  package var lock: String?
  package var onboot: Bool
  /// The HA state (`started`, `stopped`, `error`, …) when HA manages the guest.
  package var haState: String?
  /// Config keys of host devices that tie the guest to its node (`hostpci0`, `usb1`, `serial0`
  /// on a `/dev` path, `parallel0`, a container's `dev0`): Proxmox refuses to migrate it
  /// (`can't migrate VM which uses local devices`) and HA cannot start it elsewhere. Devices
  /// given through a cluster-wide resource mapping (`mapping=`) and SPICE USB are not local.
  package var localDevices: [String]
  /// Network devices: `net0` → `virtio=BC:24:11:…,bridge=vmbr0,link_down=1` (config property strings).
  package var networks: [String: String]

  package init(
    kind: GuestKind, vmid: Int, name: String, node: String, status: String, vcpus: Int,
    memory: Int64, memoryUsed: Int64, disks: [Disk], tags: [String], pool: String?,
    template: Bool, lock: String?, onboot: Bool, haState: String?, localDevices: [String] = [],
    networks: [String: String] = [:]
  ) {
    self.kind = kind
    self.vmid = vmid
    self.name = name
    self.node = node
    self.status = status
    self.vcpus = vcpus
    self.memory = memory
    self.memoryUsed = memoryUsed
    self.disks = disks
    self.tags = tags
    self.pool = pool
    self.template = template
    self.lock = lock
    self.onboot = onboot
    self.haState = haState
    self.localDevices = localDevices
    self.networks = networks
  }

  /// Whether every network device is cut: `link_down=1`, or on `isolatedBridge` when given.
  package func networksCut(isolatedBridge: String? = nil) -> Bool {
    networks.values.allSatisfy { text in
      let parts = text.split(separator: ",").map {
        $0.split(separator: "=", maxSplits: 1).map(String.init)
      }
      if parts.contains(where: { $0.count == 2 && $0[0] == "link_down" && $0[1] == "1" }) {
        return true
      }
      guard let isolatedBridge else { return false }
      return parts.contains { $0.count == 2 && $0[0] == "bridge" && $0[1] == isolatedBridge }
    }
  }

  /// The HA resource id: `vm:114`, `ct:110`.
  package var sid: String { "\(kind.haType):\(vmid)" }
  package var isRunning: Bool { status == "running" }
  /// Whether HA manages the guest: an HA state other than `ignored` (Proxmox treats ignored
  /// resources as unmanaged everywhere).
  package var isHAManaged: Bool { haState != nil && haState != "ignored" }
  /// Counts against a node's capacity: running now, or started at boot.
  package var claimsCapacity: Bool { !template && (isRunning || onboot) }
}

/// A guest volume (`scsi0`, `rootfs`, `mp0`, `unused0`).
package struct Disk: Sendable, Hashable, Codable {
  /// The config key: `scsi0`, `efidisk0`, `rootfs`, `mp0`, `unused0`.
  package var key: String
  /// `local-lvm:vm-110-disk-0`, or an absolute path for passthrough and bind mounts.
  package var volid: String
  /// The storage id, nil for passthrough disks and bind mounts.
  package var storage: String?
  package var size: Int64

  package init(key: String, volid: String, storage: String?, size: Int64) {
    self.key = key
    self.volid = volid
    self.storage = storage
    self.size = size
  }

  package var isUnused: Bool { key.hasPrefix("unused") }
}

/// A storage pool: its definition and its figures on each node where it is enabled.
///
/// A shared pool is one pool, however many nodes list it.
package struct Storage: Sendable, Hashable, Codable {
  package var id: String
  /// `lvmthin`, `dir`, `nfs`, `rbd`, `pbs`, …
  package var type: String
  package var shared: Bool
  package var content: [String]
  /// Nodes the definition is restricted to; nil means every node.
  package var restrictedTo: [String]?
  package var disabled: Bool
  /// The NFS/CIFS/PBS server, when there is one.
  package var server: String?
  /// Figures per node, sorted by node.
  package var perNode: [NodeStorage]

  package init(
    id: String, type: String, shared: Bool, content: [String], restrictedTo: [String]?,
    disabled: Bool, server: String?, perNode: [NodeStorage]
  ) {
    self.id = id
    self.type = type
    self.shared = shared
    self.content = content
    self.restrictedTo = restrictedTo
    self.disabled = disabled
    self.server = server
    self.perNode = perNode
  }

  /// Total, used and available bytes counted once: the figures of one node for a shared pool
  /// (the largest total seen), the sum over nodes for a local pool.
  package var total: Int64 {
    shared ? (perNode.map(\.total).max() ?? 0) : perNode.reduce(0) { $0 + $1.total }
  }
  package var used: Int64 {
    shared
      ? (perNode.max(by: { $0.total < $1.total })?.used ?? 0) : perNode.reduce(0) { $0 + $1.used }
  }
  package var available: Int64 {
    shared
      ? (perNode.max(by: { $0.total < $1.total })?.available ?? 0)
      : perNode.reduce(0) { $0 + $1.available }
  }

  package func on(_ node: String) -> NodeStorage? { perNode.first { $0.node == node } }
}

/// One pool as one node reports it (`/nodes/<node>/storage`).
package struct NodeStorage: Sendable, Hashable, Codable {
  package var node: String
  package var total: Int64
  package var used: Int64
  package var available: Int64
  package var active: Bool
  package var enabled: Bool

  package init(
    node: String, total: Int64, used: Int64, available: Int64, active: Bool, enabled: Bool
  ) {
    self.node = node
    self.total = total
    self.used = used
    self.available = available
    self.active = active
    self.enabled = enabled
  }
}

/// An entry of `/cluster/ha/resources`, defaults filled in.
package struct HAResource: Sendable, Hashable, Codable {
  package var sid: String
  package var kind: GuestKind
  package var vmid: Int
  /// `started` (default), `stopped`, `disabled`, `ignored`.
  package var state: String
  package var maxRestart: Int
  package var maxRelocate: Int
  package var group: String?
  package var failback: Bool?
  package var comment: String?

  package init(
    sid: String, kind: GuestKind, vmid: Int, state: String, maxRestart: Int, maxRelocate: Int,
    group: String?, failback: Bool?, comment: String?
  ) {
    self.sid = sid
    self.kind = kind
    self.vmid = vmid
    self.state = state
    self.maxRestart = maxRestart
    self.maxRelocate = maxRelocate
    self.group = group
    self.failback = failback
    self.comment = comment
  }
}

/// A node with its priority in an HA group or node-affinity rule (`pve1:2`).
package struct NodePriority: Sendable, Hashable, Codable, Comparable {
  package var node: String
  package var priority: Int

  package init(node: String, priority: Int) {
    self.node = node
    self.priority = priority
  }

  /// Parses `pve1:2,pve2:1,pve3` into a list sorted by node (Proxmox reorders it on write).
  package static func parseList(_ text: String) -> [NodePriority] {
    text.split(separator: ",").compactMap { part in
      let bits = part.split(separator: ":", maxSplits: 1)
      guard let name = bits.first.map({ $0.trimmingSpaces }),
        !name.isEmpty
      else { return nil }
      return NodePriority(node: name, priority: bits.count > 1 ? Int(bits[1]) ?? 0 : 0)
    }.sorted()
  }

  /// `node:priority`, or just `node` for priority 0.
  package var text: String { priority == 0 ? node : "\(node):\(priority)" }

  package static func < (a: NodePriority, b: NodePriority) -> Bool { a.node < b.node }
}

/// An HA group (PVE 8).
package struct HAGroup: Sendable, Hashable, Codable {
  package var id: String
  package var nodes: [NodePriority]
  package var restricted: Bool
  package var nofailback: Bool

  package init(id: String, nodes: [NodePriority], restricted: Bool, nofailback: Bool) {
    self.id = id
    self.nodes = nodes
    self.restricted = restricted
    self.nofailback = nofailback
  }
}

/// An HA rule (PVE 9): node-affinity or resource-affinity.
package struct HARule: Sendable, Hashable, Codable {
  package var id: String
  /// `node-affinity` or `resource-affinity`.
  package var type: String
  /// Sorted sids.
  package var resources: [String]
  package var nodes: [NodePriority]
  package var strict: Bool
  /// `positive` or `negative` for resource-affinity.
  package var affinity: String?
  package var disabled: Bool

  package init(
    id: String, type: String, resources: [String], nodes: [NodePriority], strict: Bool,
    affinity: String?, disabled: Bool
  ) {
    self.id = id
    self.type = type
    self.resources = resources
    self.nodes = nodes
    self.strict = strict
    self.affinity = affinity
    self.disabled = disabled
  }
}

/// What `/cluster/ha/status/current` says: the master, the quorum, each service's live state, and
/// whether the HA stack is disarmed.
package struct HAManagerStatus: Sendable, Hashable, Codable {
  package var master: String?
  package var quorate: Bool?
  /// sid → (node, state) as the CRM sees it.
  package var services: [String: HAServiceStatus]
  /// The `fencing` entry's `armed-state` (`armed`, `standby`, `disarming`, `disarmed`): only
  /// pve-ha-manager 5.1.3 and later report it, so nil means an older release.
  package var armedState: String?
  /// Set while the HA stack is disarmed or disarming.
  package var disarm: HADisarm?

  package init(
    master: String?, quorate: Bool?, services: [String: HAServiceStatus],
    armedState: String? = nil, disarm: HADisarm? = nil
  ) {
    self.master = master
    self.quorate = quorate
    self.services = services
    self.armedState = armedState
    self.disarm = disarm
  }
}

extension Cluster {
  /// The cluster with its HA stack armed again (`ha-manager crm-command arm-ha`): what a plan
  /// whose advice re-arms it is judged on.
  package var rearmed: Cluster {
    var c = self
    c.haManager.disarm = nil
    return c
  }
}

/// `ha-manager crm-command disarm-ha freeze|ignore` in effect (pve-ha-manager 5.1.3+): every
/// watchdog is released, no node fences itself, the CRM recovers nothing and runs no HA migration
/// or maintenance request until `ha-manager crm-command arm-ha`. With `ignore`, `qm`/`pct` manage
/// the HA guests directly meanwhile; with `freeze`, they stay frozen.
package struct HADisarm: Sendable, Hashable, Codable {
  /// `disarming` (LRMs still releasing their watchdogs) or `disarmed`.
  package var state: String
  /// `freeze` or `ignore`.
  package var mode: String

  package init(state: String, mode: String) {
    self.state = state
    self.mode = mode
  }

  /// `disarmed, resource mode: freeze`, as `ha-manager status` says it.
  package var text: String { "\(state), resource mode: \(mode)" }
}

package struct HAServiceStatus: Sendable, Hashable, Codable {
  package var node: String?
  package var state: String?

  package init(node: String?, state: String?) {
    self.node = node
    self.state = state
  }
}

/// A vzdump job of `/cluster/backup`.
package struct BackupJob: Sendable, Hashable, Codable {
  package var id: String
  package var enabled: Bool
  package var all: Bool
  package var vmids: [Int]
  package var exclude: [Int]
  package var pool: String?
  /// Only run on this node: covers only the guests that live there.
  package var node: String?
  package var storage: String?
  package var schedule: String?
  package var mode: String?
  package var compress: String?
  /// `keep-daily` → `7`, …
  package var pruneBackups: [String: String]
  package var comment: String?

  package init(
    id: String, enabled: Bool, all: Bool, vmids: [Int], exclude: [Int], pool: String?,
    node: String?, storage: String?, schedule: String?, mode: String?, compress: String?,
    pruneBackups: [String: String], comment: String?
  ) {
    self.id = id
    self.enabled = enabled
    self.all = all
    self.vmids = vmids
    self.exclude = exclude
    self.pool = pool
    self.node = node
    self.storage = storage
    self.schedule = schedule
    self.mode = mode
    self.compress = compress
    self.pruneBackups = pruneBackups
    self.comment = comment
  }

  /// Whether this job backs up `guest` where it lives now (Proxmox's `get_included_guests`).
  package func covers(_ guest: Guest) -> Bool {
    guard enabled, !guest.template else { return false }
    if let node, node != guest.node { return false }
    if !vmids.isEmpty { return vmids.contains(guest.vmid) }
    if let pool { return guest.pool == pool && !exclude.contains(guest.vmid) }
    if all { return !exclude.contains(guest.vmid) }
    return false
  }
}

/// Corosync quorum as `/cluster/status` reports it.
package struct Quorum: Sendable, Hashable, Codable {
  package var quorate: Bool
  /// Member nodes (including offline ones).
  package var nodes: Int
  package var online: Int
  /// The corosync config version.
  package var configVersion: Int?

  package init(quorate: Bool, nodes: Int, online: Int, configVersion: Int?) {
    self.quorate = quorate
    self.nodes = nodes
    self.online = online
    self.configVersion = configVersion
  }
}

/// Something in the snapshot that does not add up. It becomes a finding (rule `snapshot.inconsistent`).
package struct Inconsistency: Sendable, Hashable, Codable {
  /// Stable key, e.g. `guest-on-unknown-node/ct:110`, `ha-resource-without-guest/vm:999`.
  package var key: String
  package var message: String

  package init(key: String, message: String) {
    self.key = key
    self.message = message
  }
}
