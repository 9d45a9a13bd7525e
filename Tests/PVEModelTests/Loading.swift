import Foundation
import PVEMendTestSupport
import PVEModel

/// Reads example snapshots and small inline snapshots for the model tests.
enum Loading {
  /// The snapshot in `examples/<name>`, decoded.
  static func example(_ name: String) throws -> Snapshot {
    let data = try Data(contentsOf: Fixtures.example(name))
    return try Snapshot.decode(data, file: "examples/\(name)")
  }

  /// The cluster derived from `examples/<name>`.
  static func cluster(_ name: String) throws -> Cluster {
    try Cluster(snapshot: example(name), file: "examples/\(name)")
  }

  /// Every `*.json` in `examples/`, sorted.
  static func exampleNames() throws -> [String] {
    let dir = Fixtures.root.appendingPathComponent("examples")
    return try FileManager.default.contentsOfDirectory(atPath: dir.path)
      .filter { $0.hasSuffix(".json") }.sorted()
  }
}
