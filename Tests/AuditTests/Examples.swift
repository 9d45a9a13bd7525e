import Foundation
import PVEMendTestSupport
import PVEModel
import Playbook

/// The example snapshots and the playbook each is audited with.
enum Examples {
  /// Example → playbook (others use `Policy.builtinDefault`).
  static let playbooks = [
    "homelab-cluster": "homelab.yaml",
    "pve9-rules-cluster": "pve9-example.yaml",
  ]

  /// Every `examples/*.json`, without the extension, sorted.
  static var names: [String] {
    let dir = Fixtures.root.appendingPathComponent("examples")
    let files = (try? FileManager.default.contentsOfDirectory(atPath: dir.path)) ?? []
    return files.filter { $0.hasSuffix(".json") }.map { String($0.dropLast(5)) }.sorted()
  }

  static func cluster(_ name: String) throws -> Cluster {
    let data = try Data(contentsOf: Fixtures.example("\(name).json"))
    let snapshot = try Snapshot.decode(data, file: "examples/\(name).json")
    return try Cluster(snapshot: snapshot, file: "examples/\(name).json")
  }

  static func policy(_ name: String) throws -> Policy {
    guard let playbook = playbooks[name] else { return .builtinDefault }
    let text = try String(contentsOf: Fixtures.playbook(playbook), encoding: .utf8)
    return try PlaybookDecoder.decode(text, file: "playbooks/\(playbook)")
  }
}
