import Foundation
import PVEMendTestSupport
import Testing

/// `pvemend rehearse` on every case folder through the built binary: a golden transcript per
/// good case (`golden/rehearse.text.txt`), the documented exit statuses (0 survivable, 3 not,
/// 2 bad input), byte-identical JSON across processes, and `--node` for one node.
@Suite("pvemend rehearse end to end")
struct RehearseCaseTests {
  @Test("rehearse runs as its golden says", .tags(.cases), arguments: CaseFolder.all)
  func run(_ folder: CaseFolder) throws {
    let dir = try folder.stage()
    defer { try? FileManager.default.removeItem(at: dir) }
    let snap = folder.snapshotArgument
    let pb = ["--playbook", "playbook.yaml"]
    if folder.isBadInput {
      let r = try Spawn.pvemend(["rehearse", snap] + pb, in: dir)
      #expect(!r.signalled, "\(folder.name): \(r.commandLine) crashed (\(r.outcome))")
      #expect(r.status == 2, "\(folder.name): \(r.commandLine): \(r.outcome)\n\(r.stderrText)")
      #expect(r.stdout.isEmpty)
      #expect(r.stderrText.split(separator: "\n").count == 1, "one line, got:\n\(r.stderrText)")
      for needle in folder.expectation.stderr ?? [] {
        #expect(r.stderrText.contains(needle), "\(folder.name): stderr lacks '\(needle)'")
      }
      return
    }
    let text = try Spawn.pvemend(["rehearse", snap] + pb, in: dir)
    #expect(!text.signalled, "\(folder.name): \(text.commandLine) crashed (\(text.outcome))")
    #expect([0, 3].contains(text.status), "\(folder.name): \(text.outcome)\n\(text.stderrText)")
    assertGolden(
      text.transcript, at: folder.goldenFolder.appendingPathComponent("rehearse.text.txt"))

    let json = try Spawn.pvemend(["rehearse", snap] + pb + ["--format", "json"], in: dir)
    let again = try Spawn.pvemend(["rehearse", snap] + pb + ["--format", "json"], in: dir)
    #expect(json.stdout == again.stdout, "\(folder.name): rehearse JSON differs between runs")
    #expect(json.status == text.status)
    let object = try JSONSerialization.jsonObject(with: json.stdout) as? [String: Any]
    let scenarios = object?["scenarios"] as? [[String: Any]] ?? []
    let allSurvivable = scenarios.allSatisfy { ($0["verdict"] as? String) == "survivable" }
    #expect((text.status == 0) == allSurvivable, "\(folder.name): exit \(text.status) vs verdicts")
    let markdown = try Spawn.pvemend(["rehearse", snap] + pb + ["--format", "markdown"], in: dir)
    #expect(markdown.status == text.status && !markdown.stdout.isEmpty)

    // One node alone gives that node's scenario as the full run has it.
    if let first = scenarios.first, let nodes = first["failedNodes"] as? [String], nodes.count == 1
    {
      let one = try Spawn.pvemend(
        ["rehearse", snap] + pb + ["--format", "json", "--node", nodes[0]], in: dir)
      let single = try JSONSerialization.jsonObject(with: one.stdout) as? [String: Any]
      let only = single?["scenarios"] as? [[String: Any]] ?? []
      #expect(only.count == 1)
      func bytes(_ o: [String: Any]?) throws -> Data {
        try JSONSerialization.data(withJSONObject: o ?? [:], options: [.sortedKeys])
      }
      #expect(
        try bytes(only.first) == bytes(first),
        "\(folder.name): --node \(nodes[0]) differs from the full run's scenario")
    }
  }

  @Test("an unknown --node is bad input naming the nodes", .tags(.cases))
  func unknownNode() throws {
    let folder = try #require(CaseFolder.all.first { $0.name == "baseline" })
    let dir = try folder.stage()
    defer { try? FileManager.default.removeItem(at: dir) }
    let r = try Spawn.pvemend(["rehearse", "snapshot.json", "--node", "pve9"], in: dir)
    #expect(r.status == 2)
    #expect(r.stderrText.contains("no node 'pve9'") && r.stderrText.contains("pve1, pve2, pve3"))
  }
}
