import Foundation
import PVEModel
import Testing

/// Collecting a snapshot back from a sandbox seeded with it: the example files, the node to
/// collect through, and the comparison (used by the sandbox's and the `collect` command's tests).
package enum RoundTrip {
  /// Every `examples/*.json` snapshot, sorted.
  package static var examples: [URL] {
    let dir = Fixtures.root.appendingPathComponent("examples")
    let names = (try? FileManager.default.contentsOfDirectory(atPath: dir.path)) ?? []
    return names.filter { $0.hasSuffix(".json") }.sorted().map { dir.appendingPathComponent($0) }
  }

  /// The node a snapshot was collected from: `local: 1` in `/cluster/status`, else the first online.
  package static func entryNode(_ snapshot: Snapshot) -> String {
    let nodes =
      snapshot.api["/cluster/status"]?.arrayValue?.filter { $0["type"]?.stringValue == "node" }
      ?? []
    if let local = nodes.first(where: { $0["local"]?.boolValue == true })?["name"]?.stringValue {
      return local
    }
    return nodes.first(where: { $0["online"]?.boolValue == true })?["name"]?.stringValue ?? "pve1"
  }

  /// Compares path by path so a failure names the paths that differ.
  package static func expectSameAPI(
    _ collected: Snapshot, _ original: Snapshot, _ name: String,
    sourceLocation: SourceLocation = #_sourceLocation
  ) {
    let missing = Set(original.api.keys).subtracting(collected.api.keys).sorted()
    let extra = Set(collected.api.keys).subtracting(original.api.keys).sorted()
    let differing = original.api.keys.filter {
      collected.api[$0] != nil && collected.api[$0] != original.api[$0]
    }.sorted()
    #expect(missing.isEmpty, "\(name): not collected: \(missing)", sourceLocation: sourceLocation)
    #expect(
      extra.isEmpty, "\(name): collected but not in the snapshot: \(extra)",
      sourceLocation: sourceLocation)
    #expect(differing.isEmpty, "\(name): differing: \(differing)", sourceLocation: sourceLocation)
    #expect(collected.api == original.api, sourceLocation: sourceLocation)
  }

  /// `original` with each guest config's `digest` taken from `collected` (the sandbox's digests
  /// are the SHA-1 of the files it serves in /etc/pve; everything else is the snapshot's).
  package static func withSandboxDigests(_ original: Snapshot, _ collected: Snapshot) -> Snapshot {
    var expected = original
    for (path, value) in original.api where path.hasSuffix("/config") {
      guard var config = value.objectValue, let digest = collected.api[path]?["digest"] else {
        continue
      }
      config["digest"] = digest
      expected.api[path] = .object(config)
    }
    return expected
  }
}
