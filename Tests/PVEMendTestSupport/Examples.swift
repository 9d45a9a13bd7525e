import Foundation
import PVEModel
import Playbook

/// The example snapshots (`examples/*.json`) and the playbook each is audited, rehearsed and
/// planned with: every example golden test of every target reads them here.
package enum Examples {
  /// Example → playbook (others use `Policy.builtinDefault`).
  package static let playbooks = [
    "homelab-cluster": "homelab.yaml",
    "pve9-rules-cluster": "pve9-example.yaml",
  ]

  /// Every `examples/*.json`, without the extension, sorted.
  package static var names: [String] {
    let dir = Fixtures.root.appendingPathComponent("examples")
    let files = (try? FileManager.default.contentsOfDirectory(atPath: dir.path)) ?? []
    return files.filter { $0.hasSuffix(".json") }.map { String($0.dropLast(5)) }.sorted()
  }

  package static func snapshot(_ name: String) throws -> Snapshot {
    let data = try Data(contentsOf: Fixtures.example("\(name).json"))
    return try Snapshot.decode(data, file: "examples/\(name).json")
  }

  package static func cluster(_ name: String) throws -> Cluster {
    try Cluster(snapshot: try snapshot(name), file: "examples/\(name).json")
  }

  /// The playbook's text, or nil for the built-in default.
  package static func playbookText(_ name: String) throws -> String? {
    guard let playbook = playbooks[name] else { return nil }
    return try String(contentsOf: Fixtures.playbook(playbook), encoding: .utf8)
  }

  package static func policy(_ name: String) throws -> Policy {
    guard let text = try playbookText(name), let playbook = playbooks[name] else {
      return .builtinDefault
    }
    return try PlaybookDecoder.decode(text, file: "playbooks/\(playbook)")
  }
}
