import Audit
import PVEModel
import Playbook
import Rehearse

/// PVE 8: one HA group per node that planned HA guests will run on, preferring that node, created
/// before the HA resources that use it.
struct HAGroupPhase: PlanPhase {
  func run(_ s: inout PlanState) {
    let planned = s.plannedHAGuests
    let tag = "pvemend (\(s.policy.name))"
    // PVE 8: groups before the resources.
    guard !s.usesRules else { return }
    let steered = s.steeredHAGuests
    do {
      for (node, failover, members) in s.byPlacement(planned + steered) {
        let id = s.placementID(node, failover)
        for g in members { s.haGroupOf[g.sid] = id }
        if (s.sim.cluster.haGroups ?? []).contains(where: { $0.id == id }) { continue }
        let nodes = s.preference(node, failover: failover, members: members)
        var draft = StepDraft(
          phase: .haGroups, kind: .haGroup,
          title:
            "Create HA group \(id) preferring \(node)\(failover.map { ", then \($0)" } ?? "")",
          reasons: Array(Set(members.flatMap { s.placementReasons($0) })).sorted())
        draft.commands = [
          RemoteCommand(
            node: s.entryNode,
            argv: [
              "ha-manager", "groupadd", id, "--nodes", nodes.map(\.text).joined(separator: ","),
              "--restricted", "0", "--nofailback", "0", "--comment",
              "\(tag): HA guests that prefer \(node)\(failover.map { ", then \($0)" } ?? "")",
            ], mutating: true)
        ]
        draft.inverse = [
          RemoteCommand(node: s.entryNode, argv: ["ha-manager", "groupremove", id], mutating: true)
        ]
        draft.preconditions = [Condition(.haGroupAbsent, id: id)]
        draft.effects = [Condition(.haGroupPresent, id: id)]
        draft.detail =
          failover.map {
            "Unrestricted, with failback: its guests prefer \(node); if \(node) fails HA recovers them on \($0), chosen so that every survivor stays within the playbook's failover limits, then on the other nodes listed"
          }
          ?? "Unrestricted, with failback: its guests prefer \(node) and fail over to the other nodes listed (those with enough cores)"
        s.sim.putHAGroup(HAGroup(id: id, nodes: nodes, restricted: false, nofailback: false))
        s.haGroupStep[id] = s.add(draft)
      }
    }
    // Guests HA already manages, without a group, that a node's failure needs steered: into the
    // group of their node and failover node.
    for g in steered {
      guard let id = s.haGroupOf[g.sid], let r = s.sim.haResource(g.sid) else { continue }
      let failover = s.failoverNode[g.sid] ?? "?"
      var draft = StepDraft(
        phase: .haGroups, kind: .haGroup,
        title: "Put \(s.label(g)) in HA group \(id) (if \(g.node) fails: \(failover))",
        reasons: s.placementReasons(g))
      if let step = s.haGroupStep[id] { draft.dependencies = [step] }
      draft.commands = [
        RemoteCommand(
          node: s.entryNode, argv: ["ha-manager", "set", g.sid, "--group", id], mutating: true)
      ]
      draft.inverse = [
        RemoteCommand(
          node: s.entryNode, argv: ["ha-manager", "set", g.sid, "--delete", "group"],
          mutating: true)
      ]
      draft.preconditions = [
        Condition(.haGroupPresent, id: id), Condition(.haManaged, sid: g.sid),
      ].sorted()
      draft.effects = [Condition(.haInGroup, sid: g.sid, id: id)]
      draft.detail =
        "\(g.sid) is HA-managed without a group, so the scheduler alone picks its node when \(g.node) fails; in this group it goes to \(failover), chosen so that every survivor stays within the playbook's failover limits (unrestricted, with failback: it stays on \(g.node) while \(g.node) runs)"
      var placed = r
      placed.group = id
      s.sim.addHAResource(placed)
      s.add(draft)
    }
  }
}

/// Adds the planned HA resources where their guests will run (in their PVE 8 group), kept
/// stopped when the guest is stopped and the playbook does not start stopped guests.
struct HAResourcePhase: PlanPhase {
  func run(_ s: inout PlanState) {
    let planned = s.plannedHAGuests
    let tag = "pvemend (\(s.policy.name))"
    // The HA resources.
    let distribution = Dictionary(
      s.findings.filter { $0.rule == "ha.distribution" && s.policy.action(for: $0.rule) != .ignore }
        .map { ($0.subject.id, $0.id) },
      uniquingKeysWith: { a, _ in a })
    for g in planned {
      let running = g.isRunning
      let state = running || s.policy.ha.startStopped ? s.policy.ha.state : "stopped"
      var argv = [
        "ha-manager", "add", g.sid, "--state", state, "--max_restart",
        String(s.policy.ha.maxRestart), "--max_relocate", String(s.policy.ha.maxRelocate),
      ]
      let group = s.haGroupOf[g.sid]
      if let group { argv += ["--group", group] }
      let purpose =
        s.policy.criticality(of: g).map { $0.purpose ?? $0.level.rawValue } ?? "critical"
      argv += ["--comment", "\(tag): \(String(purpose.prefix(200)))"]
      let reasons = s.haPlanned[g.sid] ?? []
      let node = (s.sim.load(g.node)?.online ?? false) ? g.node : s.entryNode
      var draft = StepDraft(
        phase: .haResources, kind: .haAdd,
        title:
          "Enable HA for \(s.label(g)) on \(g.node)\(state == "stopped" ? " (kept stopped)" : "")",
        reasons: reasons.sorted())
      var deps = Set<Int>()
      if let last = s.lastStepOfGuest[g.sid] { deps.insert(last) }
      if let group, let step = s.haGroupStep[group] { deps.insert(step) }
      draft.dependencies = deps
      draft.commands = [RemoteCommand(node: node, argv: argv, mutating: true)]
      draft.inverse = [
        RemoteCommand(node: node, argv: ["ha-manager", "remove", g.sid], mutating: true)
      ]
      var pre = [
        Condition(.haNotManaged, sid: g.sid), Condition(.guestOnNode, sid: g.sid, node: g.node),
      ]
      var effects = [Condition(.haManaged, sid: g.sid, state: state)]
      if let group {
        pre.append(Condition(.haGroupPresent, id: group))
        effects.append(Condition(.haInGroup, sid: g.sid, id: group))
      }
      draft.preconditions = pre.sorted()
      draft.effects = effects.sorted()
      draft.detail =
        state == "stopped"
        ? "\(g.sid) is stopped; HA keeps it stopped (state stopped) but recovers it to another node if \(g.node) fails"
        : "HA restarts \(g.sid) up to \(s.policy.ha.maxRestart) times and relocates it up to \(s.policy.ha.maxRelocate) times"
      draft.figures = s.sim.figures(g.node).map { [$0] } ?? []
      s.sim.addHAResource(
        HAResource(
          sid: g.sid, kind: g.kind, vmid: g.vmid, state: state, maxRestart: s.policy.ha.maxRestart,
          maxRelocate: s.policy.ha.maxRelocate, group: group, failback: nil,
          comment: "\(tag): \(String(purpose.prefix(200)))"))
      draft.figuresAfter = s.sim.figures(g.node).map { [$0] }
      let i = s.add(draft)
      s.haAddStep[g.sid] = i
      s.lastStepOfGuest[g.sid] = i
      if s.haArrival[g.node] == nil { s.haArrival[g.node] = i }
    }

    // A node without HA guests gets its first one from these steps: they answer ha.distribution.
    for (node, id) in distribution.sorted(by: { $0.key < $1.key }) where !s.isUnresolved(id) {
      guard let step = s.haArrival[node], !s.drafts[step].reasons.contains(id) else { continue }
      s.drafts[step].reasons = (s.drafts[step].reasons + [id]).sorted()
    }

  }
}

/// PVE 9: one node-affinity rule per preferred node (after the resources it names) and a negative
/// resource-affinity rule for each keep-apart set once all its members are HA-managed. Sorts the
/// simulated HA resources once the HA phases are done.
struct HARulePhase: PlanPhase {
  func run(_ s: inout PlanState) {
    defer { s.sim.sortHAResources() }
    guard s.usesRules else { return }
    let planned = s.plannedHAGuests
    let tag = "pvemend (\(s.policy.name))"
    let nodeCount = s.sim.cluster.nodes.count
    // Keep-apart sets that get a negative resource-affinity rule (PVE 9).
    var apartSets: [ResolvedKeepApart] = []
    do {
      for set in s.sim.keepApart {
        let reason = "keep-apart/\(set.name)"
        guard set.sids.allSatisfy({ s.sim.isHAManaged($0) || s.haPlanned[$0] != nil }),
          !s.hasNegativeRule(set.sids)
        else { continue }
        if set.sids.count > nodeCount {
          s.markUnresolved(
            reason,
            "a negative resource-affinity rule may not name more guests (\(set.sids.count)) than the cluster has nodes (\(nodeCount))",
            limit: "nodes")
          continue
        }
        if let conflict = (s.sim.cluster.haRules ?? []).first(where: { rule in
          !rule.disabled && rule.type == "node-affinity"
            && Set(rule.nodes.map(\.priority)).count > 1
            && rule.resources.contains(where: set.sids.contains)
        }) {
          s.markUnresolved(
            reason,
            "HA rule \(conflict.id) gives \(conflict.resources.filter(set.sids.contains).joined(separator: ", ")) more than one node priority; Proxmox ignores a resource-affinity rule combined with it (give that rule a single priority class)",
            limit: "ha-placement")
          continue
        }
        apartSets.append(set)
      }
    }
    let inApartRule = Set(apartSets.flatMap(\.sids))

    // PVE 9: one node-affinity rule per preferred node, after the resources it names.
    for (node, failover, members) in s.byPlacement(
      (planned + s.steeredHAGuests).filter { !inApartRule.contains($0.sid) })
    {
      let id = s.placementID(node, failover)
      let sids = members.map(\.sid).sorted()
      let nodes = s.preference(node, failover: failover, members: members)
      let spec = nodes.map(\.text).joined(separator: ",")
      let then = failover.map { ", then \($0)," } ?? ""
      var draft = StepDraft(
        phase: .haRules, kind: .haRule,
        title:
          "Prefer \(node)\(then) for \(sids.joined(separator: ", ")) (HA node-affinity rule \(id))",
        reasons: Array(Set(members.flatMap { s.placementReasons($0) })).sorted())
      draft.dependencies = Set(members.compactMap { s.haAddStep[$0.sid] })
      if let existing = s.sim.cluster.haRules?.first(where: { $0.id == id }) {
        // Extend the rule rather than add a second one: a resource may be in one node-affinity rule.
        let union = Array(Set(existing.resources + sids)).sorted()
        draft.title = "Add \(sids.joined(separator: ", ")) to HA node-affinity rule \(id)"
        draft.commands = [
          RemoteCommand(
            node: s.entryNode,
            argv: [
              "ha-manager", "rules", "set", "node-affinity", id, "--resources",
              union.joined(separator: ","),
            ],
            mutating: true)
        ]
        draft.inverse = [
          RemoteCommand(
            node: s.entryNode,
            argv: [
              "ha-manager", "rules", "set", "node-affinity", id, "--resources",
              existing.resources.joined(separator: ","),
            ], mutating: true)
        ]
        draft.preconditions = [Condition(.haRulePresent, id: id, sids: existing.resources)]
        draft.effects = [Condition(.haRulePresent, id: id, sids: union)]
        var rule = existing
        rule.resources = union
        s.sim.putHARule(rule)
      } else {
        draft.commands = [
          RemoteCommand(
            node: s.entryNode,
            argv: [
              "ha-manager", "rules", "add", "node-affinity", id, "--resources",
              sids.joined(separator: ","), "--nodes", spec, "--strict", "0", "--comment",
              "\(tag): prefer \(node)\(failover.map { ", then \($0)" } ?? "")",
            ], mutating: true)
        ]
        draft.inverse = [
          RemoteCommand(
            node: s.entryNode, argv: ["ha-manager", "rules", "remove", id], mutating: true)
        ]
        draft.preconditions = [Condition(.haRuleAbsent, id: id)]
        draft.effects = [Condition(.haRulePresent, id: id, sids: sids)]
        s.sim.putHARule(
          HARule(
            id: id, type: "node-affinity", resources: sids, nodes: nodes, strict: false,
            affinity: nil, disabled: false))
      }
      draft.detail =
        failover.map {
          "Not strict: \(node) first, then \($0) (chosen so that every survivor stays within the playbook's failover limits if \(node) fails), then the other nodes with enough cores; failback brings them home after a failover"
        }
        ?? "Not strict: \(node) first, then the other nodes with enough cores; failback brings them home after a failover"
      s.add(draft)
    }

    // PVE 9: keep-apart sets as negative resource-affinity rules.
    for set in apartSets {
      let id = PlanState.configID("\(s.policy.ha.idPrefix)keep-apart-\(set.name)")
      let reason = "keep-apart/\(set.name)"
      if s.sim.cluster.haRules?.contains(where: { $0.id == id }) ?? false {
        s.markUnresolved(
          reason,
          "an HA rule \(id) already exists with other resources; remove it or rename the keep-apart set",
          limit: "ha-placement")
        continue
      }
      var draft = StepDraft(
        phase: .haRules, kind: .haRule,
        title: "Keep \(set.sids.joined(separator: ", ")) on different nodes (HA rule \(id))",
        reasons: ([reason] + set.sids.flatMap { s.haPlanned[$0] ?? [] }).sorted())
      draft.dependencies = Set(set.sids.compactMap { s.lastStepOfGuest[$0] })
      draft.commands = [
        RemoteCommand(
          node: s.entryNode,
          argv: [
            "ha-manager", "rules", "add", "resource-affinity", id, "--resources",
            set.sids.joined(separator: ","), "--affinity", "negative", "--comment",
            "\(tag): keep-apart set \(set.name)",
          ], mutating: true)
      ]
      draft.inverse = [
        RemoteCommand(
          node: s.entryNode, argv: ["ha-manager", "rules", "remove", id], mutating: true)
      ]
      draft.preconditions =
        ([Condition(.haRuleAbsent, id: id)]
        + set.sids.compactMap { sid in
          s.sim.guest(sid).map { Condition(.guestOnNode, sid: sid, node: $0.node) }
        }).sorted()
      draft.effects = [Condition(.haRulePresent, id: id, sids: set.sids)]
      draft.detail =
        "Strict: the CRM never runs them on the same node, also after a failover"
      s.sim.putHARule(
        HARule(
          id: id, type: "resource-affinity", resources: set.sids, nodes: [], strict: true,
          affinity: "negative", disabled: false))
      s.add(draft)
    }
  }
}

extension PlanState {
  /// Why a guest gets a group or rule: the findings that make it HA (planned), else the failover
  /// capacity of its node (an already-managed guest the failover placement steers).
  fileprivate func placementReasons(_ g: Guest) -> [String] {
    if let reasons = haPlanned[g.sid] { return reasons }
    return [findingID("ha.failover-capacity", g.node) ?? "ha.failover-capacity/\(g.node)"]
  }

  /// Whether an enabled negative resource-affinity rule already covers all of `sids`.
  fileprivate func hasNegativeRule(_ sids: [String]) -> Bool {
    (sim.cluster.haRules ?? []).contains { rule in
      !rule.disabled && rule.type == "resource-affinity" && rule.affinity == "negative"
        && Set(sids).isSubset(of: rule.resources)
    }
  }

  /// Planned guests by the node they will run on, nodes sorted.
  fileprivate func byNode(_ guests: [Guest]) -> [(String, [Guest])] {
    var out: [String: [Guest]] = [:]
    for g in guests {
      guard let current = sim.guest(g.sid) else { continue }
      out[current.node, default: []].append(current)
    }
    return out.keys.sorted().map { ($0, out[$0] ?? []) }
  }

  /// Planned guests by the node they will run on and their failover node (`FailoverPhase`),
  /// sorted by node, then failover node (none first).
  fileprivate func byPlacement(_ guests: [Guest]) -> [(String, String?, [Guest])] {
    var out: [String: [String: [Guest]]] = [:]
    for (node, members) in byNode(guests) {
      for g in members { out[node, default: [:]][failoverNode[g.sid] ?? "", default: []].append(g) }
    }
    return out.keys.sorted().flatMap { node in
      (out[node] ?? [:]).keys.sorted().map { f in
        (node, f.isEmpty ? nil : f, out[node]?[f] ?? [])
      }
    }
  }

  /// `<prefix>prefer-<node>`, or `<prefix>prefer-<node>-then-<failover>`.
  fileprivate func placementID(_ node: String, _ failover: String?) -> String {
    PlanState.configID(
      "\(policy.ha.idPrefix)prefer-\(node)\(failover.map { "-then-\($0)" } ?? "")")
  }

  /// `node:2` first, then every other node with enough cores for all `members` at `:1`; with a
  /// failover node, `node:3`, `failover:2`, the others at 1.
  fileprivate func preference(_ node: String, failover: String?, members: [Guest])
    -> [NodePriority]
  {
    failoverOrder(home: node, failover: failover, need: members.map(\.vcpus).max() ?? 1)
  }
}
