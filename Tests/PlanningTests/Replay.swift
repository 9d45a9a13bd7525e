import PVEModel
import Planning
import Playbook

/// Plays a plan's steps on a copy of the cluster, independently of the planner's own simulation,
/// and reports every hard limit a step breaks and every precondition or effect that does not hold.
struct Replay {
  private(set) var cluster: Cluster
  let policy: Policy
  /// storage → node → available bytes (local pools); shared pools under node "*".
  private var available: [String: [String: Int64]] = [:]
  private var total: [String: [String: Int64]] = [:]
  private(set) var violations: [String] = []

  init(cluster: Cluster, policy: Policy) {
    self.cluster = cluster
    self.policy = policy
    for s in cluster.storages {
      for ns in s.perNode {
        let key = s.shared ? "*" : ns.node
        available[s.id, default: [:]][key] = ns.available
        total[s.id, default: [:]][key] = ns.total
      }
    }
  }

  mutating func play(_ steps: [Step]) {
    var done = Set<String>()
    for step in steps {
      for dep in step.after where !done.contains(dep) {
        violations.append("\(step.id) waits for \(dep), which does not come before it")
      }
      for c in step.preconditions where !holds(c) {
        violations.append(
          "\(step.id): precondition \(c.kind.rawValue) \(c.sid ?? c.id ?? "") fails")
      }
      apply(step)
      for c in step.effects where !holds(c) && c.kind != .haSettled {
        violations.append("\(step.id): effect \(c.kind.rawValue) \(c.sid ?? c.id ?? "") fails")
      }
      done.insert(step.id)
    }
  }

  private func holds(_ c: Condition) -> Bool {
    let g = c.sid.flatMap { cluster.guest(sid: $0) }
    switch c.kind {
    case .guestOnNode: return g?.node == c.node
    case .guestStatus: return g?.status == c.state
    case .haManaged:
      guard let r = c.sid.flatMap({ cluster.haResource($0) }) else { return false }
      return c.state == nil || r.state == c.state
    case .haNotManaged: return c.sid.flatMap { cluster.haResource($0) } == nil
    case .volumeOnStorage: return g?.disks.first { $0.key == c.key }?.storage == c.storage
    case .nodeOnline: return c.node.flatMap { cluster.node($0) }?.online ?? false
    case .haGroupPresent: return cluster.haGroups?.contains { $0.id == c.id } ?? false
    case .haGroupAbsent: return !(cluster.haGroups?.contains { $0.id == c.id } ?? false)
    case .haRuleAbsent: return !(cluster.haRules?.contains { $0.id == c.id } ?? false)
    case .haRulePresent: return cluster.haRules?.contains { $0.id == c.id } ?? false
    case .backupJobAbsent: return !cluster.backupJobs.contains { $0.id == c.id }
    case .backupJobPresent: return cluster.backupJobs.contains { $0.id == c.id }
    case .haInGroup: return c.sid.flatMap { cluster.haResource($0) }?.group == c.id
    case .haSettled: return true
    case .guestAbsent: return c.id.flatMap(Int.init).flatMap { cluster.guest(vmid: $0) } == nil
    case .networkCut: return g?.networksCut(isolatedBridge: c.key) ?? false
    }
  }

  private mutating func apply(_ step: Step) {
    switch step.kind {
    case .migrate, .moveVolume:
      // In the order the commands run: volumes move (on the source), the guest migrates, then
      // its status and HA state settle (a container's one outage: shutdown → move-volume →
      // offline migrate → start).
      for e in step.effects where e.kind == .volumeOnStorage {
        if let sid = e.sid, let key = e.key, let s = e.storage { moveVolume(sid, key, s, step.id) }
      }
      if let effect = step.effects.first(where: { $0.kind == .guestOnNode }), let sid = effect.sid,
        let target = effect.node, index(sid).map({ cluster.guests[$0].node != target }) ?? true
      {
        let argv = step.commands.first(where: \.isMigration)?.argv ?? []
        if argv.isEmpty { violations.append("\(step.id): moves \(sid) without a migrate command") }
        migrate(sid, to: target, argv: argv, step: step.id)
      } else if step.kind == .migrate && !step.effects.contains(where: { $0.kind == .guestOnNode })
      {
        violations.append("\(step.id): no guest-on-node effect")
      }
      for e in step.effects {
        switch e.kind {
        case .guestStatus:
          if let sid = e.sid, let i = index(sid) { cluster.guests[i].status = e.state ?? "" }
        case .haManaged:
          if let sid = e.sid, let r = cluster.haResources.firstIndex(where: { $0.sid == sid }) {
            cluster.haResources[r].state = e.state ?? "started"
          }
        default: break
        }
      }
    case .haAdd:
      for e in step.effects where e.kind == .haManaged {
        guard let sid = e.sid, let (kind, vmid) = Cluster.parseSID(sid) else { continue }
        let group = step.effects.first { $0.kind == .haInGroup }?.id
        cluster.haResources.append(
          HAResource(
            sid: sid, kind: kind, vmid: vmid, state: e.state ?? "started", maxRestart: 1,
            maxRelocate: 1, group: group, failback: nil, comment: nil))
      }
    case .haGroup:
      for e in step.effects where e.kind == .haInGroup {
        guard let sid = e.sid, let i = cluster.haResources.firstIndex(where: { $0.sid == sid })
        else { continue }
        cluster.haResources[i].group = e.id
      }
      for e in step.effects where e.kind == .haGroupPresent {
        if let id = e.id {
          cluster.haGroups =
            (cluster.haGroups ?? [])
            + [HAGroup(id: id, nodes: [], restricted: false, nofailback: false)]
        }
      }
    case .haRule:
      for e in step.effects where e.kind == .haRulePresent {
        guard let id = e.id else { continue }
        var rules = cluster.haRules ?? []
        rules.removeAll { $0.id == id }
        rules.append(
          HARule(
            id: id, type: "x", resources: e.sids ?? [], nodes: [], strict: false, affinity: nil,
            disabled: false))
        cluster.haRules = rules
      }
    case .backupJob:
      for e in step.effects where e.kind == .backupJobPresent {
        cluster.backupJobs.append(
          BackupJob(
            id: e.id ?? "", enabled: true, all: true, vmids: [], exclude: [], pool: nil, node: nil,
            storage: nil, schedule: nil, mode: nil, compress: nil, pruneBackups: [:], comment: nil))
      }
    case .nodeMaintenance: break
    case .haScheduler:
      for c in step.commands
      where c.argv.starts(with: ["pvesh", "set", "/cluster/options", "--crs"]) {
        cluster.options["crs"] = c.argv.last
      }
    case .advice, .restoreTest:
      if !step.commands.isEmpty { violations.append("\(step.id): advice with commands") }
    }
  }

  private func index(_ sid: String) -> Int? { cluster.guests.firstIndex { $0.sid == sid } }

  private func claims(_ node: String) -> (vcpus: Int, memory: Int64) {
    cluster.guests.filter { $0.node == node && $0.claimsCapacity }.reduce((0, 0)) {
      ($0.0 + $1.vcpus, $0.1 + $1.memory)
    }
  }

  private mutating func migrate(_ sid: String, to target: String, argv: [String], step: String) {
    guard let i = index(sid), let t = cluster.node(target) else {
      return violations.append("\(step): unknown guest or node")
    }
    let g = cluster.guests[i]
    let source = g.node
    func fail(_ what: String) { violations.append("\(step) \(sid) → \(target): \(what)") }
    if !t.online { fail("target offline") }
    if g.vcpus > t.cores { fail("\(g.vcpus) vCPUs > \(t.cores) cores") }
    if policy.migration.neverMove.contains(where: { $0.matches(g) }) { fail("never_move") }
    if g.kind == .lxc && g.isRunning && !policy.migration.allowContainerRestart {
      fail("container restart not allowed")
    }
    for set in policy.keepApart where set.guests.contains(where: { $0.matches(g) }) {
      for other in cluster.guests where other.sid != sid && other.node == target {
        if set.guests.contains(where: { $0.matches(other) }) {
          fail("keep-apart with \(other.sid)")
        }
      }
    }
    if let r = cluster.haResource(sid) {
      for rule in cluster.haRules ?? [] where rule.type == "node-affinity" && rule.strict {
        if rule.resources.contains(sid) && !rule.nodes.contains(where: { $0.node == target }) {
          fail("strict HA rule \(rule.id)")
        }
      }
      if let group = r.group, let grp = cluster.haGroups?.first(where: { $0.id == group }),
        grp.restricted, !grp.nodes.contains(where: { $0.node == target })
      {
        fail("restricted HA group \(group)")
      }
    }
    var targetStorage: String?
    for flag in ["--targetstorage", "--target-storage"] {
      if let f = argv.firstIndex(of: flag), f + 1 < argv.count { targetStorage = argv[f + 1] }
    }
    for (di, d) in g.disks.enumerated() {
      guard let s = d.storage, !(cluster.storage(s)?.shared ?? false) else { continue }
      let dest = targetStorage ?? s
      available[s, default: [:]][source, default: 0] += d.size
      available[dest, default: [:]][target, default: 0] -= d.size
      if dest != s {
        cluster.guests[i].disks[di] = Disk(
          key: d.key, volid: "\(dest):x", storage: dest, size: d.size)
      }
    }
    cluster.guests[i].node = target
    for s in Set(g.disks.compactMap(\.storage)) where !(cluster.storage(s)?.shared ?? false) {
      let dest = targetStorage ?? s
      let free = available[dest]?[target] ?? 0
      let reserve = Int64(Double(total[dest]?[target] ?? 0) * policy.capacity.localStorageReserve)
      if free < reserve { fail("local storage \(dest) below its reserve") }
    }
    if g.claimsCapacity {
      let c = claims(target)
      if c.memory > t.memoryTotal - policy.capacity.memoryReserve { fail("memory over budget") }
      if Double(c.vcpus) > policy.capacity.vcpuPerCore * Double(t.cores) + 1e-9 {
        fail("vCPU ceiling")
      }
    }
  }

  private mutating func moveVolume(_ sid: String, _ key: String, _ storage: String, _ step: String)
  {
    guard let i = index(sid), let d = cluster.guests[i].disks.firstIndex(where: { $0.key == key })
    else { return violations.append("\(step): unknown volume \(sid) \(key)") }
    let disk = cluster.guests[i].disks[d]
    if let old = disk.storage, !(cluster.storage(old)?.shared ?? false) {
      available[old, default: [:]][cluster.guests[i].node, default: 0] += disk.size
    }
    available[storage, default: [:]]["*", default: 0] -= disk.size
    if (available[storage]?["*"] ?? 0) < 0 { violations.append("\(step): \(storage) overfull") }
    cluster.guests[i].disks[d] = Disk(
      key: key, volid: "\(storage):x", storage: storage, size: disk.size)
  }
}
