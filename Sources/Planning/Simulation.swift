import PVEModel
import Playbook

/// The cluster as it will be after the steps planned so far.
///
/// The planner checks every step against this state and then applies the step to it, so each step
/// is checked against what the cluster will look like when it runs, not against the snapshot. At the
/// end it is the predicted after-state. Indexes are kept so that a check costs O(disks + rules).
struct Simulation: Sendable {
  private(set) var cluster: Cluster
  let policy: Policy
  let limits: CapacityLimits
  /// Loads in the order of `cluster.nodes`.
  private(set) var loads: [NodeLoad]
  private(set) var nodeIndex: [String: Int]
  private var guestIndex: [String: Int]
  private var storageIndex: [String: Int]
  /// Guest indexes per node index (templates left out), sorted by VMID.
  private(set) var guestsByNode: [[Int]]
  /// Sids HA manages (not `ignored`), including the resources the plan adds.
  private(set) var haManaged: Set<String>
  /// Nodes in HA maintenance mode: never a migration target or an HA preference.
  let maintenance: Set<String>
  /// HA resources by sid.
  private var haResourceIndex: [String: Int] = [:]
  /// Enabled HA rules naming each sid.
  private(set) var rulesOf: [String: [HARule]] = [:]
  /// Keep-apart sets resolved to sids (sets with fewer than two guests are dropped).
  let keepApart: [ResolvedKeepApart]
  /// Sid → indexes into `keepApart`.
  let keepApartOf: [String: [Int]]
  /// Whether a move may not push a node's share of guests beyond its share of cores (off when the
  /// playbook ignores `node.imbalance`).
  var enforceShare = true
  /// Nodes being emptied (`pvemend evacuate`): never a target, and not counted as a preferred HA
  /// node (HA maintenance mode keeps the CRM from moving guests back). Empty for the planner.
  var evacuated: Set<String> = []

  init(cluster: Cluster, policy: Policy) {
    self.cluster = cluster
    self.policy = policy
    var nodeIndex: [String: Int] = [:]
    for (i, n) in cluster.nodes.enumerated() where nodeIndex[n.name] == nil {
      nodeIndex[n.name] = i
    }
    self.nodeIndex = nodeIndex
    var guestIndex: [String: Int] = [:]
    for (i, g) in cluster.guests.enumerated() where guestIndex[g.sid] == nil {
      guestIndex[g.sid] = i
    }
    self.guestIndex = guestIndex
    var storageIndex: [String: Int] = [:]
    for (i, s) in cluster.storages.enumerated() where storageIndex[s.id] == nil {
      storageIndex[s.id] = i
    }
    self.storageIndex = storageIndex
    var managed = Set<String>()
    for r in cluster.haResources where r.state != "ignored" { managed.insert(r.sid) }
    self.haManaged = managed
    self.maintenance = Set(cluster.nodes.filter { $0.haState == "maintenance" }.map(\.name))

    var loads = cluster.nodes.map {
      NodeLoad(
        name: $0.name, online: $0.online, cores: $0.cores, memoryTotal: $0.memoryTotal, vcpus: 0,
        memory: 0, guests: 0, haGuests: 0)
    }
    var byNode = Array(repeating: [Int](), count: cluster.nodes.count)
    for (i, g) in cluster.guests.enumerated() {
      guard let n = nodeIndex[g.node] else { continue }
      // Shares count every guest Proxmox lists (templates too), as the audit does.
      loads[n].guests += 1
      guard !g.template else { continue }
      byNode[n].append(i)
      if g.claimsCapacity {
        loads[n].vcpus += g.vcpus
        loads[n].memory += g.memory
      }
      if managed.contains(g.sid) { loads[n].haGuests += 1 }
    }
    self.loads = loads
    self.guestsByNode = byNode
    // Shares are among online nodes only, as the audit counts them.
    let online = loads.filter(\.online)
    self.limits = CapacityLimits(
      policy: policy, totalGuests: online.reduce(0) { $0 + $1.guests },
      totalCores: online.reduce(0) { $0 + $1.cores })

    var sets: [ResolvedKeepApart] = []
    var of: [String: [Int]] = [:]
    for set in policy.keepApart {
      let sids = cluster.guests.filter { g in
        !g.template && set.guests.contains { $0.matches(g) }
      }.map(\.sid)
      guard sids.count >= 2 else { continue }
      for sid in sids { of[sid, default: []].append(sets.count) }
      sets.append(ResolvedKeepApart(name: set.name, sids: sids))
    }
    keepApart = sets
    keepApartOf = of
    for (i, r) in cluster.haResources.enumerated() where haResourceIndex[r.sid] == nil {
      haResourceIndex[r.sid] = i
    }
    indexRules()
  }

  // MARK: Lookups

  func guest(_ sid: String) -> Guest? { guestIndex[sid].map { cluster.guests[$0] } }
  func guest(at index: Int) -> Guest { cluster.guests[index] }
  func load(_ node: String) -> NodeLoad? { nodeIndex[node].map { loads[$0] } }
  func storage(_ id: String) -> Storage? { storageIndex[id].map { cluster.storages[$0] } }
  func isShared(_ storageID: String) -> Bool { storage(storageID)?.shared ?? false }
  func isHAManaged(_ sid: String) -> Bool { haManaged.contains(sid) }
  func haResource(_ sid: String) -> HAResource? {
    haResourceIndex[sid].map { cluster.haResources[$0] }
  }
  /// Enabled HA rules that name `sid`.
  func rules(of sid: String) -> [HARule] { rulesOf[sid] ?? [] }
  func guests(on node: String) -> [Guest] {
    guard let n = nodeIndex[node] else { return [] }
    return guestsByNode[n].map { cluster.guests[$0] }
  }
  var onlineNodes: [NodeLoad] { loads.filter(\.online) }

  /// Free bytes of pool `storageID` on `node` above the playbook's reserve (may be negative).
  func localFree(_ storageID: String, on node: String) -> Int64 {
    guard let s = storage(storageID), let ns = s.on(node) else { return 0 }
    return ns.available - Int64((Double(ns.total) * limits.localStorageReserve).rounded(.up))
  }

  /// Free bytes of a shared pool below its warning line (`storageWarn`).
  func sharedFree(_ storageID: String) -> Int64 {
    guard let s = storage(storageID) else { return 0 }
    let total = s.total
    return Int64(Double(total) * policy.capacity.storageWarn) - s.used
  }

  /// Whether `storage` can hold volumes of `kind` on `node`: defined there, enabled, active.
  func usable(_ storage: Storage, for kind: GuestKind, on node: String) -> Bool {
    guard !storage.disabled else { return false }
    let content = kind == .qemu ? "images" : "rootdir"
    guard storage.content.contains(content) else { return false }
    if let nodes = storage.restrictedTo, !nodes.isEmpty, !nodes.contains(node) { return false }
    guard let ns = storage.on(node) else { return false }
    return ns.enabled && ns.active
  }

  /// Free bytes on node-local pools that hold guest volumes, for the figures.
  func localGuestFree(on node: String) -> Int64 {
    cluster.storages.reduce(0) { sum, s in
      guard !s.shared, !s.disabled, s.content.contains("images") || s.content.contains("rootdir"),
        let ns = s.on(node), ns.enabled
      else { return sum }
      return sum + ns.available
    }
  }

  /// The node's figures as the plan document shows them.
  func figures(_ node: String) -> NodeFigures? {
    guard let l = load(node) else { return nil }
    return NodeFigures(
      node: l.name, cores: l.cores, vcpus: l.vcpus, memory: l.memory, memoryTotal: l.memoryTotal,
      localFree: localGuestFree(on: node), guests: l.guests, haGuests: l.haGuests)
  }

  /// The guest's volumes on node-local storage (bind mounts and passthrough disks excluded).
  func localVolumes(of guest: Guest, includingUnused: Bool) -> [Disk] {
    guest.disks.filter { d in
      guard let s = d.storage, includingUnused || !d.isUnused else { return false }
      return !isShared(s)
    }
  }

  // MARK: Changes

  /// Moves a guest to `target`; its local volumes land on `targetStorage` (or the same pool id).
  mutating func moveGuest(_ sid: String, to target: String, targetStorage: String?) {
    guard let gi = guestIndex[sid], let t = nodeIndex[target] else { return }
    let g = cluster.guests[gi]
    let source = g.node
    if let s = nodeIndex[source] {
      loads[s].guests -= 1
      if g.claimsCapacity {
        loads[s].vcpus -= g.vcpus
        loads[s].memory -= g.memory
      }
      if haManaged.contains(sid) { loads[s].haGuests -= 1 }
      guestsByNode[s].removeAll { $0 == gi }
      cluster.nodes[s].memoryUsed -= g.memoryUsed
    }
    loads[t].guests += 1
    if g.claimsCapacity {
      loads[t].vcpus += g.vcpus
      loads[t].memory += g.memory
    }
    if haManaged.contains(sid) { loads[t].haGuests += 1 }
    let position = guestsByNode[t].firstIndex { cluster.guests[$0].vmid > g.vmid }
    guestsByNode[t].insert(gi, at: position ?? guestsByNode[t].endIndex)
    cluster.nodes[t].memoryUsed += g.memoryUsed

    for (di, d) in g.disks.enumerated() {
      guard let s = d.storage, !isShared(s) else { continue }
      let destination = targetStorage ?? s
      adjust(storage: s, node: source, by: -d.size)
      adjust(storage: destination, node: target, by: d.size)
      if destination != s { cluster.guests[gi].disks[di] = retarget(d, to: destination) }
    }
    cluster.guests[gi].node = target
    if cluster.haManager.services[sid] != nil { cluster.haManager.services[sid]?.node = target }
  }

  /// Moves one volume of a guest to another pool on the same node (or a shared pool).
  mutating func moveVolume(_ sid: String, key: String, to storageID: String) {
    guard let gi = guestIndex[sid],
      let di = cluster.guests[gi].disks.firstIndex(where: { $0.key == key })
    else { return }
    let g = cluster.guests[gi]
    let d = g.disks[di]
    if let s = d.storage { adjust(storage: s, node: g.node, by: -d.size) }
    adjust(storage: storageID, node: g.node, by: d.size)
    cluster.guests[gi].disks[di] = retarget(d, to: storageID)
  }

  /// Adds an HA resource (and counts it on the guest's node).
  mutating func addHAResource(_ resource: HAResource) {
    if let i = haResourceIndex[resource.sid] {
      cluster.haResources[i] = resource
    } else {
      // Appended here, sorted once by `sortHAResources()` when the HA phase is done.
      cluster.haResources.append(resource)
      haResourceIndex[resource.sid] = cluster.haResources.count - 1
    }
    let live = resource.state == "stopped" ? "stopped" : "started"
    if let gi = guestIndex[resource.sid] {
      cluster.guests[gi].haState = live
      let node = cluster.guests[gi].node
      cluster.haManager.services[resource.sid] = HAServiceStatus(node: node, state: live)
      if resource.state != "ignored", !haManaged.contains(resource.sid), let n = nodeIndex[node] {
        loads[n].haGuests += 1
      }
    }
    if resource.state != "ignored" { haManaged.insert(resource.sid) }
  }

  /// Puts the HA resources back in the snapshot's order (by VMID) after additions.
  mutating func sortHAResources() {
    cluster.haResources.sort { ($0.vmid, $0.sid) < ($1.vmid, $1.sid) }
    haResourceIndex = [:]
    for (i, r) in cluster.haResources.enumerated() where haResourceIndex[r.sid] == nil {
      haResourceIndex[r.sid] = i
    }
  }

  /// Sets the HA request state of a managed guest (and its live state once the CRM acted).
  mutating func setHAState(_ sid: String, _ state: String) {
    if let i = haResourceIndex[sid] { cluster.haResources[i].state = state }
    guard let gi = guestIndex[sid] else { return }
    cluster.guests[gi].haState = state
    cluster.haManager.services[sid] = HAServiceStatus(node: cluster.guests[gi].node, state: state)
    setStatus(sid, state == "stopped" ? "stopped" : "running")
  }

  /// Sets a guest's run status (`pct shutdown`, `pct start`), keeping the node's claims right.
  mutating func setStatus(_ sid: String, _ status: String) {
    guard let gi = guestIndex[sid] else { return }
    let before = cluster.guests[gi]
    cluster.guests[gi].status = status
    let after = cluster.guests[gi]
    guard before.claimsCapacity != after.claimsCapacity, let n = nodeIndex[before.node] else {
      return
    }
    let sign = after.claimsCapacity ? 1 : -1
    loads[n].vcpus += sign * before.vcpus
    loads[n].memory += Int64(sign) * before.memory
  }

  mutating func putHARule(_ rule: HARule) {
    var rules = cluster.haRules ?? []
    rules.removeAll { $0.id == rule.id }
    rules.append(rule)
    rules.sort { $0.id < $1.id }
    cluster.haRules = rules
    indexRules()
  }

  private mutating func indexRules() {
    rulesOf = [:]
    for rule in cluster.haRules ?? [] where !rule.disabled {
      for sid in rule.resources { rulesOf[sid, default: []].append(rule) }
    }
  }

  mutating func putHAGroup(_ group: HAGroup) {
    var groups = cluster.haGroups ?? []
    groups.removeAll { $0.id == group.id }
    groups.append(group)
    groups.sort { $0.id < $1.id }
    cluster.haGroups = groups
  }

  /// Sets a `/cluster/options` key (`crs`).
  mutating func setOption(_ key: String, _ value: String) {
    cluster.options[key] = value
  }

  mutating func addBackupJob(_ job: BackupJob) {
    cluster.backupJobs.removeAll { $0.id == job.id }
    cluster.backupJobs.append(job)
    cluster.backupJobs.sort { $0.id < $1.id }
    // Not run yet: guests only it covers have no archive yet, which is no finding.
    cluster.backups.unrunJobs.insert(job.id)
  }

  private mutating func adjust(storage id: String, node: String, by bytes: Int64) {
    guard let si = storageIndex[id] else { return }
    if cluster.storages[si].shared {
      for i in cluster.storages[si].perNode.indices {
        cluster.storages[si].perNode[i].used += bytes
        cluster.storages[si].perNode[i].available -= bytes
      }
    } else if let i = cluster.storages[si].perNode.firstIndex(where: { $0.node == node }) {
      cluster.storages[si].perNode[i].used += bytes
      cluster.storages[si].perNode[i].available -= bytes
    }
  }

  private func retarget(_ disk: Disk, to storageID: String) -> Disk {
    let name = disk.volid.split(separator: ":", maxSplits: 1).dropFirst().first.map(String.init)
    return Disk(
      key: disk.key, volid: "\(storageID):\(name ?? disk.volid)", storage: storageID,
      size: disk.size)
  }
}

/// A keep-apart set of the playbook, resolved to the guests it names.
struct ResolvedKeepApart: Sendable, Hashable {
  var name: String
  /// Sorted by VMID.
  var sids: [String]
}
