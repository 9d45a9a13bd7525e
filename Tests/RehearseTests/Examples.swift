import Foundation
import PVEMendTestSupport
import PVEModel
import Playbook

/// The example snapshots and the playbook each is rehearsed with (as the audit goldens).
enum Examples {
  static let playbooks = [
    "homelab-cluster": "homelab.yaml",
    "pve9-rules-cluster": "pve9-example.yaml",
  ]

  static var names: [String] {
    let dir = Fixtures.root.appendingPathComponent("examples")
    let files = (try? FileManager.default.contentsOfDirectory(atPath: dir.path)) ?? []
    return files.filter { $0.hasSuffix(".json") }.map { String($0.dropLast(5)) }.sorted()
  }

  static func snapshot(_ name: String) throws -> Snapshot {
    let data = try Data(contentsOf: Fixtures.example("\(name).json"))
    return try Snapshot.decode(data, file: "examples/\(name).json")
  }

  static func cluster(_ name: String) throws -> Cluster {
    try Cluster(snapshot: try snapshot(name), file: "examples/\(name).json")
  }

  static func playbookText(_ name: String) throws -> String? {
    guard let playbook = playbooks[name] else { return nil }
    return try String(contentsOf: Fixtures.playbook(playbook), encoding: .utf8)
  }

  static func policy(_ name: String) throws -> Policy {
    guard let text = try playbookText(name), let playbook = playbooks[name] else {
      return .builtinDefault
    }
    return try PlaybookDecoder.decode(text, file: "playbooks/\(playbook)")
  }
}
