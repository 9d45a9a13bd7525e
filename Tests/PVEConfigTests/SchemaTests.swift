import Foundation
import PVEConfig
import PVEMendTestSupport
import PVEModel
import Testing

/// The generated key table agrees with the config API schemas it was made from.
@Suite struct SchemaTests {
  static let apiOnly: Set<String> = [
    "node", "vmid", "delete", "revert", "digest", "force", "skiplock", "background_delay",
    "import-working-storage",
  ]

  @Test(.enabled(if: Fixtures.shared != nil, "needs ../shared/pve-api/endpoints.json"))
  func tableMatchesEndpointsJSON() throws {
    let url = try #require(Fixtures.shared).appendingPathComponent("pve-api/endpoints.json")
    let doc = try JSONParser.parse(try Data(contentsOf: url))
    var checked = 0
    for endpoint in doc["endpoints"]?.arrayValue ?? [] {
      guard let path = endpoint["path"]?.stringValue, path.hasSuffix("/{vmid}/config"),
        ["PUT", "POST"].contains(endpoint["method"]?.stringValue ?? "")
      else { continue }
      let kind: GuestKind = path.contains("/qemu/") ? .qemu : .lxc
      for version in ["pve8", "pve9"] {
        let props = endpoint[version]?["parameters"]?["properties"]?.objectValue ?? [:]
        for (name, prop) in props where !Self.apiOnly.contains(name) {
          let key = name.hasSuffix("[n]") ? String(name.dropLast(3)) + "0" : name
          let expected: ConfigValueType? =
            switch prop["type"]?.stringValue {
            case "boolean": .boolean
            case "integer": .integer
            case "number": .number
            case "string": .string
            default: nil
            }
          #expect(GuestConfigFile.valueType(of: key, kind: kind) == expected, "\(kind) \(name)")
          checked += 1
        }
      }
    }
    #expect(checked > 200)
  }

  @Test func indexedKeys() {
    #expect(GuestConfigFile.valueType(of: "net31", kind: .qemu) == .string)
    #expect(GuestConfigFile.valueType(of: "net32", kind: .qemu) == nil)
    #expect(GuestConfigFile.valueType(of: "net01", kind: .qemu) == nil)
    #expect(GuestConfigFile.valueType(of: "scsi30", kind: .qemu) == .string)
    #expect(GuestConfigFile.valueType(of: "scsi31", kind: .qemu) == nil)
    #expect(GuestConfigFile.valueType(of: "unused255", kind: .lxc) == .string)
    #expect(GuestConfigFile.valueType(of: "mp256", kind: .lxc) == nil)
    #expect(GuestConfigFile.valueType(of: "numa", kind: .qemu) == .boolean)
    #expect(GuestConfigFile.valueType(of: "numa7", kind: .qemu) == .string)
    #expect(GuestConfigFile.valueType(of: "snaptime", kind: .lxc) == .integer)
    #expect(GuestConfigFile.valueType(of: "cpulimit", kind: .lxc) == .number)
    #expect(GuestConfigFile.valueType(of: "memory", kind: .qemu) == .string)
    #expect(GuestConfigFile.valueType(of: "memory", kind: .lxc) == .integer)
    #expect(GuestConfigFile.valueType(of: "name", kind: .lxc) == nil)
  }
}
