import Audit
import PVEModel

/// The `pvemend-plan/1` document: ordered steps from a snapshot and a playbook.
///
/// Encoded with sorted keys and no clock or randomness: same inputs, same bytes. It embeds the snapshot
/// it was planned from, so `apply` can tell what the world looked like. Other tools read `steps[].id`,
/// `steps[].after`, `steps[].commands[].node` and `steps[].commands[].argv`: never change what they mean.
package struct Plan: Codable, Sendable, Hashable {
  package static let formatVersion = "pvemend-plan/1"

  /// Always `pvemend-plan/1`.
  package var format: String
  /// `pvemend <version>`.
  package var tool: String
  /// The snapshot's `collectedAt`; a plan is dated with its input, never the clock.
  package var createdAt: String
  /// The cluster name (from the snapshot).
  package var cluster: String
  /// The PVE major version planned for (8: HA groups; 9: HA rules).
  package var pveMajor: Int
  /// Whether HA placement used rules (PVE 9) or groups.
  package var haPlacement: String
  package var snapshotSHA256: String
  package var snapshot: Snapshot
  package var playbook: PlaybookRef
  package var findings: [Finding]
  /// In execution order; `after` edges only point backwards.
  package var steps: [Step]
  /// Findings no step fixes, with the limit that blocks them.
  package var unresolved: [Unresolved]
  /// Figures before and after (predicted) the plan.
  package var before: Figures
  package var after: Figures
  /// Counts per step kind, for the summary line.
  package var summary: Summary
  /// The playbook's capacity limits the figures are measured against (the review page draws them);
  /// nil in plans written before it was added. Never read to decide anything at apply time.
  package var limits: PlanLimits?
  /// Set when the plan empties a node for maintenance (`pvemend evacuate`); nil otherwise.
  package var evacuation: Evacuation?

  package init(
    tool: String, createdAt: String, cluster: String, pveMajor: Int, haPlacement: String,
    snapshotSHA256: String, snapshot: Snapshot, playbook: PlaybookRef, findings: [Finding],
    steps: [Step], unresolved: [Unresolved], before: Figures, after: Figures, summary: Summary
  ) {
    self.format = Plan.formatVersion
    self.tool = tool
    self.createdAt = createdAt
    self.cluster = cluster
    self.pveMajor = pveMajor
    self.haPlacement = haPlacement
    self.snapshotSHA256 = snapshotSHA256
    self.snapshot = snapshot
    self.playbook = playbook
    self.findings = findings
    self.steps = steps
    self.unresolved = unresolved
    self.before = before
    self.after = after
    self.summary = summary
  }
}

/// The capacity limits of the playbook a plan followed, as the views show them.
package struct PlanLimits: Codable, Sendable, Hashable {
  /// Ceiling of running+onboot vCPUs per core on a node.
  package var vcpuPerCore: Double
  /// Memory kept free on every node, bytes.
  package var memoryReserve: Int64
  /// Fraction (0…1) of each node's local storage kept free.
  package var localStorageReserve: Double

  package init(vcpuPerCore: Double, memoryReserve: Int64, localStorageReserve: Double) {
    self.vcpuPerCore = vcpuPerCore
    self.memoryReserve = memoryReserve
    self.localStorageReserve = localStorageReserve
  }
}

/// What an evacuation plan empties, and what stays.
package struct Evacuation: Codable, Sendable, Hashable {
  /// The node emptied.
  package var node: String
  /// Whether the plan ends with `ha-manager crm-command node-maintenance enable <node>`.
  package var maintenance: Bool
  /// Guests that stay on the node (sids, templates included), each explained in `unresolved`.
  package var staying: [String]

  package init(node: String, maintenance: Bool, staying: [String]) {
    self.node = node
    self.maintenance = maintenance
    self.staying = staying
  }
}

/// The playbook a plan followed.
package struct PlaybookRef: Codable, Sendable, Hashable {
  package var name: String
  /// The path as given on the command line.
  package var path: String
  package var sha256: String

  package init(name: String, path: String, sha256: String) {
    self.name = name
    self.path = path
    self.sha256 = sha256
  }
}

/// One change (or piece of advice) in a plan.
package struct Step: Codable, Sendable, Hashable {
  /// `s01`, `s02`, … in execution order.
  package var id: String
  package var kind: StepKind
  /// One line: "Enable HA for ct:110 (traefik)".
  package var title: String
  /// Finding ids this step addresses.
  package var reasons: [String]
  /// Step ids that must succeed first.
  package var after: [String]
  /// What runs, in order, each on its node. Empty for advice.
  package var commands: [RemoteCommand]
  /// What must hold before it runs; checked again at apply time (a stale plan is refused).
  package var preconditions: [Condition]
  /// What holds after it ran; when all hold already, the step is skipped as satisfied.
  package var effects: [Condition]
  /// Expected guest downtime in seconds (0: none) and why.
  package var downtime: Downtime
  /// Figures of the nodes a move touches, before the step (predicted, after the steps before it).
  package var figures: [NodeFigures]
  /// The same nodes' figures after the step (predicted); nil for steps that change no node's load.
  package var figuresAfter: [NodeFigures]?
  /// Asynchronous completion to wait for (HA migrate/relocate are only queued).
  package var wait: Wait?
  /// The commands that undo it, where Proxmox has an inverse.
  package var inverse: [RemoteCommand]
  /// Advice text for human hands (kind `advice`).
  package var detail: String?

  package init(
    id: String, kind: StepKind, title: String, reasons: [String], after: [String],
    commands: [RemoteCommand], preconditions: [Condition], effects: [Condition],
    downtime: Downtime = Downtime(seconds: 0, note: nil), figures: [NodeFigures] = [],
    wait: Wait? = nil, inverse: [RemoteCommand] = [], detail: String? = nil,
    figuresAfter: [NodeFigures]? = nil
  ) {
    self.id = id
    self.kind = kind
    self.title = title
    self.reasons = reasons
    self.after = after
    self.commands = commands
    self.preconditions = preconditions
    self.effects = effects
    self.downtime = downtime
    self.figures = figures
    self.figuresAfter = figuresAfter
    self.wait = wait
    self.inverse = inverse
    self.detail = detail
  }
}

/// What a step does. The raw values are the document's words.
package enum StepKind: String, Codable, Sendable, Hashable, CaseIterable {
  /// `qm disk move` / `pct move-volume` to shared storage (containers: shutdown, move, start).
  case moveVolume = "move-volume"
  /// `ha-manager add`.
  case haAdd = "ha-add"
  /// `ha-manager groupadd` (PVE 8).
  case haGroup = "ha-group"
  /// `ha-manager rules add` (PVE 9).
  case haRule = "ha-rule"
  /// `pvesh set /cluster/options --crs ha=…`: the HA scheduler (CRS) mode.
  case haScheduler = "ha-scheduler"
  /// `qm migrate` / `pct migrate` / `ha-manager migrate|relocate`.
  case migrate
  /// `pvesh create /cluster/backup`.
  case backupJob = "backup-job"
  /// Needs human hands; never executed.
  case advice
  /// A restore test's step: restore a backup to a scratch guest, start, wait, stop, destroy it
  /// (`pvemend restore-test`).
  case restoreTest = "restore-test"
  /// `ha-manager crm-command node-maintenance enable|disable <node>` (`pvemend evacuate
  /// --maintenance`).
  case nodeMaintenance = "node-maintenance"

  /// The symbol in the text view (Terraform's `+`, `~`, `-`).
  package var symbol: String {
    switch self {
    case .moveVolume: "⇢"
    case .haAdd: "+"
    case .haGroup, .haRule: "+"
    case .haScheduler: "~"
    case .migrate: "→"
    case .backupJob: "+"
    case .advice: "!"
    case .restoreTest: "⟲"
    case .nodeMaintenance: "◌"
    }
  }
}

/// A machine-checkable fact about the cluster, used as precondition and as effect.
///
/// Encoded flat: `{"kind": "guest-on-node", "sid": "ct:131", "node": "proxmox3"}`.
package struct Condition: Codable, Sendable, Hashable, Comparable {
  package enum Kind: String, Codable, Sendable, Hashable {
    /// The guest `sid` is on `node`.
    case guestOnNode = "guest-on-node"
    /// The guest `sid` has status `state` (`running`, `stopped`).
    case guestStatus = "guest-status"
    /// HA manages `sid` (with request state `state` when given).
    case haManaged = "ha-managed"
    /// HA does not manage `sid`.
    case haNotManaged = "ha-not-managed"
    /// The HA service `sid` is settled (not migrating, not in error).
    case haSettled = "ha-settled"
    /// HA rule `id` exists (with `sids` as its resources when given).
    case haRulePresent = "ha-rule-present"
    case haRuleAbsent = "ha-rule-absent"
    /// HA group `id` exists.
    case haGroupPresent = "ha-group-present"
    case haGroupAbsent = "ha-group-absent"
    /// HA resource `sid` is in group `id`.
    case haInGroup = "ha-in-group"
    /// Backup job `id` exists.
    case backupJobPresent = "backup-job-present"
    case backupJobAbsent = "backup-job-absent"
    /// Volume `key` of guest `sid` is on storage `storage`.
    case volumeOnStorage = "volume-on-storage"
    /// `node` is online.
    case nodeOnline = "node-online"
    /// No guest has VMID `id` (a restore test's scratch VMID is free).
    case guestAbsent = "guest-absent"
    /// Every network device of guest `sid` is cut: `link_down=1`, or on bridge `key` when given
    /// (a restore test's copy never starts on the real network).
    case networkCut = "network-cut"
  }

  package var kind: Kind
  package var sid: String?
  package var node: String?
  package var state: String?
  package var id: String?
  package var key: String?
  package var storage: String?
  package var sids: [String]?

  package init(
    _ kind: Kind, sid: String? = nil, node: String? = nil, state: String? = nil, id: String? = nil,
    key: String? = nil, storage: String? = nil, sids: [String]? = nil
  ) {
    self.kind = kind
    self.sid = sid
    self.node = node
    self.state = state
    self.id = id
    self.key = key
    self.storage = storage
    self.sids = sids
  }

  package static func < (a: Condition, b: Condition) -> Bool { a.sortKey < b.sortKey }

  var sortKey: String {
    [kind.rawValue, sid ?? "", node ?? "", id ?? "", key ?? "", storage ?? "", state ?? ""].joined(
      separator: "\u{1}")
  }
}

/// Downtime a step causes.
package struct Downtime: Codable, Sendable, Hashable {
  package var seconds: Int
  package var note: String?

  package init(seconds: Int, note: String?) {
    self.seconds = seconds
    self.note = note
  }
}

/// What an asynchronous step waits for.
package struct Wait: Codable, Sendable, Hashable {
  /// `agent-ping`: until `qm agent <vmid> ping` on `node` answers (the guest agent of a restored
  /// VM has booted); the executor repeats the ping every poll interval until the timeout.
  package static let agentPing = "agent-ping"
  /// `ha-migrate`: until `sid` is on `node` and its HA state is settled.
  /// `ha-state`: until the CRM reports `sid` on `node` in HA state `state` (`ha-manager set --state`
  /// and `pct start|shutdown` of an HA-managed guest only queue a request).
  package var kind: String
  package var sid: String
  package var node: String
  package var timeoutSeconds: Int
  /// For `ha-state`: the HA state to reach (`stopped`, `started`).
  package var state: String?

  package init(kind: String, sid: String, node: String, timeoutSeconds: Int, state: String? = nil) {
    self.kind = kind
    self.sid = sid
    self.node = node
    self.timeoutSeconds = timeoutSeconds
    self.state = state
  }
}

/// A node's load figures.
package struct NodeFigures: Codable, Sendable, Hashable {
  package var node: String
  package var cores: Int
  /// vCPUs of running and onboot guests.
  package var vcpus: Int
  /// Memory of running and onboot guests, bytes.
  package var memory: Int64
  package var memoryTotal: Int64
  /// Free bytes on node-local storage that holds guest disks (e.g. local-lvm).
  package var localFree: Int64
  package var guests: Int
  package var haGuests: Int

  package init(
    node: String, cores: Int, vcpus: Int, memory: Int64, memoryTotal: Int64, localFree: Int64,
    guests: Int, haGuests: Int
  ) {
    self.node = node
    self.cores = cores
    self.vcpus = vcpus
    self.memory = memory
    self.memoryTotal = memoryTotal
    self.localFree = localFree
    self.guests = guests
    self.haGuests = haGuests
  }

  package var vcpuPerCore: Double { cores > 0 ? Double(vcpus) / Double(cores) : 0 }
}

/// Cluster figures and the health score.
package struct Figures: Codable, Sendable, Hashable {
  package var score: Double
  package var nodes: [NodeFigures]
  package var findings: Int

  package init(score: Double, nodes: [NodeFigures], findings: Int) {
    self.score = score
    self.nodes = nodes
    self.findings = findings
  }
}

/// A finding no step fixes, and why.
package struct Unresolved: Codable, Sendable, Hashable {
  package var finding: String
  /// "no node can take vm:301: needs 6.0 GiB, best is proxmox2 with 4.2 GiB after reserve".
  package var reason: String
  /// The limit that blocks it, as a word: `memory`, `cores`, `vcpu-ceiling`, `local-storage`,
  /// `shared-storage`, `keep-apart`, `ha-placement`, `never-move`, `container-restart`, `move-limit`,
  /// `backup-storage`, `backup-job-exists`, `unmovable`, `nodes`; nil when no single limit applies.
  package var limit: String?

  package init(finding: String, reason: String, limit: String? = nil) {
    self.finding = finding
    self.reason = reason
    self.limit = limit
  }
}

/// Step counts for the closing summary line.
package struct Summary: Codable, Sendable, Hashable {
  package var haEnablements: Int
  package var haPlacements: Int
  package var volumeMoves: Int
  package var migrations: Int
  package var backupJobs: Int
  package var advisories: Int
  package var unresolved: Int
  /// Sum of step downtime, seconds.
  package var downtimeSeconds: Int
  /// Outages: times a running guest stops (a container's restart or shutdown for a move). Absent
  /// in plans written before pvemend counted them.
  package var outages: Int?
  /// Sum of the outages' estimated seconds.
  package var outageSeconds: Int?
  /// Outages per guest (sid → count); the planner keeps each at one at most.
  package var outagesByGuest: [String: Int]?
  /// After the plan, for every single-node failure, the survivor that ends closest to (or
  /// furthest over) the playbook's failover limits, as `pvemend rehearse` plays it out. Absent in
  /// plans written before pvemend rehearsed them, and for clusters without HA or a second node.
  package var failover: [FailoverSurvivor]?

  package init(
    haEnablements: Int, haPlacements: Int, volumeMoves: Int, migrations: Int, backupJobs: Int,
    advisories: Int, unresolved: Int, downtimeSeconds: Int, outages: Int? = nil,
    outageSeconds: Int? = nil, outagesByGuest: [String: Int]? = nil,
    failover: [FailoverSurvivor]? = nil
  ) {
    self.failover = failover
    self.outages = outages
    self.outageSeconds = outageSeconds
    self.outagesByGuest = outagesByGuest
    self.haEnablements = haEnablements
    self.haPlacements = haPlacements
    self.volumeMoves = volumeMoves
    self.migrations = migrations
    self.backupJobs = backupJobs
    self.advisories = advisories
    self.unresolved = unresolved
    self.downtimeSeconds = downtimeSeconds
  }
}

/// One single-node failure after the plan and its worst survivor (`Plan.Summary.failover`).
package struct FailoverSurvivor: Codable, Sendable, Hashable {
  /// The node that fails.
  package var failed: String
  /// The survivor with the highest load against the failover limits after HA's recovery.
  package var survivor: String
  package var cores: Int
  /// vCPUs of its running and onboot guests after recovery, per core, and the limit
  /// (`capacity.failover_vcpu_per_core`).
  package var vcpus: Int
  package var vcpuPerCore: Double
  package var vcpuLimit: Double
  /// Configured memory of its running and onboot guests after recovery, and the limit (total −
  /// `capacity.failover_memory_reserve`), bytes.
  package var memory: Int64
  package var memoryLimit: Int64
  /// Whether it stays within both limits.
  package var within: Bool

  package init(
    failed: String, survivor: String, cores: Int, vcpus: Int, vcpuPerCore: Double,
    vcpuLimit: Double, memory: Int64, memoryLimit: Int64, within: Bool
  ) {
    self.failed = failed
    self.survivor = survivor
    self.cores = cores
    self.vcpus = vcpus
    self.vcpuPerCore = vcpuPerCore
    self.vcpuLimit = vcpuLimit
    self.memory = memory
    self.memoryLimit = memoryLimit
    self.within = within
  }

  /// `proxmox2 fails → proxmox 4.75 vCPU/core (limit 5), 25.0 GiB of 29.0 GiB`.
  package var text: String {
    "\(failed) fails → \(survivor) \(Self.num(vcpuPerCore)) vCPU/core (limit \(Self.num(vcpuLimit))), \(ByteSize.binary(memory)) of \(ByteSize.binary(memoryLimit))\(within ? "" : " — over the failover limits")"
  }

  static func num(_ x: Double) -> String {
    let r = (x * 100).rounded() / 100
    return r == r.rounded() ? String(Int(r)) : String(r)
  }
}

extension RemoteCommand {
  /// Whether it moves a guest to another node: `qm migrate`, `pct migrate`, `ha-manager
  /// migrate|relocate`.
  package var isMigration: Bool {
    argv.starts(with: ["qm", "migrate"]) || argv.starts(with: ["pct", "migrate"])
      || argv.starts(with: ["ha-manager", "migrate"])
      || argv.starts(with: ["ha-manager", "relocate"])
  }
}
