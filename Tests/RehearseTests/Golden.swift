import Foundation
import PVEMendTestSupport
import PVEModel
import Playbook
import Testing

/// Golden files under `Tests/RehearseTests/Golden/`: compared byte for byte, rewritten when
/// `PVEMEND_RECORD=1` is set (the test then fails with "recorded new baseline").
enum Golden {
  static let folder = Fixtures.root.appendingPathComponent("Tests/RehearseTests/Golden")

  static var recording: Bool { ProcessInfo.processInfo.environment["PVEMEND_RECORD"] == "1" }

  static func check(
    _ actual: String, _ relativePath: String, sourceLocation: SourceLocation = #_sourceLocation
  ) throws {
    let url = folder.appendingPathComponent(relativePath)
    let expected = try? String(contentsOf: url, encoding: .utf8)
    if recording || expected == nil {
      try FileManager.default.createDirectory(
        at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
      try Data(actual.utf8).write(to: url)
      Issue.record(
        "recorded new baseline \(relativePath); run again without PVEMEND_RECORD",
        sourceLocation: sourceLocation)
      return
    }
    guard let expected, expected != actual else { return }
    let a = actual.split(separator: "\n", omittingEmptySubsequences: false)
    let e = expected.split(separator: "\n", omittingEmptySubsequences: false)
    let line = (0..<min(a.count, e.count)).first { a[$0] != e[$0] } ?? min(a.count, e.count)
    let got = line < a.count ? String(a[line]) : "<end of output>"
    let want = line < e.count ? String(e[line]) : "<end of file>"
    Issue.record(
      "\(relativePath) differs at line \(line + 1):\n  expected: \(want)\n  actual:   \(got)\n(PVEMEND_RECORD=1 re-records it)",
      sourceLocation: sourceLocation)
  }
}

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
