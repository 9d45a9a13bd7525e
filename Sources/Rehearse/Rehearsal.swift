import PVEModel
import Playbook

/// Plays out node failures as Proxmox VE's HA stack would. Pure: the cluster and the policy in,
/// a `RecoveryOutcome` out.
///
/// What it follows (sources in `docs/ha-recovery.md`): the CRM fences the failed nodes' services
/// and recovers them one by one in sid order (`Manager::manage`, `sort keys %$ss`); each goes where
/// `select_service_node` says — the highest-priority class of its group or node-affinity rule
/// among online nodes (non-strict: every other node at priority -1), minus nodes of negative
/// resource-affinity partners, narrowed to the node of positive partners, then the lowest
/// scheduler score with the node name as tie-break — and counts on that node for the next one.
/// Services in HA state `stopped` move but stay stopped; `disabled` and `ignored` stay where they
/// were. Without quorum nothing is recovered and every survivor with active HA services fences
/// itself (`LRM`, watchdog).
///
/// Build one `Rehearsal` per cluster and policy to run many scenarios over the same indexes.
package struct Rehearsal: Sendable {
  package let cluster: Cluster
  package let policy: Policy
  package let stack: HAStack

  /// A service the CRM manages (an HA resource not `ignored`, with its guest).
  /// A class: scenarios pass services around without copying their guests.
  final class Service: Sendable {
    let sid: String
    let guest: Guest
    /// `started`, `stopped` (stays stopped; still recovered), `disabled` (not recovered), `error`.
    let state: String
    /// Whether the CRM counts it as load (`get_used_service_nodes`: not stopped).
    let counts: Bool

    init(sid: String, guest: Guest, state: String) {
      self.sid = sid
      self.guest = guest
      self.state = state
      counts = state == "started" || state == "error"
    }
  }

  /// Services by sid, sorted as Perl's `sort keys` (bytewise).
  let services: [Service]
  let serviceIndex: [String: Int]
  /// Node → indices of its services.
  let servicesByNode: [String: [Int]]
  /// A guest with its sid and its service (index into `services`), computed once.
  struct Member: Sendable {
    var guest: Guest
    var sid: String
    var service: Int?
  }
  /// Non-template guests by node, by VMID.
  let guestsByNode: [String: [Member]]
  /// Sid → VMID, for sorting.
  let vmidOfSID: [String: Int]
  /// Per node: vCPUs and memory of running and onboot guests.
  let claimed: [String: (vcpus: Int, memory: Int64)]
  /// Per node: what the CRM counts for HA services, and for running non-HA guests.
  let haUsage: [String: NodeUsage.Load]
  let guestUsage: [String: NodeUsage.Load]
  let nodeByName: [String: Node]
  let storageShared: [String: Bool]

  /// `accounting` overrides what the release counts (to compare 9.1 before and after 5.1.2).
  package init(cluster: Cluster, policy: Policy, accounting: HAStack.Accounting? = nil) {
    self.cluster = cluster
    self.policy = policy
    var stack = HAStack(cluster: cluster)
    if let accounting { stack.accounting = accounting }
    self.stack = stack
    var guestBySID: [String: Guest] = [:]
    var vmidOfSID: [String: Int] = [:]
    for g in cluster.guests where !g.template {
      let sid = g.sid
      if guestBySID[sid] == nil { guestBySID[sid] = g }
      if vmidOfSID[sid] == nil { vmidOfSID[sid] = g.vmid }
    }
    self.vmidOfSID = vmidOfSID
    var services: [Service] = []
    var seen: Set<String> = []
    for r in cluster.haResources where r.state != "ignored" && !seen.contains(r.sid) {
      seen.insert(r.sid)
      guard let g = guestBySID[r.sid] else { continue }
      var state = r.state == "enabled" ? "started" : r.state
      if cluster.haManager.services[r.sid]?.state == "error" { state = "error" }
      services.append(Service(sid: r.sid, guest: g, state: state))
    }
    services.sort { $0.sid.utf8.lexicographicallyPrecedes($1.sid.utf8) }
    self.services = services
    var index: [String: Int] = [:]
    var servicesByNode: [String: [Int]] = [:]
    for (i, s) in services.enumerated() {
      index[s.sid] = i
      servicesByNode[s.guest.node, default: []].append(i)
    }
    serviceIndex = index
    self.servicesByNode = servicesByNode
    var nodes: [String: Node] = [:]
    for n in cluster.nodes where nodes[n.name] == nil { nodes[n.name] = n }
    nodeByName = nodes
    var byNode: [String: [Member]] = [:]
    for g in cluster.guests where !g.template {
      let sid = g.sid
      byNode[g.node, default: []].append(Member(guest: g, sid: sid, service: index[sid]))
    }
    guestsByNode = byNode
    // Per node, once: what running and onboot guests claim, and what the CRM counts before any
    // failure (HA services not stopped; running non-HA guests for 5.1.2+).
    var claimed: [String: (vcpus: Int, memory: Int64)] = [:]
    var haUsage: [String: NodeUsage.Load] = [:]
    var guestUsage: [String: NodeUsage.Load] = [:]
    for (node, members) in byNode {
      let cores = nodes[node]?.cores ?? 0
      for e in members {
        let g = e.guest
        if g.claimsCapacity {
          let c = claimed[node] ?? (0, 0)
          claimed[node] = (c.vcpus + g.vcpus, c.memory + g.memory)
        }
        if let i = e.service {
          if services[i].counts { haUsage[node, default: .init()].add(g, cores: cores) }
        } else if g.isRunning {
          guestUsage[node, default: .init()].add(g, cores: cores)
        }
      }
    }
    self.claimed = claimed
    self.haUsage = haUsage
    self.guestUsage = guestUsage
    var shared: [String: Bool] = [:]
    for s in cluster.storages where shared[s.id] == nil { shared[s.id] = s.shared }
    storageShared = shared
  }

  /// The interface the audit and the planner use: one scenario on one cluster.
  package static func run(_ cluster: Cluster, policy: Policy, scenario: FailureScenario)
    -> RecoveryOutcome
  {
    Rehearsal(cluster: cluster, policy: policy).run(scenario)
  }

  /// Every single online node's failure, by node name.
  package func runEachNode() -> [RecoveryOutcome] {
    FailureScenario.eachOnlineNode(of: cluster).map(run)
  }

  /// Plays out one scenario.
  package func run(_ scenario: FailureScenario) -> RecoveryOutcome {
    let named = Set(scenario.failedNodes)
    let offline = cluster.nodes.filter { !$0.online && !named.contains($0.name) }.map(\.name)
    let down = named.union(offline)
    let survivors = cluster.nodes.filter { $0.online && !down.contains($0.name) }
    let expected = max(cluster.quorum.nodes, cluster.nodes.count)
    let quorate = cluster.quorum.quorate && survivors.count * 2 > expected

    // Survivors' load before the failure (running and onboot guests, as the audit counts).
    var load: [String: (vcpus: Int, memory: Int64)] = [:]
    for n in survivors { load[n.name] = claimed[n.name] ?? (0, 0) }
    let before = load

    var recovered: [RecoveryOutcome.Recovered] = []
    var failed: [RecoveryOutcome.Failed] = []
    var downGuests: [RecoveryOutcome.Down] = []
    var recoveredOn: [String: [String]] = [:]
    /// Memory of the guests recovered onto each survivor so far.
    var recoveredMemory: [String: Int64] = [:]
    var fenced: Set<String> = []

    // Guests of the failed nodes that HA does not bring back: down.
    for node in down.sorted() {
      for e in guestsByNode[node] ?? [] where e.guest.isRunning {
        let g = e.guest
        if let i = e.service {
          let s = services[i]
          if s.state == "disabled" {
            downGuests.append(.init(sid: e.sid, name: g.name, node: node, why: "HA state disabled"))
          }
        } else {
          let why = g.haState == "ignored" ? "HA state ignored" : "not HA-managed"
          downGuests.append(.init(sid: e.sid, name: g.name, node: node, why: why))
        }
      }
    }

    // In sid order: indices into `services` are sid-ordered.
    let toRecover = down.flatMap { servicesByNode[$0] ?? [] }.sorted().map { services[$0] }
      .filter { $0.state != "disabled" }

    let disarm = cluster.haManager.disarm
    if !quorate {
      // No CRM master: nothing is fenced or recovered. A survivor whose LRM has active services
      // loses its lock and its watchdog resets it (LRM.pm `active_service_count`), unless the HA
      // stack is disarmed: then every watchdog is released and nothing resets.
      for s in services
      where s.state == "started" && load[s.guest.node] != nil && disarm?.state != "disarmed" {
        fenced.insert(s.guest.node)
      }
      for s in toRecover where s.state == "started" {
        failed.append(
          .init(
            sid: s.sid, name: s.guest.name, from: s.guest.node, node: nil, reason: .quorum,
            message:
              "the \(survivors.count) surviving node(s) hold \(survivors.count) of \(expected) votes: no quorum, no CRM master to fence and recover"
          ))
      }
      for node in fenced.sorted() {
        for e in guestsByNode[node] ?? [] where e.guest.isRunning {
          let g = e.guest
          if let i = e.service, services[i].state == "started" {
            failed.append(
              .init(
                sid: e.sid, name: g.name, from: node, node: nil, reason: .fenced,
                message:
                  "\(node) fences itself (no quorum, active HA services): the guest goes down"
              ))
          } else {
            downGuests.append(
              .init(sid: e.sid, name: g.name, node: node, why: "node fenced (no quorum)"))
          }
        }
      }
    } else if let disarm {
      // Disarmed (or disarming): `Manager::manage` runs `handle_disarm` instead of the service
      // state machine, so no failed node is fenced and no service is recovered until re-armed.
      for s in toRecover where s.state == "started" {
        failed.append(
          .init(
            sid: s.sid, name: s.guest.name, from: s.guest.node, node: nil, reason: .disarmed,
            message:
              "the HA stack is \(disarm.text): the CRM recovers nothing until ha-manager crm-command arm-ha"
          ))
      }
    } else {
      // Only nodes HA calls online take services (`NodeStatus::list_online_nodes`): not a node in
      // maintenance mode.
      let targets = survivors.filter { !Self.notHATargets.contains($0.haState ?? "online") }
      var usage = NodeUsage(
        scheduler: stack.scheduler,
        nodes: targets.map {
          NodeUsage.Node(name: $0.name, cores: $0.cores, memory: $0.memoryTotal)
        })
      // Where each service is now (recovered ones move), for resource affinity.
      // Services recovered so far → their new node (the others are where the snapshot has them).
      var nodeOf: [String: String] = [:]
      for n in targets {
        if let u = haUsage[n.name] { usage.add(node: n.name, usage: u) }
        if stack.accounting == .haResourcesAndGuests, let u = guestUsage[n.name] {
          usage.add(node: n.name, usage: u)
        }
      }

      for s in toRecover {
        let g = s.guest
        if s.state == "error" {
          failed.append(
            .init(
              sid: s.sid, name: g.name, from: g.node, node: nil, reason: .errorState,
              message: "HA service in state error: the CRM does not recover it"))
          continue
        }
        let choice = select(s, usage: usage, nodeOf: nodeOf)
        guard let target = choice.node else {
          failed.append(
            .init(
              sid: s.sid, name: g.name, from: g.node, node: nil, reason: .noNode,
              message: choice.why))
          continue
        }
        // The CRM counts the service on its new node from now on (started or request_stop).
        nodeOf[s.sid] = target
        usage.add(node: target, vcpus: g.vcpus, memory: g.memory)
        let started = s.state == "started"
        if started,
          let problem = startProblem(g, on: target, taken: recoveredMemory[target, default: 0])
        {
          failed.append(
            .init(
              sid: s.sid, name: g.name, from: g.node, node: target, reason: problem.0,
              message: problem.1))
          continue
        }
        if started {
          let l = load[target] ?? (0, 0)
          load[target] = (l.vcpus + g.vcpus, l.memory + g.memory)
          recoveredOn[target, default: []].append(s.sid)
          recoveredMemory[target, default: 0] += g.memory
        }
        recovered.append(
          .init(
            sid: s.sid, name: g.name, from: g.node, to: target, vcpus: g.vcpus, memory: g.memory,
            started: started, placement: choice.why, candidates: choice.candidates))
      }
    }

    // A degraded cluster is judged against the playbook's failover limits, not everyday ceilings.
    let reserve = policy.capacity.failoverMemoryReserve
    let loads = survivors.map { n in
      let l = load[n.name] ?? (0, 0)
      let b = before[n.name] ?? (0, 0)
      return RecoveryOutcome.SurvivorLoad(
        node: n.name, cores: n.cores, vcpusBefore: b.vcpus, vcpus: l.vcpus,
        vcpuPerCore: Self.round(Double(l.vcpus) / Double(max(n.cores, 1))),
        vcpuCeiling: policy.capacity.failoverVCPUPerCore, memoryTotal: n.memoryTotal,
        memoryBefore: b.memory, memory: l.memory, memoryCeiling: n.memoryTotal - reserve,
        recovered: recoveredOn[n.name] ?? [], fenced: fenced.contains(n.name))
    }
    let vmid = vmidOfSID
    failed.sort { $0.sid.utf8.lexicographicallyPrecedes($1.sid.utf8) }
    downGuests.sort { (vmid[$0.sid] ?? 0, $0.sid) < (vmid[$1.sid] ?? 0, $1.sid) }
    let verdict: RecoveryOutcome.Verdict =
      !quorate
      ? .quorumLost
      : !failed.isEmpty ? .failed : loads.allSatisfy(\.withinCeilings) ? .survivable : .overloaded
    return RecoveryOutcome(
      failedNodes: scenario.failedNodes.sorted(), alreadyOffline: offline,
      scheduler: stack.scheduler,
      accounting: stack.accounting, quorate: quorate, votes: survivors.count,
      expectedVotes: expected, recovered: recovered, failed: failed, down: downGuests,
      survivors: loads, verdict: verdict)
  }

  /// `select_service_node` with `best-score` for a service in recovery.
  private func select(_ s: Service, usage: NodeUsage, nodeOf: [String: String]) -> (
    node: String?, why: String, candidates: [RecoveryOutcome.Candidate]
  ) {
    // Node affinity: allowed nodes and the highest priority class among the online ones.
    var classes: [Int: Set<String>] = [:]
    var source = "any node"
    if let a = stack.nodeAffinity[s.sid] {
      source = a.source
      var members: Set<String> = []
      for np in a.nodes where usage.contains(np.node) {
        classes[np.priority, default: []].insert(np.node)
        members.insert(np.node)
      }
      if !a.strict {
        for n in usage.nodes where !members.contains(n.name) {
          classes[-1, default: []].insert(n.name)
        }
      }
    } else {
      classes[0] = Set(usage.nodes.map(\.name))
    }
    guard let top = classes.keys.max(), var preferred = classes[top] else {
      let listed = stack.nodeAffinity[s.sid]?.nodes.map(\.node).joined(separator: ", ") ?? ""
      return (nil, "\(source) allows only \(listed), none of which survives", [])
    }
    // Resource affinity (PVE 9 rules): partners' nodes.
    var notes: [String] = []
    var together: [String: Int] = [:]
    var separate: Set<String> = []
    for p in stack.together[s.sid] ?? [] {
      if let i = serviceIndex[p], services[i].counts,
        case let n = nodeOf[p] ?? services[i].guest.node, usage.contains(n)
      {
        together[n, default: 0] += 1
      }
    }
    for p in stack.apart[s.sid] ?? [] {
      if let i = serviceIndex[p], services[i].counts,
        case let n = nodeOf[p] ?? services[i].guest.node, usage.contains(n)
      {
        separate.insert(n)
      }
    }
    if !separate.isEmpty {
      preferred.subtract(separate)
      notes.append("apart from \(separate.sorted().joined(separator: ", "))")
    }
    let possible = together.filter { preferred.contains($0.key) }
    if let majority = possible.sorted(by: {
      ($1.value, $0.key) < ($0.value, $1.key)
    }).first?.key {
      preferred = [majority]
      notes.append("with its partners on \(majority)")
    }
    var why = top == -1 ? "\(source): no member survives, any node" : source
    if !notes.isEmpty { why += " (" + notes.joined(separator: "; ") + ")" }
    guard !preferred.isEmpty else {
      return (nil, "\(why): no node left in the highest priority class", [])
    }
    let scores = usage.scores(vcpus: s.guest.vcpus, memory: s.guest.memory)
    var ranked = preferred.map { (node: $0, score: scores[$0] ?? 0) }
    ranked.sort { a, b in
      a.score != b.score ? a.score < b.score : a.node.utf8.lexicographicallyPrecedes(b.node.utf8)
    }
    // The chosen node and the runners-up (at most `shownCandidates`), for the reader.
    let candidates = ranked.prefix(Self.shownCandidates).map {
      RecoveryOutcome.Candidate(
        node: $0.node, score: stack.scheduler == .basic ? $0.score : Self.round(-$0.score, 4))
    }
    return (ranked.first?.node, why, Array(candidates))
  }

  /// How many of the nodes HA chose among an outcome lists (best first).
  static let shownCandidates = 5

  /// Why `guest` cannot start on `node`, or nil. `taken`: memory of guests recovered there before.
  ///
  /// Memory: the node's free memory now (total − used, from its status) less what earlier
  /// recoveries took must hold the guest's configured memory. Configured memory beyond the node's
  /// total is common (ballooning, idle guests) and not a start failure; the ceilings report it.
  /// The locks the CRM removes from a recovered guest after fencing its node (`Manager.pm`
  /// `$fence_recovery_cleanup`); any other lock makes the start fail.
  static let removableLocks: Set<String> = [
    "backup", "mounted", "migrate", "clone", "rollback", "snapshot", "snapshot-delete",
    "suspending", "suspended",
  ]

  private func startProblem(_ guest: Guest, on node: String, taken: Int64)
    -> (RecoveryOutcome.Reason, String)?
  {
    if let lock = guest.lock, !Self.removableLocks.contains(lock) {
      return (
        .locked,
        "locked (\(lock)): the CRM removes only leftover backup, migrate, snapshot and similar locks after fencing, so the start on \(node) fails and HA puts it in state error"
      )
    }
    if let d = guest.disks.first(where: { d in
      guard !d.isUnused, let s = d.storage else { return false }
      return !(storageShared[s] ?? false)
    }) {
      return (
        .localStorage,
        "\(d.key) is on node-local storage \(d.storage ?? "?"): \(node) cannot reach it, the start fails"
      )
    }
    if let dev = guest.localDevices.first {
      return (.localDevice, "\(dev) is a host device of \(guest.node): it cannot start on \(node)")
    }
    guard let n = nodeByName[node] else { return nil }
    if guest.kind == .qemu && guest.vcpus > n.cores {
      return (
        .vcpus,
        "\(guest.vcpus) vCPUs on \(n.cores)-core \(node): qemu-server refuses (MAX \(n.cores) vcpus allowed per VM on this node)"
      )
    }
    let free = n.memoryTotal - max(n.memoryUsed, 0) - taken
    if guest.memory > free {
      return (
        .memory,
        "needs \(ByteSize.binary(guest.memory)), \(node) has \(ByteSize.binary(max(free, 0))) of \(ByteSize.binary(n.memoryTotal)) free"
      )
    }
    return nil
  }

  /// HA node states that take no services (`NodeStatus.pm`: only `online` nodes are listed).
  static let notHATargets: Set<String> = ["maintenance", "fence", "gone", "unknown"]

  static func round(_ x: Double, _ places: Int = 2) -> Double {
    guard x.isFinite else { return 0 }
    var scale = 1.0
    for _ in 0..<places { scale *= 10 }
    return (x * scale).rounded() / scale
  }
}
