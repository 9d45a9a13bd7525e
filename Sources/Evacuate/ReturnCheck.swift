import PVEModel
import Planning
import Playbook

/// The return after maintenance checked again: every migration of an undo plan (`pvemend undo
/// JOURNAL` of an evacuation) against the hard limits of the cluster as it is now (a fresh
/// snapshot), each in the state the moves before it leave. Pure.
package enum ReturnCheck {
  /// The moves that would break a hard limit, in words (empty: every guest fits back).
  package static func violations(of undo: Plan, cluster: Cluster, policy: Policy) -> [String] {
    var moves = GuestMoves(cluster: cluster, policy: policy, emptying: [], maintenance: false)
    var out: [String] = []
    for step in undo.steps where step.commands.contains(where: \.isMigration) {
      guard let arrival = step.effects.first(where: { $0.kind == .guestOnNode }),
        let sid = arrival.sid, let node = arrival.node, let g = moves.guest(sid)
      else { continue }
      if g.node == node { continue }
      switch moves.landing(of: g, on: node) {
      case .success(let landing):
        moves.migrate(g, to: landing, reason: "return", why: "")
      case .failure(let block):
        out.append(
          "\(step.id): \(sid) (\(g.name)) back to \(node): \(block.reason) [\(block.limit)]")
      }
    }
    return out
  }
}
