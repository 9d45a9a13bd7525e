import Foundation
import PVEMendTestSupport
import Synth
import Testing

/// The shipped playbooks, spoiled one line at a time (deterministically sampled): `pvemend plan`
/// must either plan (exit 0) or refuse with exit 2 and one line `playbook.yaml:<line>: …` that
/// points into the file — never crash, never hang, never print a usage error.
@Suite("pvemend plan on spoilt playbooks")
struct PlaybookFuzzTests {
  /// What replaces a line's value (or the line).
  static let values = [
    "~", "[]", "{}", "-1", "0", "1e300", "-1e300", "99999999999999999999", "\"*\"", "true",
    "\"\"", "\"a\\nb\"", "\"$(reboot)\"", "0.0000001", "[1, [2, [3]]]", "&a x", "*a",
    String(repeating: "x", count: 5000),
  ]

  struct Variant: Sendable, CustomTestStringConvertible {
    var playbook: String
    var line: Int
    var change: String
    var text: String
    var testDescription: String { "\(playbook):\(line) \(change)" }
  }

  /// `count` variants per playbook, the same on every run.
  static func variants(_ playbook: String, count: Int, seed: UInt64) -> [Variant] {
    guard let text = try? String(contentsOf: Fixtures.playbook(playbook), encoding: .utf8) else {
      return []
    }
    let lines = text.components(separatedBy: "\n")
    let candidates = lines.indices.filter {
      let t = lines[$0].trimmingCharacters(in: .whitespaces)
      return !t.isEmpty && !t.hasPrefix("#")
    }
    guard !candidates.isEmpty else { return [] }
    var rng = SplitMix64(seed: seed)
    var out: [Variant] = []
    for _ in 0..<count {
      let i = candidates[rng.below(candidates.count)]
      var spoilt = lines
      let change: String
      switch rng.below(4) {
      case 0:
        spoilt.remove(at: i)
        change = "line removed"
      case 1:
        spoilt.insert(lines[i], at: i)
        change = "line doubled"
      default:
        let value = values[rng.below(values.count)]
        let line = lines[i]
        if let colon = line.firstIndex(of: ":") {
          spoilt[i] = String(line[...colon]) + " " + value
        } else {
          spoilt[i] = line + " " + value
        }
        change = "value → \(value.prefix(20))"
      }
      out.append(
        Variant(
          playbook: playbook, line: i + 1, change: change,
          text: spoilt.joined(separator: "\n")))
    }
    return out
  }

  static let all =
    variants("default.yaml", count: 24, seed: 11) + variants("homelab.yaml", count: 24, seed: 12)
    + variants("pve9-example.yaml", count: 12, seed: 13)

  @Test("plans, or refuses with the file and a line in it", arguments: all)
  func spoilt(_ variant: Variant) throws {
    let example =
      variant.playbook == "pve9-example.yaml" ? "pve9-rules-cluster.json" : "homelab-cluster.json"
    let dir = try Spawn.temporaryDirectory("playbook")
    defer { try? FileManager.default.removeItem(at: dir) }
    try FileManager.default.copyItem(
      at: Fixtures.example(example), to: dir.appendingPathComponent("snapshot.json"))
    try Data(variant.text.utf8).write(to: dir.appendingPathComponent("playbook.yaml"))
    let r = try Spawn.pvemend(
      ["plan", "snapshot.json", "--playbook", "playbook.yaml", "--format", "json"], in: dir)
    let what = variant.testDescription
    #expect(!r.signalled, "\(what): crashed (\(r.outcome))\n\(r.stderrText.prefix(2000))")
    #expect(r.status == 0 || r.status == 2, "\(what): \(r.outcome)\n\(r.stderrText)")
    guard r.status == 2 else { return }
    let message = r.stderrText
    #expect(message.split(separator: "\n").count == 1, "\(what): one line, got:\n\(message)")
    let prefix = "pvemend plan: playbook.yaml:"
    #expect(message.hasPrefix(prefix), "\(what): does not name the file and line:\n\(message)")
    let lineText = message.dropFirst(prefix.count).prefix { $0.isNumber }
    let lineCount = variant.text.components(separatedBy: "\n").count
    if let line = Int(lineText) {
      #expect((1...lineCount + 1).contains(line), "\(what): line \(line) is outside the file")
    }
  }
}
