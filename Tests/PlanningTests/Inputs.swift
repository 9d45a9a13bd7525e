import Foundation
import PVEMendTestSupport
import PVEModel
import Planning
import Playbook

/// Example snapshots and playbooks, read for the planner's tests.
enum Inputs {
  struct Case: Sendable, CustomStringConvertible {
    var name: String
    var example: String
    /// A file of `playbooks/`, or a path from the repository root.
    var playbook: String
    var description: String { name }
  }

  /// Every example with the playbook written for it.
  static let cases = [
    Case(name: "homelab-cluster", example: "homelab-cluster.json", playbook: "homelab.yaml"),
    Case(
      name: "pve9-rules-cluster", example: "pve9-rules-cluster.json", playbook: "pve9-example.yaml"),
    Case(
      name: "pve8-groups-cluster", example: "pve8-groups-cluster.json", playbook: "default.yaml"),
    // pve9-example.yaml selects nothing HA in this cluster; this one shows PVE 9 rules.
    Case(
      name: "pve9-rules-cluster-ha", example: "pve9-rules-cluster.json",
      playbook: "Tests/PlanningTests/Golden/pve9-rules-cluster-ha/playbook.yaml"),
  ]

  static func url(playbook name: String) -> URL {
    name.contains("/") ? Fixtures.root.appendingPathComponent(name) : Fixtures.playbook(name)
  }

  /// The playbook path as `pvemend plan` would be given it.
  static func path(playbook name: String) -> String {
    name.contains("/") ? name : "playbooks/\(name)"
  }

  static func snapshot(_ name: String) throws -> Snapshot {
    try Snapshot.decode(Data(contentsOf: Fixtures.example(name)), file: "examples/\(name)")
  }

  static func playbookText(_ name: String) throws -> String {
    try String(contentsOf: url(playbook: name), encoding: .utf8)
  }

  static func policy(_ name: String) throws -> Policy {
    try PlaybookDecoder.decode(playbookText(name), file: path(playbook: name))
  }

  /// The plan outcome of one case, as `pvemend plan` computes it.
  static func outcome(_ c: Case) throws -> PlanOutcome {
    let snapshot = try snapshot(c.example)
    let cluster = try Cluster(snapshot: snapshot, file: "examples/\(c.example)")
    let policy = try policy(c.playbook)
    let findings = TestAudit.findings(in: cluster, policy: policy)
    return Planner.outcome(
      snapshot: snapshot, cluster: cluster, findings: findings, policy: policy,
      playbookPath: path(playbook: c.playbook), playbookText: try playbookText(c.playbook))
  }
}
