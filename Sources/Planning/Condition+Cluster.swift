import PVEModel

/// Checking and establishing conditions against a cluster model. Pure.
///
/// `holds(in:)` is the one definition of what a precondition or an effect means: the planner uses it to
/// predict, the executor to refuse stale plans, to skip satisfied steps and to verify effects.
extension Condition {
  /// HA service states in which nothing is in flight (`ha-manager status` verbose states).
  package static let settledHAStates: Set<String> = ["started", "stopped", "disabled", "ignored"]

  /// Whether the condition is true in `cluster`.
  package func holds(in cluster: Cluster) -> Bool {
    switch kind {
    case .guestOnNode:
      guard let sid, let node, let guest = cluster.guest(sid: sid) else { return false }
      return guest.node == node
    case .guestStatus:
      guard let sid, let state, let guest = cluster.guest(sid: sid) else { return false }
      return guest.status == state
    case .haManaged:
      guard let sid, let resource = cluster.haResource(sid) else { return false }
      guard let state else { return true }
      return Condition.normalisedHAState(resource.state) == Condition.normalisedHAState(state)
    case .haNotManaged:
      guard let sid else { return false }
      return cluster.haResource(sid) == nil
    case .haSettled:
      guard let sid, let state = Condition.liveHAState(sid, in: cluster) else { return false }
      return Condition.settledHAStates.contains(state)
    case .haRulePresent:
      guard let id, let rule = cluster.haRules?.first(where: { $0.id == id }) else { return false }
      guard let sids else { return true }
      return rule.resources == sids.sorted()
    case .haRuleAbsent:
      guard let id else { return false }
      return !(cluster.haRules ?? []).contains { $0.id == id }
    case .haGroupPresent:
      guard let id else { return false }
      return (cluster.haGroups ?? []).contains { $0.id == id }
    case .haGroupAbsent:
      guard let id else { return false }
      return !(cluster.haGroups ?? []).contains { $0.id == id }
    case .haInGroup:
      guard let sid, let id, let resource = cluster.haResource(sid) else { return false }
      return resource.group == id
    case .backupJobPresent:
      guard let id else { return false }
      return cluster.backupJobs.contains { $0.id == id }
    case .backupJobAbsent:
      guard let id else { return false }
      return !cluster.backupJobs.contains { $0.id == id }
    case .volumeOnStorage:
      guard let sid, let key, let storage, let guest = cluster.guest(sid: sid),
        let disk = guest.disks.first(where: { $0.key == key })
      else { return false }
      return disk.storage == storage
    case .nodeOnline:
      guard let node else { return false }
      return cluster.node(node)?.online ?? false
    case .guestAbsent:
      guard let id, let vmid = Int(id) else { return false }
      return cluster.guest(vmid: vmid) == nil
    case .networkCut:
      guard let sid, let guest = cluster.guest(sid: sid) else { return false }
      return guest.networksCut(isolatedBridge: key)
    }
  }

  /// What the condition expects, in words: `ct:131 on proxmox3`.
  package var expectation: String {
    let s = sid ?? "?"
    switch kind {
    case .guestOnNode: return "\(s) on \(node ?? "?")"
    case .guestStatus: return "\(s) \(state ?? "?")"
    case .haManaged: return state.map { "\(s) HA-managed in state \($0)" } ?? "\(s) HA-managed"
    case .haNotManaged: return "\(s) not HA-managed"
    case .haSettled: return "\(s) with a settled HA state"
    case .haRulePresent:
      return sids.map {
        "HA rule '\(id ?? "?")' with resources \($0.sorted().joined(separator: ","))"
      }
        ?? "HA rule '\(id ?? "?")'"
    case .haRuleAbsent: return "no HA rule '\(id ?? "?")'"
    case .haGroupPresent: return "HA group '\(id ?? "?")'"
    case .haGroupAbsent: return "no HA group '\(id ?? "?")'"
    case .haInGroup: return "\(s) in HA group '\(id ?? "?")'"
    case .backupJobPresent: return "backup job '\(id ?? "?")'"
    case .backupJobAbsent: return "no backup job '\(id ?? "?")'"
    case .volumeOnStorage: return "\(s) \(key ?? "?") on storage \(storage ?? "?")"
    case .nodeOnline: return "node \(node ?? "?") online"
    case .guestAbsent: return "VMID \(id ?? "?") free"
    case .networkCut:
      return "\(s) with every network device cut (link_down=1"
        + (key.map { " or on bridge \($0)" } ?? "") + ")"
    }
  }

  /// What the cluster shows instead, in words (`found on proxmox2`); meaningful when `holds` is false.
  package func observation(in cluster: Cluster) -> String {
    let guest = sid.flatMap { cluster.guest(sid: $0) }
    let notFound = "\(sid ?? "?") not found"
    switch kind {
    case .guestOnNode:
      return guest.map { "found on \($0.node)" } ?? notFound
    case .guestStatus:
      return guest.map { "found \($0.status)" } ?? notFound
    case .haManaged:
      guard let sid, let resource = cluster.haResource(sid) else { return "not HA-managed" }
      return "HA state \(resource.state)"
    case .haNotManaged:
      guard let sid, let resource = cluster.haResource(sid) else { return "not HA-managed" }
      return "HA-managed in state \(resource.state)"
    case .haSettled:
      guard let sid, let state = Condition.liveHAState(sid, in: cluster) else {
        return "not HA-managed"
      }
      return "HA state \(state)"
    case .haRulePresent:
      guard let rule = cluster.haRules?.first(where: { $0.id == id }) else { return "no such rule" }
      return "rule has resources \(rule.resources.joined(separator: ","))"
    case .haRuleAbsent: return "the rule exists"
    case .haGroupPresent: return "no such group"
    case .haGroupAbsent: return "the group exists"
    case .haInGroup:
      guard let sid, let resource = cluster.haResource(sid) else { return "not HA-managed" }
      return resource.group.map { "in group '\($0)'" } ?? "in no group"
    case .backupJobPresent: return "no such job"
    case .backupJobAbsent: return "the job exists"
    case .volumeOnStorage:
      guard let guest else { return notFound }
      guard let disk = guest.disks.first(where: { $0.key == key }) else {
        return "\(guest.sid) has no volume \(key ?? "?")"
      }
      return "found on \(disk.storage ?? disk.volid)"
    case .nodeOnline:
      guard let node, let n = cluster.node(node) else { return "node \(node ?? "?") not found" }
      return n.online ? "online" : "offline"
    case .guestAbsent:
      guard let id, let vmid = Int(id), let g = cluster.guest(vmid: vmid) else {
        return "VMID \(id ?? "?") free"
      }
      return "VMID \(vmid) is \(g.sid) (\(g.name)) on \(g.node)"
    case .networkCut:
      guard let guest else { return notFound }
      let open = guest.networks.keys.sorted().filter { key in
        !Guest(
          kind: guest.kind, vmid: guest.vmid, name: "", node: "", status: "", vcpus: 0, memory: 0,
          memoryUsed: 0, disks: [], tags: [], pool: nil, template: false, lock: nil,
          onboot: false, haState: nil, networks: [key: guest.networks[key] ?? ""]
        ).networksCut(isolatedBridge: self.key)
      }
      return "\(open.joined(separator: ", ")) not cut"
    }
  }

  /// Changes `cluster` so that the condition holds: the predicted state after a step (pure).
  package func establish(in cluster: inout Cluster) {
    switch kind {
    case .guestOnNode:
      guard let sid, let node else { return }
      guard let i = cluster.guests.firstIndex(where: { $0.sid == sid }) else {
        // A guest the step creates (a restore test's scratch guest): it appears, stopped.
        guard let (kind, vmid) = Cluster.parseSID(sid) else { return }
        cluster.guests.append(
          Guest(
            kind: kind, vmid: vmid, name: sid, node: node, status: "stopped", vcpus: 1,
            memory: 0, memoryUsed: 0, disks: [], tags: [], pool: nil, template: false, lock: nil,
            onboot: false, haState: nil))
        cluster.guests.sort { ($0.vmid, $0.kind) < ($1.vmid, $1.kind) }
        return
      }
      cluster.guests[i].node = node
      if cluster.haManager.services[sid] != nil { cluster.haManager.services[sid]?.node = node }
    case .guestStatus:
      guard let sid, let state, let i = cluster.guests.firstIndex(where: { $0.sid == sid }) else {
        return
      }
      cluster.guests[i].status = state
    case .haManaged:
      guard let sid, let (guestKind, vmid) = Cluster.parseSID(sid) else { return }
      let requested = state.map(Condition.normalisedHAState) ?? "started"
      if let i = cluster.haResources.firstIndex(where: { $0.sid == sid }) {
        if state != nil { cluster.haResources[i].state = requested }
      } else {
        cluster.haResources.append(
          HAResource(
            sid: sid, kind: guestKind, vmid: vmid, state: requested, maxRestart: 1, maxRelocate: 1,
            group: nil, failback: nil, comment: nil))
        cluster.haResources.sort { ($0.vmid, $0.sid) < ($1.vmid, $1.sid) }
      }
      let live = requested == "stopped" ? "stopped" : requested == "started" ? "started" : requested
      cluster.haManager.services[sid] = HAServiceStatus(
        node: cluster.guest(sid: sid)?.node, state: live)
      if let g = cluster.guests.firstIndex(where: { $0.sid == sid }) {
        cluster.guests[g].haState = live
      }
    case .haNotManaged:
      guard let sid else { return }
      cluster.haResources.removeAll { $0.sid == sid }
      cluster.haManager.services[sid] = nil
      if let g = cluster.guests.firstIndex(where: { $0.sid == sid }) {
        cluster.guests[g].haState = nil
      }
    case .haSettled:
      guard let sid else { return }
      let live = Condition.liveHAState(sid, in: cluster)
      if let live, Condition.settledHAStates.contains(live) { return }
      let configured = cluster.haResource(sid).map { Condition.normalisedHAState($0.state) }
      let settled = configured == "stopped" ? "stopped" : "started"
      cluster.haManager.services[sid] = HAServiceStatus(
        node: cluster.guest(sid: sid)?.node, state: settled)
      if let g = cluster.guests.firstIndex(where: { $0.sid == sid }) {
        cluster.guests[g].haState = settled
      }
    case .haRulePresent:
      guard let id else { return }
      var rules = cluster.haRules ?? []
      if let i = rules.firstIndex(where: { $0.id == id }) {
        if let sids { rules[i].resources = sids.sorted() }
      } else {
        rules.append(
          HARule(
            id: id, type: "node-affinity", resources: (sids ?? []).sorted(), nodes: [],
            strict: false, affinity: nil, disabled: false))
        rules.sort { $0.id < $1.id }
      }
      cluster.haRules = rules
    case .haRuleAbsent:
      guard let id else { return }
      cluster.haRules?.removeAll { $0.id == id }
    case .haGroupPresent:
      guard let id else { return }
      var groups = cluster.haGroups ?? []
      if !groups.contains(where: { $0.id == id }) {
        groups.append(HAGroup(id: id, nodes: [], restricted: false, nofailback: false))
        groups.sort { $0.id < $1.id }
      }
      cluster.haGroups = groups
    case .haGroupAbsent:
      guard let id else { return }
      cluster.haGroups?.removeAll { $0.id == id }
    case .haInGroup:
      guard let sid, let id, let i = cluster.haResources.firstIndex(where: { $0.sid == sid }) else {
        return
      }
      cluster.haResources[i].group = id
    case .backupJobPresent:
      guard let id, !cluster.backupJobs.contains(where: { $0.id == id }) else { return }
      cluster.backupJobs.append(
        BackupJob(
          id: id, enabled: true, all: false, vmids: [], exclude: [], pool: nil, node: nil,
          storage: nil, schedule: nil, mode: nil, compress: nil, pruneBackups: [:], comment: nil))
      cluster.backupJobs.sort { $0.id < $1.id }
      // Not run yet: guests only it covers have no archive yet, which is no finding.
      cluster.backups.unrunJobs.insert(id)
    case .backupJobAbsent:
      guard let id else { return }
      cluster.backupJobs.removeAll { $0.id == id }
    case .volumeOnStorage:
      guard let sid, let key, let storage,
        let g = cluster.guests.firstIndex(where: { $0.sid == sid }),
        let d = cluster.guests[g].disks.firstIndex(where: { $0.key == key })
      else { return }
      let disk = cluster.guests[g].disks[d]
      let volume = disk.volid.split(separator: ":", maxSplits: 1).dropFirst().first.map(String.init)
      cluster.guests[g].disks[d].storage = storage
      cluster.guests[g].disks[d].volid = "\(storage):\(volume ?? disk.volid)"
    case .nodeOnline:
      guard let node, let i = cluster.nodes.firstIndex(where: { $0.name == node }) else { return }
      cluster.nodes[i].online = true
    case .guestAbsent:
      guard let id, let vmid = Int(id) else { return }
      cluster.guests.removeAll { $0.vmid == vmid }
    case .networkCut:
      guard let sid, let i = cluster.guests.firstIndex(where: { $0.sid == sid }) else { return }
      for (k, v) in cluster.guests[i].networks where !v.contains("link_down=1") {
        cluster.guests[i].networks[k] = v + ",link_down=1"
      }
    }
  }

  /// The CRM's live state of `sid` (`/cluster/ha/status/current`), else the configured one.
  package static func liveHAState(_ sid: String, in cluster: Cluster) -> String? {
    if let state = cluster.haManager.services[sid]?.state { return state }
    if let state = cluster.guest(sid: sid)?.haState { return state }
    return cluster.haResource(sid)?.state
  }

  /// `enabled` is Proxmox's alias of `started`.
  static func normalisedHAState(_ state: String) -> String {
    state == "enabled" ? "started" : state
  }
}

extension Cluster {
  /// The cluster with `conditions` established in order (the predicted state after steps).
  package func establishing(_ conditions: [Condition]) -> Cluster {
    var copy = self
    for condition in conditions { condition.establish(in: &copy) }
    return copy
  }
}
