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

  /// Examples look like what pvesh prints: no `null` (optional fields are absent), no JSON
  /// booleans (Proxmox prints 0/1), QEMU `memory` a string, LXC `memory` and `cores` integers,
  /// and each shared pool listed once per online node in `/cluster/resources`.
  @Test(arguments: try Loading.exampleNames())
  func shapedLikePvesh(name: String) throws {
    let snapshot = try Loading.example(name)
    func walk(_ value: JSONValue, _ path: String) {
      switch value {
      case .null: Issue.record("null at \(path)")
      case .bool: Issue.record("JSON boolean at \(path)")
      case .array(let a): for (i, v) in a.enumerated() { walk(v, "\(path)[\(i)]") }
      case .object(let o): for (k, v) in o { walk(v, "\(path).\(k)") }
      default: break
      }
    }
    for (path, value) in snapshot.api { walk(value, path) }
    for (path, value) in snapshot.api where path.hasSuffix("/config") {
      let memory = value["memory"]
      if path.contains("/qemu/") {
        if case .string = memory {} else { Issue.record("\(path): memory is not a string") }
      } else {
        if case .int = memory {} else { Issue.record("\(path): memory is not an integer") }
        if let cores = value["cores"], case .int = cores {
        } else if value["cores"] != nil {
          Issue.record("\(path): cores is not an integer")
        }
      }
    }
    let cluster = try Cluster(snapshot: snapshot)
    let entries = snapshot.api["/cluster/resources"]?.arrayValue ?? []
    for storage in cluster.storages where storage.shared {
      let listed = entries.filter {
        $0["type"]?.stringValue == "storage" && $0["storage"]?.stringValue == storage.id
      }
      #expect(listed.count == cluster.nodes.count, "\(storage.id)")
    }
  }

  /// Examples are stored as `Snapshot.encoded(pretty: true)` writes them, so tools that rewrite a
  /// snapshot produce no diff. `PVEMEND_RECORD=1` rewrites them in canonical form.
  @Test(arguments: try Loading.exampleNames())
  func isCanonical(name: String) throws {
    let url = Fixtures.example(name)
    let bytes = try Data(contentsOf: url)
    let canonical = try Loading.example(name).encoded(pretty: true)
    if bytes != canonical, Golden.recording {
      try canonical.write(to: url)
      Issue.record("recorded new baseline for examples/\(name)")
      return
    }
    #expect(bytes == canonical, "examples/\(name) is not canonical; run with PVEMEND_RECORD=1")
  }
}
