import Evacuate
import Foundation
import PVEMendTestSupport
import PVEModel
import Planning
import Playbook

/// Every node of every example, with the playbook written for the example.
enum EvacuationInputs {
  struct Case: Sendable, CustomStringConvertible {
    var example: String
    var playbook: String
    var node: String
    var description: String { "\(example)/\(node)" }
  }

  static let examples: [(String, String, [String])] = [
    ("homelab-cluster", "homelab.yaml", ["proxmox", "proxmox2", "proxmox3"]),
    ("pve8-groups-cluster", "default.yaml", ["hv1", "hv2", "hv3"]),
    ("pve9-rules-cluster", "pve9-example.yaml", ["pve1", "pve2", "pve3", "pve4"]),
  ]

  static let cases: [Case] = examples.flatMap { example, playbook, nodes in
    nodes.map { Case(example: example, playbook: playbook, node: $0) }
  }

  static func snapshot(_ example: String) throws -> Snapshot {
    try Snapshot.decode(
      Data(contentsOf: Fixtures.example(example + ".json")), file: "examples/\(example).json")
  }

  static func plan(_ c: Case, maintenance: Bool = false) throws -> (Plan, Cluster, Policy) {
    let snapshot = try snapshot(c.example)
    let cluster = try Cluster(snapshot: snapshot, file: "examples/\(c.example).json")
    let text = try String(contentsOf: Fixtures.playbook(c.playbook), encoding: .utf8)
    let policy = try PlaybookDecoder.decode(text, file: "playbooks/\(c.playbook)")
    let plan = try NodeEvacuation.plan(
      snapshot: snapshot, cluster: cluster, policy: policy, node: c.node,
      maintenance: maintenance, playbookPath: "playbooks/\(c.playbook)", playbookText: text)
    return (plan, cluster, policy)
  }

  /// The plan without its embedded snapshot: steps, what stays, figures, summary.
  static func digest(_ plan: Plan) throws -> Data {
    struct View: Encodable {
      var evacuation: Evacuation?
      var steps: [Step]
      var unresolved: [Unresolved]
      var before: Figures
      var after: Figures
      var summary: Summary
    }
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
    var data = try encoder.encode(
      View(
        evacuation: plan.evacuation, steps: plan.steps, unresolved: plan.unresolved,
        before: plan.before, after: plan.after, summary: plan.summary))
    data.append(0x0A)
    return data
  }
}
