import Foundation
import PVEMendTestSupport
import PVEModel
import Testing

/// Every file in `examples/` decodes, derives a cluster without inconsistencies, and is canonical.
@Suite struct ExamplesTests {
  @Test func thereAreExamples() throws {
    let names = try Loading.exampleNames()
    #expect(names.contains("homelab-cluster.json"))
    #expect(names.contains("pve9-rules-cluster.json"))
    #expect(names.contains("pve8-groups-cluster.json"))
  }

  @Test(arguments: try Loading.exampleNames())
  func loads(name: String) throws {
    let cluster = try Loading.cluster(name)
    #expect(!cluster.nodes.isEmpty)
    #expect(!cluster.guests.isEmpty)
    #expect(cluster.inconsistencies.isEmpty, "\(cluster.inconsistencies)")
    #expect(Set(cluster.guests.map(\.vmid)).count == cluster.guests.count)
    #expect(Set(cluster.guests.map(\.name)).count == cluster.guests.count)
  }

  /// Examples are stored as `Snapshot.encoded(pretty: true)` writes them, so tools that rewrite a
  /// snapshot produce no diff. `PVEMEND_RECORD=1` rewrites them in canonical form.
  @Test(arguments: try Loading.exampleNames())
  func isCanonical(name: String) throws {
    let url = Fixtures.example(name)
    let bytes = try Data(contentsOf: url)
    let canonical = try Loading.example(name).encoded(pretty: true)
    if bytes != canonical, ProcessInfo.processInfo.environment["PVEMEND_RECORD"] == "1" {
      try canonical.write(to: url)
      Issue.record("recorded new baseline for examples/\(name)")
      return
    }
    #expect(bytes == canonical, "examples/\(name) is not canonical; run with PVEMEND_RECORD=1")
  }
}
