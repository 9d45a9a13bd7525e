import PVEModel
import Playbook
import Rehearse

/// A cluster and a policy, indexed once so every rule and every report section runs in
/// O(n log n) or better: guests by node, by VMID and by pool, HA resources by sid, storage by id,
/// each guest's criticality, and the capacity each node has already promised.
package struct AuditContext: Sendable {
  package let cluster: Cluster
  package let policy: Policy
  /// Nodes by name.
  package let nodeByName: [String: Node]
  /// Non-template guests of each node, sorted by VMID (nodes without guests are absent).
  package let guestsByNode: [String: [Guest]]
  /// Non-template guests by VMID.
  package let guestsByVMID: [Int: [Guest]]
  /// Every guest per node, templates included (the distribution table and `node.imbalance` count
  /// them as Proxmox lists them).
  package let guestCountByNode: [String: Int]
  /// Non-template guests by sid.
  package let guestBySID: [String: Guest]
  /// Non-template guests by pool.
  package let guestsByPool: [String: [Guest]]
  /// Every non-template guest, sorted by VMID.
  package let guests: [Guest]
  /// HA resources by sid.
  package let haResourceBySID: [String: HAResource]
  /// Storage pools by id.
  package let storageByID: [String: Storage]
  /// The policy's critical entry of each guest that has one, by sid.
  package let criticalityBySID: [String: CriticalEntry]
  /// vCPUs of running and onboot guests per node.
  package let claimedVCPUs: [String: Int]
  /// Configured memory of running and onboot guests per node, bytes.
  package let claimedMemory: [String: Int64]
  /// Sid → the nodes an HA group (restricted) or a strict node-affinity rule confines it to.
  package let haAllowedNodes: [String: Set<String>]
  /// Sid → the HA group or node-affinity rule that places it, for display.
  package let haPlacement: [String: String]
  /// Each online node's failure played out as Proxmox's HA stack would (`Rehearse`), by node.
  package let failover: [String: RecoveryOutcome]
  /// Restore tests given with `audit --restore-tests` (nil: none given, the report shows no
  /// measured recovery and scores disaster recovery from the findings alone): the newest record
  /// of each guest, sorted by VMID.
  package let restoreTests: [RestoreRecord]?

  package init(cluster: Cluster, policy: Policy, restoreTests: [RestoreRecord]? = nil) {
    self.cluster = cluster
    self.policy = policy
    self.restoreTests = restoreTests.map(RestoreRecord.newestPerGuest)
    var nodeByName: [String: Node] = [:]
    for n in cluster.nodes { nodeByName[n.name] = n }
    self.nodeByName = nodeByName

    var counts: [String: Int] = [:]
    for g in cluster.guests { counts[g.node, default: 0] += 1 }
    guestCountByNode = counts
    let guests = cluster.guests.filter { !$0.template }
    self.guests = guests
    var byNode: [String: [Guest]] = [:]
    var byVMID: [Int: [Guest]] = [:]
    var byPool: [String: [Guest]] = [:]
    var bySID: [String: Guest] = [:]
    var vcpus: [String: Int] = [:]
    var memory: [String: Int64] = [:]
    var critical: [String: CriticalEntry] = [:]
    for g in guests {
      byNode[g.node, default: []].append(g)
      byVMID[g.vmid, default: []].append(g)
      if bySID[g.sid] == nil { bySID[g.sid] = g }
      if let pool = g.pool { byPool[pool, default: []].append(g) }
      if g.claimsCapacity {
        vcpus[g.node, default: 0] += g.vcpus
        memory[g.node, default: 0] += g.memory
      }
      if let entry = policy.criticality(of: g) { critical[g.sid] = entry }
    }
    guestsByNode = byNode
    guestsByVMID = byVMID
    guestsByPool = byPool
    guestBySID = bySID
    claimedVCPUs = vcpus
    claimedMemory = memory
    criticalityBySID = critical

    var ha: [String: HAResource] = [:]
    for r in cluster.haResources where ha[r.sid] == nil { ha[r.sid] = r }
    haResourceBySID = ha

    var storage: [String: Storage] = [:]
    for s in cluster.storages where storage[s.id] == nil { storage[s.id] = s }
    storageByID = storage

    var allowed: [String: Set<String>] = [:]
    var placement: [String: String] = [:]
    let groups = Dictionary(
      (cluster.haGroups ?? []).map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
    for r in cluster.haResources {
      guard let name = r.group, let group = groups[name] else { continue }
      placement[r.sid] = "group \(name)"
      if group.restricted { allowed[r.sid] = Set(group.nodes.map(\.node)) }
    }
    for rule in cluster.haRules ?? [] where rule.type == "node-affinity" && !rule.disabled {
      for sid in rule.resources where placement[sid] == nil {
        placement[sid] = "rule \(rule.id)"
        if rule.strict { allowed[sid] = Set(rule.nodes.map(\.node)) }
      }
    }
    haAllowedNodes = allowed
    haPlacement = placement
    let rehearsal = Rehearsal(cluster: cluster, policy: policy)
    var failover: [String: RecoveryOutcome] = [:]
    for n in cluster.nodes where n.online && failover[n.name] == nil {
      failover[n.name] = rehearsal.run(FailureScenario(failedNodes: [n.name]))
    }
    self.failover = failover
  }

  /// Whether HA manages the guest: an HA resource not in state `ignored` (Proxmox treats `ignored`
  /// as unmanaged everywhere).
  package func isHAManaged(_ guest: Guest) -> Bool {
    if let r = haResourceBySID[guest.sid] { return r.state != "ignored" }
    return false
  }

  /// Whether HA restarts the guest elsewhere when its node fails (managed, requested `started`).
  package func isHARecovered(_ guest: Guest) -> Bool {
    guard let r = haResourceBySID[guest.sid] else { return false }
    return r.state == "started"
  }

  package func criticality(of guest: Guest) -> CriticalEntry? { criticalityBySID[guest.sid] }

  /// Whether the guest is critical enough that the policy wants it HA-managed.
  package func wantsHA(_ guest: Guest) -> Bool {
    guard let entry = criticalityBySID[guest.sid] else { return false }
    return policy.ha.levels.contains(entry.level)
  }

  /// Severity for a guest finding: the guest's criticality level, else `fallback`.
  package func severity(of guest: Guest, fallback: Severity) -> Severity {
    criticalityBySID[guest.sid].map { Severity($0.level) } ?? fallback
  }

  package func guests(on node: String) -> [Guest] { guestsByNode[node] ?? [] }

  /// Whether a storage id is shared; unknown ids count as local.
  package func isShared(_ storageID: String) -> Bool { storageByID[storageID]?.shared ?? false }

  /// The guest's volumes on node-local storage (unused volumes and bind mounts/passthrough excluded).
  package func localVolumes(of guest: Guest) -> [Disk] {
    guest.disks.filter { d in
      guard !d.isUnused, let s = d.storage else { return false }
      return !isShared(s)
    }
  }

  /// Memory a node keeps for its running and onboot guests plus the policy reserve may not exceed this.
  package func memoryBudget(of node: Node) -> Int64 {
    node.memoryTotal - policy.capacity.memoryReserve
  }

  /// Online nodes, sorted by name.
  package var onlineNodes: [Node] { cluster.nodes.filter(\.online) }

  /// Whether HA has another node to restart a guest on: a single node (standalone, or a cluster
  /// of one) has none, so HA findings there would only plan downtime for nothing.
  package var hasFailoverNodes: Bool { cluster.nodes.count >= 2 }

  /// A guest's display name: `traefik (ct:110)`.
  package static func label(_ guest: Guest) -> String { "\(guest.name) (\(guest.sid))" }
}
