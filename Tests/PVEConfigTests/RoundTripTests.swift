import Crypto
import Foundation
import PVEConfig
import PVEMendTestSupport
import PVEModel
import Synth
import Testing

/// Every guest config of every example, CLI case folder and Synth cluster survives
/// JSON → Proxmox text → JSON, and the derived `Cluster` is the same whichever way it was read.
@Suite struct RoundTripTests {
  /// Snapshots to check: examples/*.json and Tests/CLITests/Cases/*/snapshot.json (not bad-*).
  static let snapshotFiles: [URL] = {
    let fm = FileManager.default
    let examples = Fixtures.root.appendingPathComponent("examples")
    let cases = Fixtures.root.appendingPathComponent("Tests/CLITests/Cases")
    var files: [URL] = []
    for name in (try? fm.contentsOfDirectory(atPath: examples.path)) ?? []
    where name.hasSuffix(".json") {
      files.append(examples.appendingPathComponent(name))
    }
    for name in (try? fm.contentsOfDirectory(atPath: cases.path)) ?? []
    where !name.hasPrefix("bad-") {
      let f = cases.appendingPathComponent(name).appendingPathComponent("snapshot.json")
      if fm.fileExists(atPath: f.path) { files.append(f) }
    }
    return files.sorted { $0.path < $1.path }
  }()

  static func name(_ url: URL) -> String {
    url.path.hasSuffix("/snapshot.json")
      ? url.deletingLastPathComponent().lastPathComponent : url.lastPathComponent
  }

  static func snapshot(_ url: URL) throws -> Snapshot {
    try Snapshot.decode(try Data(contentsOf: url), file: url.path)
  }

  /// Synth clusters: both PVE majors, enough guests for every generator branch.
  static let synthSnapshots: [(String, Snapshot)] = [8, 9].map { pve in
    ("synth-pve\(pve)", Synth.snapshot(nodes: 5, guests: 400, seed: 11, pveMajor: pve))
  }

  /// (node, kind, vmid) and the config object of every guest config path of a snapshot.
  static func configs(_ s: Snapshot) -> [(
    path: String, kind: GuestKind, config: [String: JSONValue]
  )] {
    s.api.keys.sorted().compactMap { path in
      let parts = path.split(separator: "/")
      guard parts.count == 5, parts[0] == "nodes", parts[4] == "config",
        let kind = GuestKind(rawValue: String(parts[2])), case .object(let o)? = s.api[path]
      else { return nil }
      return (path, kind, o)
    }
  }

  static func sha1(_ text: String) -> String {
    Insecure.SHA1.hash(data: Data(text.utf8)).map { String(format: "%02x", $0) }.joined()
  }

  static func reparsed(_ config: [String: JSONValue], kind: GuestKind, path: String) throws
    -> (text: String, config: [String: JSONValue])
  {
    let text = GuestConfigFile.render(config, kind: kind)
    let file = try GuestConfigFile.parse(Data(text.utf8), kind: kind, file: path)
    return (text, file.pveshConfig())
  }

  @Test func findsTheSnapshots() {
    #expect(Self.snapshotFiles.count >= 30)
    #expect(Self.snapshotFiles.contains { $0.lastPathComponent == "homelab-cluster.json" })
  }

  @Test(arguments: snapshotFiles)
  func configsRoundTrip(url: URL) throws {
    let snapshot = try Self.snapshot(url)
    try Self.checkRoundTrip(snapshot, name: Self.name(url))
  }

  @Test func synthConfigsRoundTrip() throws {
    for (name, snapshot) in Self.synthSnapshots {
      #expect(Self.configs(snapshot).count >= 400)
      try Self.checkRoundTrip(snapshot, name: name)
    }
  }

  static func checkRoundTrip(_ snapshot: Snapshot, name: String) throws {
    for (path, kind, config) in configs(snapshot) {
      let (text, back) = try reparsed(config, kind: kind, path: path)
      let expected = PveshShape.expected(config, kind: kind, name: name, path: path)
      var got = back
      #expect(got.removeValue(forKey: "digest") == .string(sha1(text)), "\(name) \(path)")
      let diff = Set(got.keys).union(expected.keys).filter { got[$0] != expected[$0] }.sorted()
      #expect(
        diff.isEmpty,
        "\(name) \(path): \(diff.map { "\($0): \(String(describing: expected[$0])) -> \(String(describing: got[$0]))" })"
      )
    }
  }

  @Test(arguments: snapshotFiles)
  func derivedClusterIsIdentical(url: URL) throws {
    let snapshot = try Self.snapshot(url)
    try Self.checkCluster(snapshot, name: Self.name(url))
  }

  @Test func synthDerivedClusterIsIdentical() throws {
    for (name, snapshot) in Self.synthSnapshots { try Self.checkCluster(snapshot, name: name) }
  }

  static func checkCluster(_ snapshot: Snapshot, name: String) throws {
    var fromFiles = snapshot
    var replaced = 0
    for (path, kind, config) in configs(snapshot)
    where PveshShape.isRepresentable(name: name, path: path) {
      fromFiles.api[path] = .object(try reparsed(config, kind: kind, path: path).config)
      replaced += 1
    }
    #expect(replaced > 0 || configs(snapshot).isEmpty, "\(name)")
    let a = Result { try Cluster(snapshot: snapshot, file: name) }
    let b = Result { try Cluster(snapshot: fromFiles, file: name) }
    switch (a, b) {
    case (.success(let a), .success(let b)): #expect(a == b, "\(name)")
    case (.failure(let a), .failure(let b)): #expect("\(a)" == "\(b)", "\(name)")
    default: Issue.record("\(name): one read derives a cluster, the other does not: \(a) \(b)")
    }
  }
}

/// What pvesh would print for a config object of an example: the values typed as Proxmox types
/// them (the `strings-everywhere` case spells integers as strings, `nulls` has nulls). Values no
/// Proxmox config file can hold (the deliberately hostile and odd cases) are listed in
/// `unrepresentable` with the reason and what reading the written file gives instead.
enum PveshShape {
  struct Unrepresentable {
    var reason: String
    /// What pvesh would print after the file is written (nil: the key is gone).
    var readBack: JSONValue?
  }

  /// "<case> <path> <key>" → why and what comes back.
  static let unrepresentable: [String: Unrepresentable] = [
    "hostile-canary /nodes/pve3/lxc/103/config hostname": .init(
      reason: "a line feed in a value: Proxmox's writer refuses it, render leaves the key out",
      readBack: nil),
    "hostile-names /nodes/pve2/qemu/102/config name": .init(
      reason: "a line feed in a value: Proxmox's writer refuses it, render leaves the key out",
      readBack: nil),
    "hostile-names /nodes/pve1/lxc/108/config hostname": .init(
      reason: "an empty value: `hostname: ` reads back as the blank after the colon",
      readBack: .string(" ")),
    "hostile-names /nodes/pve3/lxc/103/config hostname": .init(
      reason:
        "characters above U+00FF: the file holds bytes and pvesh prints each byte as a character",
      readBack: .string(bytesAsCharacters("ÜberDNS-🚀-日本"))),
    "odd-values /nodes/pve1/qemu/140/config cores": .init(
      reason: "-4 fails check_type('integer'): qemu-server skips the line", readBack: nil),
    "odd-values /nodes/pve3/qemu/142/config cores": .init(
      reason: "2.5 fails check_type('integer'): qemu-server skips the line", readBack: nil),
  ]

  /// Each UTF-8 byte of `s` as one character, as pvesh prints the bytes of a config value.
  static func bytesAsCharacters(_ s: String) -> String {
    String(String.UnicodeScalarView(s.utf8.map { Unicode.Scalar($0) }))
  }

  static func isRepresentable(name: String, path: String) -> Bool {
    !unrepresentable.keys.contains { $0.hasPrefix("\(name) \(path) ") }
  }

  static func expected(_ config: [String: JSONValue], kind: GuestKind, name: String, path: String)
    -> [String: JSONValue]
  {
    var out: [String: JSONValue] = [:]
    for (key, value) in config where key != "digest" {
      if let odd = unrepresentable["\(name) \(path) \(key)"] {
        out[key] = odd.readBack
        continue
      }
      switch (GuestConfigFile.valueType(of: key, kind: kind), value) {
      case (_, .null): continue
      case (.integer?, .string(let s)), (.boolean?, .string(let s)):
        out[key] = Int64(s).map(JSONValue.int) ?? value
      case (.integer?, .bool(let b)), (.boolean?, .bool(let b)):
        out[key] = .int(b ? 1 : 0)
      default:
        out[key] = value
      }
    }
    return out
  }
}
