import Evacuate
import Foundation
import PVEMendTestSupport
import PVEModel
import Planning
import Playbook
import Synth
import Testing

/// An evacuation plan keeps every hard limit after every step (checked here independently of the
/// planner's simulation: claims, vCPUs against cores, the vCPU ceiling, memory within reserve,
/// node-local storage within reserve, keep-apart sets, restricted HA groups and strict rules), and
/// leaves the node without guests except the ones it lists; each move's undo command moves the
/// guest back to the node.
@Suite struct EvacuationPropertyTests {
  @Test(arguments: EvacuationInputs.cases) func examples(_ c: EvacuationInputs.Case) throws {
    for maintenance in [false, true] {
      let (plan, cluster, policy) = try EvacuationInputs.plan(c, maintenance: maintenance)
      Self.check(plan, cluster: cluster, policy: policy, node: c.node)
    }
  }

  @Test(arguments: [UInt64(1), 2, 3, 4, 5, 6]) func synthetic(_ seed: UInt64) throws {
    let snapshot = Synth.snapshot(
      nodes: 5, guests: 90, seed: seed, pveMajor: seed % 2 == 0 ? 8 : 9)
    let cluster = try Cluster(snapshot: snapshot, file: "synth")
    for node in cluster.nodes.map(\.name) {
      let plan = try NodeEvacuation.plan(
        snapshot: snapshot, cluster: cluster, policy: .builtinDefault, node: node,
        maintenance: seed % 3 == 0, playbookPath: "-", playbookText: "")
      Self.check(plan, cluster: cluster, policy: .builtinDefault, node: node)
    }
  }

  @Test func rollingPlansEachNodeFromTheOriginalLayout() throws {
    let c = EvacuationInputs.cases[0]
    let snapshot = try EvacuationInputs.snapshot(c.example)
    let cluster = try Cluster(snapshot: snapshot, file: "x")
    let nodes = cluster.nodes.map(\.name)
    let rolling = try RollingEvacuation(
      snapshot: snapshot, cluster: cluster, policy: .builtinDefault, nodes: nodes,
      maintenance: false, playbookPath: "-", playbookText: "")
    #expect(rolling.turns.map(\.node) == nodes)
    for turn in rolling.turns {
      let alone = try NodeEvacuation.plan(
        snapshot: snapshot, cluster: cluster, policy: .builtinDefault, node: turn.node,
        maintenance: false, playbookPath: "-", playbookText: "")
      #expect(turn.plan == alone)
      #expect(turn.emptied == NodeEvacuation.emptied(alone))
    }
    #expect(rolling.text().contains("Rolling evacuation: \(nodes.count) node(s)"))
  }

  /// Plays the plan's migrations on the snapshot's cluster and checks every hard limit after each.
  static func check(
    _ plan: Plan, cluster: Cluster, policy: Policy, node: String,
    sourceLocation: SourceLocation = #_sourceLocation
  ) {
    var nodeOf: [String: String] = [:]
    for g in cluster.guests { nodeOf[g.sid] = g.node }
    var vcpus: [String: Int] = [:]
    var memory: [String: Int64] = [:]
    for g in cluster.guests where g.claimsCapacity {
      vcpus[g.node, default: 0] += g.vcpus
      memory[g.node, default: 0] += g.memory
    }
    var available: [String: Int64] = [:]
    var reserve: [String: Int64] = [:]
    var shared = Set<String>()
    for s in cluster.storages {
      if s.shared { shared.insert(s.id) }
      for ns in s.perNode where !s.shared {
        available["\(s.id)@\(ns.node)"] = ns.available
        reserve["\(s.id)@\(ns.node)"] = Int64(
          (Double(ns.total) * policy.capacity.localStorageReserve).rounded(.up))
      }
    }
    let nodes = Dictionary(cluster.nodes.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
    var seen = Set<String>()
    for step in plan.steps {
      for dep in step.after { #expect(seen.contains(dep), sourceLocation: sourceLocation) }
      seen.insert(step.id)
      guard step.kind == .migrate else {
        if step.kind == .nodeMaintenance {
          #expect(step.id == plan.steps.last?.id, sourceLocation: sourceLocation)
          #expect(
            step.inverse.map(\.argv) == [
              ["ha-manager", "crm-command", "node-maintenance", "disable", node]
            ], sourceLocation: sourceLocation)
        }
        continue
      }
      guard let effect = step.effects.first(where: { $0.kind == .guestOnNode }),
        let sid = effect.sid, let target = effect.node, let g = cluster.guest(sid: sid),
        let t = nodes[target]
      else {
        Issue.record("\(step.id): no guest-on-node effect", sourceLocation: sourceLocation)
        continue
      }
      #expect(
        nodeOf[sid] == node, "\(step.id) moves \(sid) from elsewhere",
        sourceLocation: sourceLocation)
      #expect(target != node && t.online, sourceLocation: sourceLocation)
      #expect(t.haState != "maintenance", sourceLocation: sourceLocation)
      #expect(
        step.inverse.contains { $0.isMigration && $0.argv.contains(node) },
        "\(step.id): its undo does not bring \(sid) back to \(node)", sourceLocation: sourceLocation
      )
      nodeOf[sid] = target
      if g.claimsCapacity {
        vcpus[node, default: 0] -= g.vcpus
        memory[node, default: 0] -= g.memory
        vcpus[target, default: 0] += g.vcpus
        memory[target, default: 0] += g.memory
        #expect(
          memory[target, default: 0] <= t.memoryTotal - policy.capacity.memoryReserve,
          "\(step.id): \(target) memory over budget", sourceLocation: sourceLocation)
        #expect(
          Double(vcpus[target, default: 0]) <= policy.capacity.vcpuPerCore * Double(t.cores) + 1e-9,
          "\(step.id): \(target) over the vCPU ceiling", sourceLocation: sourceLocation)
      }
      #expect(g.vcpus <= t.cores, sourceLocation: sourceLocation)
      let argv = step.commands.first(where: \.isMigration)?.argv ?? []
      let mapped = argv.firstIndex { $0 == "--targetstorage" || $0 == "--target-storage" }
        .flatMap { $0 + 1 < argv.count ? argv[$0 + 1] : nil }
      for d in g.disks {
        guard let s = d.storage, !shared.contains(s) else { continue }
        available["\(s)@\(node)", default: 0] += d.size
        let key = "\(mapped ?? s)@\(target)"
        available[key, default: 0] -= d.size
        #expect(
          available[key, default: 0] >= reserve[key, default: 0],
          "\(step.id): \(key) below its reserve", sourceLocation: sourceLocation)
      }
      for set in policy.keepApart where set.guests.contains(where: { $0.matches(g) }) {
        let partners = cluster.guests.filter { o in
          o.sid != sid && !o.template && nodeOf[o.sid] == target
            && set.guests.contains { $0.matches(o) }
        }
        #expect(
          partners.isEmpty, "\(step.id): keep-apart '\(set.name)' broken on \(target)",
          sourceLocation: sourceLocation)
      }
      if let group = cluster.haResource(sid)?.group,
        let def = cluster.haGroups?.first(where: { $0.id == group }), def.restricted
      {
        #expect(def.nodes.map(\.node).contains(target), sourceLocation: sourceLocation)
      }
      for rule in cluster.haRules ?? []
      where !rule.disabled && rule.type == "node-affinity" && rule.strict
        && rule.resources.contains(sid)
      {
        #expect(rule.nodes.map(\.node).contains(target), sourceLocation: sourceLocation)
      }
    }
    let left = Set(nodeOf.filter { $0.value == node }.keys)
    #expect(
      left == Set(plan.evacuation?.staying ?? []),
      "left on \(node): \(left.sorted()), listed: \(plan.evacuation?.staying ?? [])",
      sourceLocation: sourceLocation)
    #expect(Set(plan.unresolved.map(\.finding)) == left, sourceLocation: sourceLocation)
    #expect(plan.summary.migrations == plan.steps.filter { $0.kind == .migrate }.count)
  }
}
