import Foundation
import PVEMendTestSupport
import Testing

/// Bad plan files handed to the commands that read plans (`show`, `export`): the same contract as
/// bad snapshots and playbooks — exit 2, one line naming the file and what is wrong, no usage text.
@Suite("pvemend show and export on bad plan files")
struct PlanInputTests {
  /// A way to spoil a good plan document, and what the message must name.
  struct Spoil: Sendable, CustomTestStringConvertible {
    var name: String
    var mentions: [String]
    var make: @Sendable (Data) throws -> Data?

    var testDescription: String { name }
  }

  static let spoils: [Spoil] = [
    Spoil(name: "truncated", mentions: ["plan.json"]) { $0.prefix($0.count / 2) },
    Spoil(name: "empty", mentions: ["plan.json"]) { _ in Data() },
    Spoil(name: "missing", mentions: ["plan.json"]) { _ in nil },
    Spoil(name: "wrong format", mentions: ["plan.json", "pvemend-plan/1"]) {
      Data(
        String(decoding: $0, as: UTF8.self).replacingOccurrences(
          of: "pvemend-plan/1", with: "pvemend-plan/7"
        ).utf8)
    },
    Spoil(name: "no steps", mentions: ["plan.json", "steps"]) { data in
      var top = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
      top["steps"] = nil
      return try JSONSerialization.data(withJSONObject: top)
    },
    Spoil(name: "argv as a string", mentions: ["plan.json", "argv"]) { data in
      var top = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
      var steps = try #require(top["steps"] as? [[String: Any]])
      let i = try #require(steps.firstIndex { !(($0["commands"] as? [Any]) ?? []).isEmpty })
      var commands = try #require(steps[i]["commands"] as? [[String: Any]])
      commands[0]["argv"] = "qm migrate 100 pve2"
      steps[i]["commands"] = commands
      top["steps"] = steps
      return try JSONSerialization.data(withJSONObject: top)
    },
  ]

  static let commands: [[String]] = [
    ["show", "plan.json"], ["export", "plan.json", "--format", "sh"],
    ["export", "plan.json", "--format", "ansible"],
  ]

  @Test("exit 2 and one line naming the file", arguments: spoils)
  func refuse(_ spoil: Spoil) throws {
    let case0 = try #require(CaseFolder.all.first { $0.name == "baseline" })
    let dir = try case0.stage()
    defer { try? FileManager.default.removeItem(at: dir) }
    let good = try Spawn.pvemend(
      ["plan", "snapshot.json", "--playbook", "playbook.yaml", "--format", "json"], in: dir)
    try #require(good.status == 0, "\(good.stderrText)")
    if let bad = try spoil.make(good.stdout) {
      try bad.write(to: dir.appendingPathComponent("plan.json"))
    }
    for args in Self.commands {
      let r = try Spawn.pvemend(args, in: dir)
      let what = "\(spoil.name): \(r.commandLine)"
      #expect(!r.signalled, "\(what) crashed (\(r.outcome))")
      #expect(r.status == 2, "\(what): \(r.outcome), expected exit 2 (bad input)\n\(r.stderrText)")
      #expect(r.stdout.isEmpty, "\(what) printed to stdout")
      #expect(
        !r.stderrText.contains("Usage:"), "\(what): bad input is not a usage error\n\(r.stderrText)"
      )
      #expect(
        r.stderrText.split(separator: "\n").count == 1, "\(what): one line, got:\n\(r.stderrText)")
      for needle in spoil.mentions {
        #expect(
          r.stderrText.contains(needle), "\(what): stderr lacks '\(needle)':\n\(r.stderrText)")
      }
    }
  }
}
