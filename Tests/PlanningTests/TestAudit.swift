import Audit
import PVEModel
import Playbook

/// Findings for the planner's tests: the real `Auditor` once it has rules, else a small stand-in
/// that implements the rules the planner acts on exactly as the shared rule table defines them.
enum TestAudit {
  static func findings(in cluster: Cluster, policy: Policy) -> [Finding] {
    Auditor.allRules.isEmpty
      ? standIn(cluster, policy) : Auditor.findings(in: cluster, policy: policy)
  }

  static func standIn(_ cluster: Cluster, _ policy: Policy) -> [Finding] {
    var out: [Finding] = []
    func add(_ rule: String, _ kind: Subject.Kind, _ id: String, _ r: Remediation) {
      out.append(
        Finding(
          rule: rule, severity: .high, subject: Subject(kind: kind, id: id),
          message: "\(rule) \(id)",
          remediation: r))
    }
    let guests = cluster.guests.filter { !$0.template }
    let managed = Set(cluster.haResources.filter { $0.state != "ignored" }.map(\.sid))
    for g in guests {
      let wanted = policy.criticality(of: g).map { policy.ha.levels.contains($0.level) } ?? false
      if wanted && !managed.contains(g.sid) { add("ha.unprotected", .guest, g.sid, .enableHA) }
      if managed.contains(g.sid) || wanted {
        let local = g.disks.contains { d in
          guard let s = d.storage, !d.isUnused else { return false }
          return !cluster.isShared(s)
        }
        if local { add("ha.local-storage", .guest, g.sid, .moveToSharedStorage) }
      }
    }
    let onlineNodes = cluster.nodes.filter(\.online)
    let onlineNames = Set(onlineNodes.map(\.name))
    let totalCores = onlineNodes.reduce(0) { $0 + $1.cores }
    let listed = cluster.guests.filter { onlineNames.contains($0.node) }
    var haPerNode: [String: Int] = [:]
    for g in guests where managed.contains(g.sid) && onlineNames.contains(g.node) {
      haPerNode[g.node, default: 0] += 1
    }
    for n in cluster.nodes where n.online {
      let on = guests.filter { $0.node == n.name }
      let claim = on.filter(\.claimsCapacity)
      let vcpus = claim.reduce(0) { $0 + $1.vcpus }
      let memory = claim.reduce(Int64(0)) { $0 + $1.memory }
      if Double(vcpus) > policy.capacity.vcpuPerCore * Double(n.cores) + 1e-9 {
        add("node.overcommit", .node, n.name, .rebalance)
      }
      if memory > n.memoryTotal - policy.capacity.memoryReserve {
        add("node.memory", .node, n.name, .rebalance)
      }
      if onlineNodes.count >= 2, !listed.isEmpty, totalCores > 0 {
        let count = listed.filter { $0.node == n.name }.count
        let share = Double(count) / Double(listed.count)
        let coreShare = Double(n.cores) / Double(totalCores)
        if share - coreShare > policy.capacity.shareTolerance + 1e-9 {
          add("node.imbalance", .node, n.name, .rebalance)
        }
      }
      if (haPerNode[n.name] ?? 0) == 0 && !haPerNode.isEmpty && onlineNodes.count >= 2 {
        add("ha.distribution", .node, n.name, .advice)
      }
    }
    let enabled = cluster.backupJobs.filter(\.enabled)
    if enabled.isEmpty { add("backup.none", .cluster, "cluster", .createBackupJob) }
    for g in guests where !cluster.backupJobs.contains(where: { $0.covers(g) }) {
      if policy.backup.exclude.contains(where: { $0.matches(g) }) { continue }
      add("backup.uncovered", .guest, g.sid, .createBackupJob)
    }
    let servers = Set(cluster.storages.filter(\.shared).compactMap(\.server))
    if servers.count == 1, let s = servers.first {
      add("storage.single-server", .storage, s, .advice)
    }
    let largest = cluster.nodes.map(\.cores).max() ?? 0
    for n in cluster.nodes where n.cores * 2 <= largest {
      add("node.small", .node, n.name, .advice)
    }
    if policy.backup.offsite == nil { add("backup.offsite", .cluster, "cluster", .advice) }
    return out.sorted()
  }
}
