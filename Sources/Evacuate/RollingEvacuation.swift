import Foundation
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

    /// `~3 min 24 s`, or `none`.
    var outageText: String { outageSeconds == 0 ? "none" : "~\(Elapsed.duration(outageSeconds))" }
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

  /// The last line: every node can be emptied, or which cannot (names through `clean`).
  func verdict(_ clean: (String) -> String) -> String {
    let bad = turns.filter { !$0.emptied }.map(\.node)
    return bad.isEmpty
      ? "Every node can be emptied in turn."
      : "Cannot be emptied: \(clean(bad.joined(separator: ", ")))"
  }

  /// The report as terminal text: one line per node, then the guests that stay and why.
  package func text() -> String {
    var out = ["Rolling evacuation: \(turns.count) node(s), each emptied in turn and returned"]
    let width = max(4, turns.map(\.node.count).max() ?? 4)
    func pad(_ s: String) -> String { s + String(repeating: " ", count: max(0, width - s.count)) }
    out.append("")
    out.append("  \(pad("node"))  moves  outage        stays  verdict")
    for t in turns {
      let node = DisplayText.sanitize(t.node)
      let outage = t.outageText
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
    out.append(verdict { DisplayText.sanitize($0) })
    return out.joined(separator: "\n") + "\n"
  }

  /// One node's turn as the JSON report states it.
  struct TurnReport: Encodable {
    var node: String
    var moves: Int
    var outageSeconds: Int
    var staying: [String]
    var emptied: Bool
    var unresolved: [Unresolved]
  }

  struct Report: Encodable {
    var format = "pvemend-rolling-evacuation/1"
    var cluster: String
    var snapshotSHA256: String
    var playbook: PlaybookRef
    var allEmptied: Bool
    var turns: [TurnReport]
  }

  /// The report as a JSON document (`pvemend-rolling-evacuation/1`, keys sorted): each turn's
  /// figures and the guests that stay with their reasons; each turn's plan is written apart
  /// (`--out-dir`).
  package func json() -> Data {
    let first = turns.first?.plan
    let report = Report(
      cluster: first?.cluster ?? "", snapshotSHA256: first?.snapshotSHA256 ?? "",
      playbook: first?.playbook ?? PlaybookRef(name: "", path: "", sha256: ""),
      allEmptied: allEmptied,
      turns: turns.map {
        TurnReport(
          node: $0.node, moves: $0.moves, outageSeconds: $0.outageSeconds, staying: $0.staying,
          emptied: $0.emptied, unresolved: $0.plan.unresolved)
      })
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
    // Names may carry bidi or zero-width characters: written as \u escapes, as in plans.
    let data = (try? encoder.encode(report)) ?? Data()
    return Data(
      (DisplayText.escapingUnsafe(json: String(decoding: data, as: UTF8.self)) + "\n").utf8)
  }

  /// The report as markdown (a change request's table), the same facts as ``text()``.
  package func markdown() -> String {
    func cell(_ s: String) -> String {
      DisplayText.sanitize(s).replacingOccurrences(of: "|", with: "\\|")
    }
    var out = [
      "# Rolling evacuation: \(turns.count) node(s), each emptied in turn and returned", "",
      "| node | moves | outage | stays | verdict |", "|---|---:|---|---:|---|",
    ]
    for t in turns {
      out.append(
        "| \(cell(t.node)) | \(t.moves) | \(t.outageText) | \(t.staying.count) | \(t.emptied ? "can be emptied" : "**cannot be emptied**") |"
      )
    }
    for t in turns where !t.plan.unresolved.isEmpty {
      out.append("")
      out.append("## \(cell(t.node)): stays")
      out.append("")
      for u in t.plan.unresolved {
        out.append("- [\(cell(u.limit ?? "?"))] \(cell(u.reason))")
      }
    }
    out.append("")
    out.append(verdict(cell))
    return out.joined(separator: "\n") + "\n"
  }
}
