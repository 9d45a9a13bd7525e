import Audit
import PVEModel
import Playbook
import Rehearse

/// Room a step frees on a node: claims, a guest slot, local volume bytes per pool.
struct FreedRoom: Sendable {
  var step: Int
  var vcpus = 0
  var memory: Int64 = 0
  var guests = 0
  var local: [String: Int64] = [:]
}

/// A volume move the volumes phase drafted, kept in the ledger so a later migration of the same
/// guest can take it into one outage (shutdown → move-volume → offline migrate → start).
struct StorageMove: Sendable {
  /// The drafts: one (`pct shutdown`, `move-volume`, `pct start`), or two through HA (stop, then
  /// move and start).
  var drafts: [Int]
  var pool: String
  var volumes: [Disk]
  /// The node the volumes moved on.
  var node: String
  var viaHA: Bool
  /// Whether the guest stops for it (a running container).
  var outage: Bool
}

/// Which guests' already scheduled outage makes their migration cheap when choosing moves.
enum OutageDiscount: Sendable, CaseIterable {
  /// Every running container whose volume move stops it.
  case all
  /// Only those not HA-managed yet (an HA resource's load shifts where HA recovers it to).
  case notManaged
  /// Only those not HA-managed now or by this plan (HA load shifts failover capacity).
  case unmanaged
  /// None: every running container counts its restart.
  case none
}

/// Where the planner sends a guest, and the draft that does it.
struct MigrationRecord: Sendable {
  var draft: Int
  var from: String
  var to: String
  /// A plain migration: one command, no volume move folded in, no `--targetstorage`.
  var plain: Bool
  /// The guest's step before it (its last step once the migration is dropped).
  var previous: Int?
}

/// The planner's working state: the simulation, the drafted steps, and what stays unresolved.
struct PlanState: Sendable {
  var sim: Simulation
  let original: Cluster
  let policy: Policy
  let findings: [Finding]
  /// Findings by id.
  let findingByID: [String: Finding]
  /// Each guest's node in the snapshot.
  let originalNode: [String: String]
  /// Whether HA placement uses PVE 9 rules (else PVE 8 groups).
  let usesRules: Bool
  var drafts: [StepDraft] = []
  private(set) var unresolved: [String: Unresolved] = [:]
  /// The last step that touched each guest (its next step waits for it).
  var lastStepOfGuest: [String: Int] = [:]
  /// Room each step freed on each node, in step order (a move into the node waits for the ones
  /// it needs).
  var freed: [String: [FreedRoom]] = [:]
  /// The first step that gives each node an HA guest (an HA resource added there, or an HA guest
  /// moved there).
  var haArrival: [String: Int] = [:]
  /// Guests moved by this plan (never moved twice).
  var moved: Set<String> = []
  /// Volume moves by guest (the ledger a migration reads to fold them into its outage).
  var storageMoves: [String: StorageMove] = [:]
  /// Each guest's migration: its draft (the one with the migrate command), from where, to where,
  /// and whether it stands alone (not folded with a volume move, no target storage), so a later
  /// goal can change its target instead of moving the guest twice.
  var migrationOf: [String: MigrationRecord] = [:]
  /// Migrations so far (against `migration.max_moves`).
  var migrations = 0
  /// Guests that become HA-managed, with the findings that ask for it.
  var haPlanned: [String: [String]] = [:]
  /// Guests of `haPlanned` per node they are on now (until the HA phase adds them).
  var plannedHAOn: [String: Int] = [:]
  /// PVE 8: the HA group each planned guest joins, and the step that creates each group.
  var haGroupOf: [String: String] = [:]
  var haGroupStep: [String: Int] = [:]
  /// The step that adds each planned HA resource.
  var haAddStep: [String: Int] = [:]
  /// The failover node `FailoverPhase` chose for planned HA guests (priority 2 after their home).
  var failoverNode: [String: String] = [:]
  /// The CRS scheduler `FailoverPhase` switches to, when it does.
  var failoverScheduler: HAStack.Scheduler?
  /// Each single-node failure's worst survivor after the plan (`FailoverCheckPhase`).
  var failoverWorst: [FailoverSurvivor] = []

  /// Which running containers count as free to migrate because their volume move stops them
  /// anyway (the planner tries each and keeps the plan the objective ranks best).
  var outageDiscount: OutageDiscount = .all

  init(
    cluster: Cluster, findings: [Finding], policy: Policy, outageDiscount: OutageDiscount = .all
  ) {
    self.outageDiscount = outageDiscount
    self.original = cluster
    self.policy = policy
    self.findings = findings.sorted()
    var byID: [String: Finding] = [:]
    for f in findings where byID[f.id] == nil { byID[f.id] = f }
    self.findingByID = byID
    var nodes: [String: String] = [:]
    for g in cluster.guests where nodes[g.sid] == nil { nodes[g.sid] = g.node }
    self.originalNode = nodes
    self.usesRules = cluster.usesHARules
    self.sim = Simulation(cluster: cluster, policy: policy)
    sim.enforceShare = policy.action(for: "node.imbalance") == .rebalance
  }

  mutating func run() {
    let quorum = QuorumFigures(original)
    // Without a cluster entry in /cluster/status (a pmxcfs hiccup) `quorate` is unknown, not
    // false: then only the vote count says whether quorum is lost.
    let known = original.name != nil || quorum.online < quorum.needed
    if !quorum.quorate, !quorum.standalone, known {
      // /etc/pve is read-only without quorum: every command would fail. Advice only.
      blockByQuorum()
      AdvicePhase().run(&self)
      closeFindings()
      return
    }
    for phase in Planner.phases { phase.run(&self) }
    closeFindings()
  }

  /// Marks every finding the playbook would fix with commands as unresolved: without quorum
  /// /etc/pve is read-only and HA, storage and backup-job changes all fail.
  mutating func blockByQuorum() {
    for f in findings {
      guard policy.action(for: f.rule) != .ignore, !adviseAction(for: f.rule) else { continue }
      markUnresolved(
        f.id,
        "the cluster is not quorate: /etc/pve is read-only, so no change can be applied; restore quorum (pvecm status) and plan again",
        limit: "quorum")
    }
  }

  /// The guests that become HA-managed, where they are now, by VMID.
  var plannedHAGuests: [Guest] {
    haPlanned.keys.compactMap { sim.guest($0) }.sorted { $0.vmid < $1.vmid }
  }

  // MARK: Findings

  /// Findings of `rule` whose playbook action is `action`, sorted by id.
  func findings(_ rule: String, action: FindingAction) -> [Finding] {
    guard policy.action(for: rule) == action else { return [] }
    return findings.filter { $0.rule == rule }.sorted { $0.id < $1.id }
  }

  /// The id `rule/subject` if that finding exists.
  func findingID(_ rule: String, _ subject: String) -> String? {
    let id = "\(rule)/\(subject)"
    return findingByID[id] == nil ? nil : id
  }

  mutating func markUnresolved(_ finding: String, _ reason: String, limit: String?) {
    guard unresolved[finding] == nil else { return }
    unresolved[finding] = Unresolved(finding: finding, reason: reason, limit: limit)
  }

  func isUnresolved(_ finding: String) -> Bool { unresolved[finding] != nil }

  func unresolvedList() -> [Unresolved] {
    unresolved.values.sorted { $0.finding < $1.finding }
  }

  // MARK: Drafts

  /// Adds a draft and returns its index.
  @discardableResult
  mutating func add(_ draft: StepDraft) -> Int {
    drafts.append(draft)
    return drafts.count - 1
  }

  /// The node cluster-wide commands run on: the first online node by name.
  var entryNode: String {
    sim.cluster.nodes.first(where: \.online)?.name ?? sim.cluster.nodes.first?.name ?? "localhost"
  }

  /// `traefik (ct:110)`.
  func label(_ g: Guest) -> String { "\(g.sid) (\(g.name))" }

  /// A Proxmox configuration id (`^[a-z][a-z0-9_-]+$`) from free text.
  static func configID(_ text: String) -> String {
    var out = ""
    for c in text.lowercased() {
      if c.isASCII && (c.isLetter || c.isNumber || c == "-" || c == "_") {
        out.append(c)
      } else {
        out.append("-")
      }
    }
    if out.first.map({ !($0.isASCII && $0.isLetter) }) ?? true { out = "p" + out }
    if out.count < 2 { out += "x" }
    return out
  }

  // MARK: Summary

  func summary(steps: [Step]) -> Summary {
    func count(_ kind: StepKind) -> Int { steps.filter { $0.kind == kind }.count }
    let volumeMoves = steps.filter { step in
      step.commands.contains {
        $0.argv.starts(with: ["qm", "disk", "move"])
          || $0.argv.starts(with: ["pct", "move-volume"])
      }
    }.count
    let migrations = steps.filter { step in
      step.commands.contains(where: \.isMigration)
    }.count
    let outages = Self.outages(steps)
    return Summary(
      haEnablements: count(.haAdd), haPlacements: count(.haGroup) + count(.haRule),
      volumeMoves: volumeMoves, migrations: migrations, backupJobs: count(.backupJob),
      advisories: count(.advice), unresolved: unresolved.count,
      downtimeSeconds: steps.reduce(0) { $0 + $1.downtime.seconds },
      outages: outages.values.reduce(0) { $0 + $1.count },
      outageSeconds: outages.values.reduce(0) { $0 + $1.seconds },
      outagesByGuest: outages.mapValues(\.count),
      failover: failoverWorst.isEmpty ? nil : failoverWorst)
  }

  /// Outages per guest: every step with downtime is one outage of the guest it names.
  static func outages(_ steps: [Step]) -> [String: (count: Int, seconds: Int)] {
    var out: [String: (count: Int, seconds: Int)] = [:]
    for step in steps where step.downtime.seconds > 0 {
      guard let sid = (step.effects + step.preconditions).compactMap(\.sid).first else { continue }
      out[sid, default: (0, 0)].count += 1
      out[sid, default: (0, 0)].seconds += step.downtime.seconds
    }
    return out
  }

  /// Findings no step names and nothing marked unresolved: say so rather than drop them.
  mutating func closeFindings() {
    var named = Set<String>()
    for d in drafts { named.formUnion(d.reasons) }
    for f in findings where policy.action(for: f.rule) != .ignore {
      if named.contains(f.id) || unresolved[f.id] != nil { continue }
      markUnresolved(f.id, "no step of this plan addresses it", limit: nil)
    }
  }
}
