import PVEModel
import Playbook

/// The planner's migration drafting for callers outside Planning (`pvemend evacuate`): the same
/// simulation, hard limits, commands, conditions, downtime and undo commands the planner's phases
/// produce for `qm migrate`, `pct migrate --restart 1` and `ha-manager migrate|relocate`.
///
/// The caller picks which guest moves where; every move is checked against the cluster as it will
/// be when the step runs, then applied to it. Pure.
package struct GuestMoves: Sendable {
  private var state: PlanState

  /// Moves on `cluster` under `policy`'s hard limits. `emptying` nodes never take a guest and, when
  /// `maintenance` is set (HA maintenance mode keeps the CRM from moving guests back), do not count
  /// as a preferred node of an HA group or rule. The node-share limit is off (a node being emptied
  /// pushes the others past their share for the window).
  package init(cluster: Cluster, policy: Policy, emptying: Set<String>, maintenance: Bool) {
    state = PlanState(cluster: cluster, findings: [], policy: policy, outageDiscount: .none)
    state.sim.enforceShare = false
    state.sim.evacuated = emptying
    preferenceIgnored = maintenance ? emptying : []
    self.emptying = emptying
  }

  private let emptying: Set<String>
  private let preferenceIgnored: Set<String>

  /// The cluster as it will be after the moves so far.
  package var cluster: Cluster { state.sim.cluster }

  /// The guest as it is now (after the moves so far).
  package func guest(_ sid: String) -> Guest? { state.sim.guest(sid) }

  /// The guests on `node` now, templates left out, by VMID.
  package func guests(on node: String) -> [Guest] { state.sim.guests(on: node) }

  /// Whether HA manages `sid` (not `ignored`).
  package func isHAManaged(_ sid: String) -> Bool { state.sim.isHAManaged(sid) }

  /// Why `g` cannot move at all, whatever the target: the limit word and the reason.
  package func movability(of g: Guest) -> (limit: String, reason: String)? {
    state.sim.movability(of: g).map { ($0.limit, $0.text) }
  }

  /// The best landing for `g` on another node (least loaded after the move among those that keep
  /// every hard limit), or the limit and the words of the closest miss.
  package func bestLanding(of g: Guest) -> Result<GuestLanding, GuestMoveBlock> {
    switch state.sim.bestLanding(of: g) {
    case .success(let l):
      if let b = returnBlocker(g, on: l.node) { return .failure(b) }
      return .success(
        GuestLanding(node: l.node, targetStorage: l.targetStorage, localBytes: l.localBytes))
    case .failure(let b): return .failure(GuestMoveBlock(limit: b.limit, reason: b.text))
    }
  }

  /// Every landing for `g` that keeps every hard limit now, with the target's fill ratio after the
  /// move (its highest of vCPUs, memory and guests against their limits), by node name.
  package func landings(of g: Guest) -> [(fill: Double, landing: GuestLanding)] {
    state.sim.landings(of: g).compactMap { entry -> (fill: Double, landing: GuestLanding)? in
      let l = entry.landing
      if returnBlocker(g, on: l.node) != nil { return nil }
      return (
        entry.fill,
        GuestLanding(node: l.node, targetStorage: l.targetStorage, localBytes: l.localBytes)
      )
    }
  }

  /// The room each node that may take guests has left now: memory bytes under its budget and
  /// vCPUs under its ceiling (both hard limits), never negative.
  package func rooms() -> [(memory: Int64, vcpus: Double)] { state.sim.rooms() }

  /// Without maintenance mode, an HA guest whose group or rule prefers the emptied node would be
  /// moved back by the CRM once the move is done: that landing is refused.
  private func returnBlocker(_ g: Guest, on node: String) -> GuestMoveBlock? {
    guard !emptying.isEmpty, preferenceIgnored.isEmpty, isHAManaged(g.sid) else { return nil }
    var probe = state.sim
    probe.evacuated = []
    return probe.haPlacementBlocker(g, on: node).map {
      GuestMoveBlock(limit: $0.limit, reason: $0.text + " once the move is done")
    }
  }

  /// Whether `g` may land on `node` now (every hard limit), and how.
  package func landing(of g: Guest, on node: String) -> Result<GuestLanding, GuestMoveBlock> {
    switch state.sim.landing(of: g, on: node) {
    case .success(let l):
      return .success(
        GuestLanding(node: l.node, targetStorage: l.targetStorage, localBytes: l.localBytes))
    case .failure(let b): return .failure(GuestMoveBlock(limit: b.limit, reason: b.text))
    }
  }

  /// Drafts the migration of `g` to `landing` (the planner's commands, conditions, downtime and
  /// inverse) and applies it to the cluster.
  package mutating func migrate(_ g: Guest, to landing: GuestLanding, reason: String, why: String) {
    state.addMigration(
      g,
      Landing(
        node: landing.node, targetStorage: landing.targetStorage, localBytes: landing.localBytes),
      phase: .rebalance, reasons: [reason], why: why)
  }

  /// Adds a step after every step drafted so far (HA maintenance mode once the node is empty).
  package mutating func addFinalStep(
    kind: StepKind, title: String, reason: String, commands: [RemoteCommand],
    inverse: [RemoteCommand], preconditions: [Condition], detail: String?
  ) {
    var d = StepDraft(
      phase: .advice, kind: kind, title: title, reasons: [reason],
      dependencies: Set(state.drafts.indices))
    d.commands = commands
    d.inverse = inverse
    d.preconditions = preconditions.sorted()
    d.detail = detail
    state.add(d)
  }

  /// The ordered steps (`s01…`).
  package func steps() -> [Step] { StepDraft.steps(from: state.drafts) }

  /// A node's figures as the plan document shows them, now.
  package func figures(_ node: String) -> NodeFigures? { state.sim.figures(node) }

  /// The summary of `steps` with `unresolved` entries.
  package func summary(steps: [Step], unresolved: Int) -> Summary {
    var s = state.summary(steps: steps)
    s.unresolved = unresolved
    return s
  }
}

/// Where a guest lands: the node, `--targetstorage` when its local volumes change pool, the bytes
/// copied.
package struct GuestLanding: Sendable, Hashable {
  package var node: String
  package var targetStorage: String?
  package var localBytes: Int64
}

/// Why a guest cannot move or land: the limit word (`memory`, `ha-placement`, …) and the words.
package struct GuestMoveBlock: Error, Sendable, Hashable {
  package var limit: String
  package var reason: String
}
