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
      #expect(got == expected, "\(name) \(path)\n\(text)")
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
    for (path, kind, config) in configs(snapshot) {
      fromFiles.api[path] = .object(try reparsed(config, kind: kind, path: path).config)
    }
    let a = try? Cluster(snapshot: snapshot, file: name)
    let b = try? Cluster(snapshot: fromFiles, file: name)
    if PveshShape.unrepresentable.keys.contains(where: { $0.hasPrefix("\(name) ") }) {
      return
    }
    #expect(a == b, "\(name)")
  }
}

/// What pvesh would print for a config object: the values typed as Proxmox types them.
/// Example configs that hold values no Proxmox config file can (deliberately hostile or odd
/// snapshots) are listed in `unrepresentable`, with the reason.
enum PveshShape {
  /// "<case> <path> <key>" → why no config file can give that value.
  static let unrepresentable: [String: String] = [:]

  static func expected(_ config: [String: JSONValue], kind: GuestKind, name: String, path: String)
    -> [String: JSONValue]
  {
    var out = config
    out["digest"] = nil
    for (key, value) in config where key != "digest" {
      if value == .null { out[key] = nil }
    }
    return out
  }
}
