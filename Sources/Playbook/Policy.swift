import PVEModel

/// What a playbook (`playbooks/*.yaml`) states: the policy audit and planning follow.
///
/// Every field has a default, so an empty playbook is a valid (conservative) policy. The YAML keys are
/// the snake_case spellings documented in `docs/playbook.md`.
package struct Policy: Sendable, Hashable, Codable {
  /// A short name for reports and plan headers (`homelab`).
  package var name: String
  package var description: String?
  /// Which guests are critical, with a level and purpose each. First matching entry wins.
  package var critical: [CriticalEntry]
  package var ha: HAPolicy
  /// Sets of guests that must run on different nodes (e.g. traefik and traefik-2).
  package var keepApart: [KeepApartSet]
  package var capacity: CapacityPolicy
  package var migration: MigrationPolicy
  package var backup: BackupPolicy
  /// Finding rule id → what to do about it. Rules not listed use `FindingAction.defaultFor(rule:)`.
  package var actions: [String: FindingAction]
  /// Free-form advice the playbook wants in every plan (rendered as advisory steps).
  package var advice: [AdviceEntry]
  /// How `pvemend restore-test` restores backups to scratch guests.
  package var restoreTest: RestoreTestPolicy = RestoreTestPolicy()

  package init(
    name: String = "default", description: String? = nil, critical: [CriticalEntry] = [],
    ha: HAPolicy = HAPolicy(), keepApart: [KeepApartSet] = [],
    capacity: CapacityPolicy = CapacityPolicy(), migration: MigrationPolicy = MigrationPolicy(),
    backup: BackupPolicy = BackupPolicy(), actions: [String: FindingAction] = [:],
    advice: [AdviceEntry] = []
  ) {
    self.name = name
    self.description = description
    self.critical = critical
    self.ha = ha
    self.keepApart = keepApart
    self.capacity = capacity
    self.migration = migration
    self.backup = backup
    self.actions = actions
    self.advice = advice
  }

  /// The critical entry for a guest, if any selector matches it.
  package func criticality(of guest: Guest) -> CriticalEntry? {
    critical.first { $0.selector.matches(guest) }
  }

  /// What to do for findings of a rule.
  package func action(for rule: String) -> FindingAction {
    actions[rule] ?? FindingAction.defaultFor(rule: rule)
  }
}

/// Picks guests: by VMID, name glob (`traefik*`), tag or pool. All given fields must match.
package struct GuestSelector: Sendable, Hashable, Codable {
  package var vmid: Int?
  /// A shell-style glob over the guest name: `*` and `?`.
  package var name: String?
  package var tag: String?
  package var pool: String?

  package init(vmid: Int? = nil, name: String? = nil, tag: String? = nil, pool: String? = nil) {
    self.vmid = vmid
    self.name = name
    self.tag = tag
    self.pool = pool
  }

  package func matches(_ guest: Guest) -> Bool {
    if vmid == nil && name == nil && tag == nil && pool == nil { return false }
    if let vmid, guest.vmid != vmid { return false }
    if let name, !Glob.matches(name.lowercased(), guest.name.lowercased()) { return false }
    if let tag, !guest.tags.contains(tag) { return false }
    if let pool, guest.pool != pool { return false }
    return true
  }

  /// A readable form: `vmid 110`, `name traefik*`, `tag critical`, `pool prod`.
  package var text: String {
    var parts: [String] = []
    if let vmid { parts.append("vmid \(vmid)") }
    if let name { parts.append("name \(name)") }
    if let tag { parts.append("tag \(tag)") }
    if let pool { parts.append("pool \(pool)") }
    return parts.joined(separator: ", ")
  }
}

/// How critical a service is; drives finding severity.
package enum CriticalityLevel: String, Sendable, Hashable, Codable, CaseIterable, Comparable {
  case critical, high, medium, low

  package var rank: Int {
    switch self {
    case .critical: 0
    case .high: 1
    case .medium: 2
    case .low: 3
    }
  }

  package static func < (a: CriticalityLevel, b: CriticalityLevel) -> Bool { a.rank < b.rank }
}

package struct CriticalEntry: Sendable, Hashable, Codable {
  package var selector: GuestSelector
  package var level: CriticalityLevel
  /// What the service is for ("Reverse proxy (all external access)").
  package var purpose: String?

  package init(selector: GuestSelector, level: CriticalityLevel, purpose: String? = nil) {
    self.selector = selector
    self.level = level
    self.purpose = purpose
  }
}

package struct HAPolicy: Sendable, Hashable, Codable {
  /// `started` for running guests; stopped guests always keep `stopped` unless `startStopped`.
  package var state: String
  package var maxRestart: Int
  package var maxRelocate: Int
  /// Place HA guests so every node carries some (the seed's proxmox2 had none).
  package var spread: Bool
  /// Levels that get HA (default: critical and high).
  package var levels: [CriticalityLevel]
  /// Start a stopped critical guest when adding it to HA (default false: keep it stopped).
  package var startStopped: Bool
  /// Shared storage to move local volumes to before enabling HA; nil = the shared pool with most room.
  package var sharedStorage: String?
  /// Prefix of HA rule and group ids pvemend creates (`pvemend-`).
  package var idPrefix: String

  package init(
    state: String = "started", maxRestart: Int = 3, maxRelocate: Int = 2, spread: Bool = true,
    levels: [CriticalityLevel] = [.critical, .high], startStopped: Bool = false,
    sharedStorage: String? = nil, idPrefix: String = "pvemend-"
  ) {
    self.state = state
    self.maxRestart = maxRestart
    self.maxRelocate = maxRelocate
    self.spread = spread
    self.levels = levels
    self.startStopped = startStopped
    self.sharedStorage = sharedStorage
    self.idPrefix = idPrefix
  }
}

package struct KeepApartSet: Sendable, Hashable, Codable {
  /// Becomes the HA resource-affinity rule id (PVE 9) suffix.
  package var name: String
  package var guests: [GuestSelector]

  package init(name: String, guests: [GuestSelector]) {
    self.name = name
    self.guests = guests
  }
}

package struct CapacityPolicy: Sendable, Hashable, Codable {
  /// Ceiling of running+onboot vCPUs per core on a node.
  package var vcpuPerCore: Double
  /// Memory kept free on every node, bytes (host, page cache, ballooning).
  package var memoryReserve: Int64
  /// Fraction (0…1) of each node's local storage kept free.
  package var localStorageReserve: Double
  /// A node's share of guests may exceed its share of cores by at most this (0.15 = 15 points).
  package var shareTolerance: Double
  /// Storage usage that is a warning (0.8) and critical (0.9).
  package var storageWarn: Double
  package var storageCritical: Double
  /// `capacity.failover_vcpu_per_core` as the playbook sets it; nil: `failoverVCPUPerCore`'s
  /// default.
  package var failoverVCPUPerCoreSetting: Double?
  /// `capacity.failover_memory_reserve` as the playbook sets it, bytes; nil: the default.
  package var failoverMemoryReserveSetting: Int64?

  /// How much a node's vCPU overcommit may grow while a failed node's HA guests run on it: a
  /// degraded cluster runs slower until the node is back, so 1.5 × `vcpuPerCore` by default
  /// (CPU overcommit costs latency, not correctness).
  package var failoverVCPUPerCore: Double {
    failoverVCPUPerCoreSetting ?? Self.failoverVCPUFactor * vcpuPerCore
  }

  /// Memory a survivor keeps free once the failed node's HA guests run on it, bytes: half of
  /// `memoryReserve` by default (the page cache and ballooning room give way; the host's own
  /// services, corosync and pmxcfs keep theirs — memory overcommit ends in the OOM killer).
  package var failoverMemoryReserve: Int64 {
    failoverMemoryReserveSetting ?? memoryReserve / 2
  }

  /// `failoverVCPUPerCore`'s default factor over `vcpuPerCore`.
  package static let failoverVCPUFactor = 1.5

  package init(
    vcpuPerCore: Double = 3.0, memoryReserve: Int64 = 4 * 1024 * 1024 * 1024,
    localStorageReserve: Double = 0.10, shareTolerance: Double = 0.15, storageWarn: Double = 0.80,
    storageCritical: Double = 0.90, failoverVCPUPerCore: Double? = nil,
    failoverMemoryReserve: Int64? = nil
  ) {
    self.failoverVCPUPerCoreSetting = failoverVCPUPerCore
    self.failoverMemoryReserveSetting = failoverMemoryReserve
    self.vcpuPerCore = vcpuPerCore
    self.memoryReserve = memoryReserve
    self.localStorageReserve = localStorageReserve
    self.shareTolerance = shareTolerance
    self.storageWarn = storageWarn
    self.storageCritical = storageCritical
  }
}

package struct MigrationPolicy: Sendable, Hashable, Codable {
  /// Containers can only restart-migrate (downtime); allow it?
  package var allowContainerRestart: Bool
  /// Concurrent migrations touching one node (as source or target).
  package var maxParallelPerNode: Int
  /// Guests never to move.
  package var neverMove: [GuestSelector]
  /// Most moves in one plan.
  package var maxMoves: Int
  /// Seconds to wait for an asynchronous step (HA migrate) before it counts as failed.
  package var timeoutSeconds: Int

  package init(
    allowContainerRestart: Bool = true, maxParallelPerNode: Int = 1,
    neverMove: [GuestSelector] = [],
    maxMoves: Int = 20, timeoutSeconds: Int = 900
  ) {
    self.allowContainerRestart = allowContainerRestart
    self.maxParallelPerNode = maxParallelPerNode
    self.neverMove = neverMove
    self.maxMoves = maxMoves
    self.timeoutSeconds = timeoutSeconds
  }
}

package struct BackupPolicy: Sendable, Hashable, Codable {
  /// The job id pvemend creates (`pvemend-daily`).
  package var jobID: String
  /// A storage with content `backup`; nil = the shared pool with most room that allows backups.
  package var storage: String?
  /// Proxmox calendar event (`02:00`, `mon..fri 22:00`), never cron.
  package var schedule: String
  /// `snapshot`, `suspend` or `stop`.
  package var mode: String
  /// `zstd`, `lzo`, `gzip`, `0`.
  package var compress: String
  /// `keep-daily` → 30, …
  package var retention: [String: Int]
  /// A second (offsite) target; nil means "advise one".
  package var offsite: OffsitePolicy?
  /// Guests excluded from the job.
  package var exclude: [GuestSelector]

  package init(
    jobID: String = "pvemend-daily", storage: String? = nil, schedule: String = "02:00",
    mode: String = "snapshot", compress: String = "zstd",
    retention: [String: Int] = ["keep-daily": 30, "keep-weekly": 8, "keep-monthly": 6],
    offsite: OffsitePolicy? = nil, exclude: [GuestSelector] = []
  ) {
    self.jobID = jobID
    self.storage = storage
    self.schedule = schedule
    self.mode = mode
    self.compress = compress
    self.retention = retention
    self.offsite = offsite
    self.exclude = exclude
  }
}

package struct OffsitePolicy: Sendable, Hashable, Codable {
  package var jobID: String
  package var storage: String
  package var schedule: String
  package var retention: [String: Int]

  package init(jobID: String, storage: String, schedule: String, retention: [String: Int]) {
    self.jobID = jobID
    self.storage = storage
    self.schedule = schedule
    self.retention = retention
  }
}

/// What the planner does for findings of one rule.
package enum FindingAction: String, Sendable, Hashable, Codable, CaseIterable {
  /// `ha-manager add` (+ rules or groups), moving local volumes to shared storage first.
  case enableHA = "enable-ha"
  /// Migrations under hard limits.
  case rebalance
  /// `pvesh create /cluster/backup …`.
  case createBackupJob = "create-backup-job"
  /// An advisory plan item for human hands; never executed.
  case advise
  /// Leave it in the report only.
  case ignore

  package static func defaultFor(rule: String) -> FindingAction {
    switch rule {
    case "ha.unprotected": return .enableHA
    case "ha.local-storage": return .enableHA
    case "node.overcommit", "node.imbalance", "node.memory": return .rebalance
    case "backup.uncovered", "backup.none": return .createBackupJob
    default: return .advise
    }
  }
}

/// A piece of advice the playbook adds to plans.
package struct AdviceEntry: Sendable, Hashable, Codable {
  package var id: String
  package var title: String
  package var detail: String

  package init(id: String, title: String, detail: String) {
    self.id = id
    self.title = title
    self.detail = detail
  }
}

/// `restore_test:` in a playbook: where and how `pvemend restore-test` restores backups.
package struct RestoreTestPolicy: Sendable, Hashable, Codable {
  /// The lowest and highest scratch VMID (`scratch_vmids: 99900-99999`); restores never use any
  /// other VMID, and never one in use.
  package var firstVMID: Int
  package var lastVMID: Int
  /// Most guests tested in one run (`max_guests`).
  package var maxGuests: Int
  /// A bridge without uplink (`isolated_bridge`): network devices are moved there instead of
  /// being only unplugged (`link_down=1` is set either way).
  package var isolatedBridge: String?
  /// Where restored volumes go (`storage`); nil: each volume's own storage when the chosen node
  /// offers it, else the storage with the most room there.
  package var storage: String?
  /// Seconds to wait for a restored VM's guest agent (`agent_timeout`).
  package var agentTimeoutSeconds: Int
  /// The tag every scratch guest carries (found and cleaned up by the next run).
  package static let tag = "pvemend-restore-test"

  package init(
    firstVMID: Int = 99_900, lastVMID: Int = 99_999, maxGuests: Int = 3,
    isolatedBridge: String? = nil, storage: String? = nil, agentTimeoutSeconds: Int = 300
  ) {
    self.firstVMID = firstVMID
    self.lastVMID = lastVMID
    self.maxGuests = maxGuests
    self.isolatedBridge = isolatedBridge
    self.storage = storage
    self.agentTimeoutSeconds = agentTimeoutSeconds
  }

  /// Whether `vmid` is a scratch VMID.
  package func isScratch(_ vmid: Int) -> Bool { (firstVMID...lastVMID).contains(vmid) }
}
