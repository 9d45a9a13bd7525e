import PVEModel
import Planning

/// Decides which steps may start now. Pure: the executor feeds it starts and ends.
///
/// Rules: a step starts only after every step in its `after` list succeeded (or needed nothing); a step
/// whose dependency failed, was declined or blocked is itself blocked and never runs; at most
/// `parallel` steps run at once; a node never has two mutating steps at once (a migration locks its
/// source and its target). Among startable steps, plan order wins.
package struct StepScheduler: Sendable {
  /// How a finished step counts for its dependents.
  package enum Result: Sendable, Hashable {
    /// Succeeded, satisfied or done: dependents may go.
    case usable
    /// Failed, stale, declined, interrupted: dependents are blocked.
    case unusable
  }

  let steps: [Step]
  let parallel: Int
  /// Steps still to start, in plan order.
  package private(set) var pending: [String]
  package private(set) var running: Set<String> = []
  package private(set) var finished: [String: Result] = [:]
  /// Steps that will never run because a dependency did not succeed, with that dependency.
  package private(set) var blocked: [String: String] = [:]
  private var busyNodes: [String: String] = [:]
  private let byID: [String: Step]
  private let nodesByID: [String: Set<String>]

  /// `toRun`: steps to execute, in plan order; every other step of the plan (satisfied, done or
  /// advice) passes its dependencies' results on, unless listed in `unusable`.
  package init(plan steps: [Step], toRun: [String], unusable: Set<String> = [], parallel: Int) {
    self.steps = steps
    self.parallel = max(1, parallel)
    let run = Set(toRun)
    self.pending = steps.map(\.id).filter { run.contains($0) }
    self.byID = Dictionary(steps.map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
    self.nodesByID = Dictionary(
      steps.map { ($0.id, Self.nodes(of: $0)) }, uniquingKeysWith: { a, _ in a })
    var passthrough = Set<String>()
    for step in steps where !run.contains(step.id) {
      if unusable.contains(step.id) {
        finished[step.id] = .unusable
      } else {
        passthrough.insert(step.id)
      }
    }
    self.passthrough = passthrough
    resolvePassthrough()
  }

  /// Steps that do not run (satisfied, done, advice): usable for their dependents only once their own
  /// dependencies are, so a chain `a → b → c` with `b` satisfied still runs `c` after `a`.
  private let passthrough: Set<String>

  private mutating func resolvePassthrough() {
    for step in steps where passthrough.contains(step.id) && finished[step.id] == nil {
      if step.after.contains(where: { finished[$0] == .unusable || blocked[$0] != nil }) {
        finished[step.id] = .unusable
      } else if step.after.allSatisfy({ finished[$0] == .usable }) {
        finished[step.id] = .usable
      }
    }
  }

  /// The nodes a step occupies while it runs: its commands' nodes, the node it waits for, and the
  /// nodes its guest-on-node conditions name (source and target of a move). Empty when it mutates
  /// nothing.
  package static func nodes(of step: Step) -> Set<String> {
    // A guest agent wait pings the node's guest: it holds the node like a command would.
    guard step.commands.contains(where: \.mutating) || step.wait?.kind == Wait.agentPing else {
      return []
    }
    var nodes = Set(step.commands.map(\.node))
    if let wait = step.wait { nodes.insert(wait.node) }
    for c in step.preconditions + step.effects where c.kind == .guestOnNode {
      if let node = c.node { nodes.insert(node) }
    }
    return nodes
  }

  /// Steps that may start now, in plan order; marks them running. Moves steps with a failed
  /// dependency to `blocked`.
  package mutating func startable() -> [String] {
    resolvePassthrough()
    var started: [String] = []
    var index = 0
    while index < pending.count {
      let id = pending[index]
      guard let step = byID[id] else {
        pending.remove(at: index)
        continue
      }
      if let bad = step.after.first(where: { finished[$0] == .unusable || blocked[$0] != nil }) {
        blocked[id] = bad
        finished[id] = .unusable
        pending.remove(at: index)
        index = 0  // a newly blocked step may block earlier-listed dependents
        continue
      }
      let ready = step.after.allSatisfy { finished[$0] == .usable }
      let nodes = nodesByID[id] ?? []
      let free = nodes.allSatisfy { busyNodes[$0] == nil }
      if ready && free && running.count < parallel {
        running.insert(id)
        for node in nodes { busyNodes[node] = id }
        started.append(id)
        pending.remove(at: index)
        continue
      }
      index += 1
    }
    return started
  }

  /// Records that a running step ended.
  package mutating func finish(_ id: String, _ result: Result) {
    running.remove(id)
    finished[id] = result
    for (node, holder) in busyNodes where holder == id { busyNodes[node] = nil }
  }

  /// Records that a step will not start (the run stops, or the user declined it).
  package mutating func drop(_ id: String, _ result: Result = .unusable) {
    pending.removeAll { $0 == id }
    finished[id] = result
  }

  func blockedStep(_ id: String) -> Bool { blocked[id] != nil }

  mutating func markBlocked(_ id: String, by dependency: String) { blocked[id] = dependency }

  /// The node → step map of mutating steps running now (for tests and progress).
  package var occupiedNodes: [String: String] { busyNodes }

  /// Whether nothing is running and nothing more can start.
  package var isIdle: Bool { running.isEmpty }
}
