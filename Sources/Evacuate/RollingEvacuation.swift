import PVEModel
import Planning
import Playbook

/// Several nodes emptied in turn (`pvemend evacuate --nodes A,B,C`): each from the original
/// layout, the node before it having returned (`pvemend undo` of its run). Pure.
package struct RollingEvacuation: Sendable {
  /// One node's turn.
  package struct Turn: Sendable {
    package var node: String
    package var plan: Plan
    /// Migrations in its plan.
    package var moves: Int
    /// Estimated outage seconds (container restarts, relocations).
    package var outageSeconds: Int
    /// Guests that stay (templates included), with the reasons in `plan.unresolved`.
    package var staying: [String]
    /// Whether only templates stay.
    package var emptied: Bool
  }

  package var turns: [Turn]

  /// Plans each node of `nodes` in order; throws for a node not in the snapshot.
  package init(
    snapshot: Snapshot, cluster: Cluster, policy: Policy, nodes: [String], maintenance: Bool,
    playbookPath: String, playbookText: String
  ) throws(EvacuationError) {
    var turns: [Turn] = []
    for node in nodes {
      let plan = try NodeEvacuation.plan(
        snapshot: snapshot, cluster: cluster, policy: policy, node: node,
        maintenance: maintenance, playbookPath: playbookPath, playbookText: playbookText)
      turns.append(
        Turn(
          node: node, plan: plan, moves: plan.summary.migrations,
          outageSeconds: plan.summary.outageSeconds ?? 0,
          staying: plan.evacuation?.staying ?? [], emptied: NodeEvacuation.emptied(plan)))
    }
    self.turns = turns
  }

  /// Whether every node can be emptied in turn.
  package var allEmptied: Bool { turns.allSatisfy(\.emptied) }

  /// The report as terminal text: one line per node, then the guests that stay and why.
  package func text() -> String {
    var out = ["Rolling evacuation: \(turns.count) node(s), each emptied in turn and returned"]
    let width = max(4, turns.map(\.node.count).max() ?? 4)
    func pad(_ s: String) -> String { s + String(repeating: " ", count: max(0, width - s.count)) }
    out.append("")
    out.append("  \(pad("node"))  moves  outage        stays  verdict")
    for t in turns {
      let node = DisplayText.sanitize(t.node)
      let outage = t.outageSeconds == 0 ? "none" : "~\(Elapsed.duration(t.outageSeconds))"
      let moves = String(t.moves)
      let stays = String(t.staying.count)
      out.append(
        "  \(pad(node))  \(String(repeating: " ", count: max(0, 5 - moves.count)))\(moves)  \(outage)\(String(repeating: " ", count: max(0, 12 - outage.count)))  \(String(repeating: " ", count: max(0, 5 - stays.count)))\(stays)  \(t.emptied ? "can be emptied" : "CANNOT be emptied")"
      )
    }
    for t in turns where !t.plan.unresolved.isEmpty {
      out.append("")
      out.append("\(DisplayText.sanitize(t.node)): stays")
      for u in t.plan.unresolved {
        out.append(
          "  ? [\(DisplayText.sanitize(u.limit ?? "?"))] \(DisplayText.sanitize(u.reason))")
      }
    }
    out.append("")
    let bad = turns.filter { !$0.emptied }.map(\.node)
    out.append(
      bad.isEmpty
        ? "Every node can be emptied in turn."
        : "Cannot be emptied: \(DisplayText.sanitize(bad.joined(separator: ", ")))")
    return out.joined(separator: "\n") + "\n"
  }
}
