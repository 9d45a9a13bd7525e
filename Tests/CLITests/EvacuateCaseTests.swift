import Foundation
import PVEMendTestSupport
import Testing

/// `pvemend evacuate` through the built binary on case folders: PVE 8 groups, PVE 9 rules, a
/// restricted HA group, an offline node, a node that cannot be emptied, quorum lost, a node in HA
/// maintenance, two nodes. A golden transcript per case (`golden/evacuate.txt`, `--out plan.json`),
/// the documented exit statuses (0 emptied, 3 some guest stays, 2 bad input), `show` of the saved
/// plan, and the rolling check (`--nodes`).
@Suite("pvemend evacuate end to end")
struct EvacuateCaseTests {
  /// Case folder and the node emptied there.
  static let cases: [(String, String)] = [
    ("baseline", "pve1"), ("ha-restricted-group", "pve1"), ("pve9-static-rules", "pve1"),
    ("pve9-migrated", "pve1"), ("node-offline", "pve3"), ("unmovable-guests", "pve3"),
    ("quorum-lost", "pve1"), ("node-maintenance", "pve1"), ("two-node", "pve1"),
  ]

  @Test("evacuate runs as its golden says", .tags(.cases), arguments: cases.map(\.0))
  func run(_ name: String) throws {
    let folder = try #require(CaseFolder.all.first { $0.name == name })
    let node = try #require(Self.cases.first { $0.0 == name }?.1)
    let dir = try folder.stage()
    defer { try? FileManager.default.removeItem(at: dir) }
    let args = [
      "evacuate", node, folder.snapshotArgument, "--playbook", "playbook.yaml", "--out",
      "plan.json",
    ]
    let r = try Spawn.pvemend(args, in: dir)
    #expect(!r.signalled, "\(name): \(r.commandLine) crashed (\(r.outcome))")
    #expect([0, 3].contains(r.status), "\(name): \(r.outcome)\n\(r.stderrText)")
    assertGolden(r.transcript, at: folder.goldenFolder.appendingPathComponent("evacuate.txt"))

    let saved = try Data(contentsOf: dir.appendingPathComponent("plan.json"))
    let object = try JSONSerialization.jsonObject(with: saved) as? [String: Any]
    let evacuation = object?["evacuation"] as? [String: Any]
    #expect(evacuation?["node"] as? String == node)
    let unresolved = object?["unresolved"] as? [[String: Any]] ?? []
    let emptied = unresolved.allSatisfy { ($0["limit"] as? String) == "template" }
    #expect((r.status == 0) == emptied, "\(name): exit \(r.status) vs \(unresolved.count) staying")

    let json = try Spawn.pvemend(Array(args.dropLast(2)) + ["--format", "json"], in: dir)
    #expect(json.stdout == saved, "\(name): --format json differs from --out")
    let show = try Spawn.pvemend(["show", "plan.json"], in: dir)
    #expect(show.status == 0)
    #expect(r.stdoutText.hasPrefix(show.stdoutText), "\(name): show differs from evacuate's view")
  }

  @Test("--nodes checks each node in turn and writes one plan per node", .tags(.cases))
  func rolling() throws {
    let folder = try #require(CaseFolder.all.first { $0.name == "baseline" })
    let dir = try folder.stage()
    defer { try? FileManager.default.removeItem(at: dir) }
    try FileManager.default.createDirectory(
      at: dir.appendingPathComponent("plans"), withIntermediateDirectories: true)
    let r = try Spawn.pvemend(
      [
        "evacuate", "--nodes", "pve1,pve2,pve3", "snapshot.json", "--playbook", "playbook.yaml",
        "--out-dir", "plans",
      ], in: dir)
    #expect([0, 3].contains(r.status), "\(r.outcome)\n\(r.stderrText)")
    assertGolden(
      r.transcript, at: folder.goldenFolder.appendingPathComponent("evacuate.rolling.txt"))
    for node in ["pve1", "pve2", "pve3"] {
      #expect(
        FileManager.default.fileExists(
          atPath: dir.appendingPathComponent("plans/evacuate-\(node).json").path))
    }
    let bad = try #require(CaseFolder.all.first { $0.name == "ha-restricted-group" })
    let badDir = try bad.stage()
    defer { try? FileManager.default.removeItem(at: badDir) }
    let refused = try Spawn.pvemend(
      ["evacuate", "--nodes", "pve1,pve2", "snapshot.json", "--playbook", "playbook.yaml"],
      in: badDir)
    #expect(refused.status == 3, "a node that cannot be emptied: exit 3, got \(refused.outcome)")
    #expect(refused.stdoutText.contains("CANNOT be emptied"))

    // The same report as JSON and markdown: the same verdicts and figures as the plans written.
    let base = [
      "evacuate", "--nodes", "pve1,pve2,pve3", "snapshot.json", "--playbook", "playbook.yaml",
    ]
    let json = try Spawn.pvemend(base + ["--format", "json"], in: dir)
    #expect(json.status == r.status, "\(json.outcome)")
    assertGolden(
      json.transcript,
      at: folder.goldenFolder.appendingPathComponent("evacuate.rolling.json.txt"))
    let report = try #require(
      try JSONSerialization.jsonObject(with: json.stdout) as? [String: Any])
    #expect(report["format"] as? String == "pvemend-rolling-evacuation/1")
    let turns = try #require(report["turns"] as? [[String: Any]])
    #expect(turns.map { $0["node"] as? String } == ["pve1", "pve2", "pve3"])
    for turn in turns {
      let node = turn["node"] as? String ?? ""
      let plan = try #require(
        try JSONSerialization.jsonObject(
          with: Data(contentsOf: dir.appendingPathComponent("plans/evacuate-\(node).json")))
          as? [String: Any])
      let steps = plan["steps"] as? [[String: Any]] ?? []
      #expect(turn["moves"] as? Int == steps.filter { $0["kind"] as? String == "migrate" }.count)
      #expect(
        (turn["staying"] as? [String])?.count
          == (plan["evacuation"] as? [String: Any])?["staying"].flatMap { ($0 as? [String])?.count }
      )
    }
    #expect(
      (report["allEmptied"] as? Bool) == (r.status == 0)
        && turns.allSatisfy { ($0["emptied"] as? Bool) != nil })
    let markdown = try Spawn.pvemend(base + ["--format", "markdown"], in: dir)
    #expect(markdown.status == r.status)
    #expect(markdown.stdoutText.contains("| node | moves | outage | stays | verdict |"))
    let html = try Spawn.pvemend(base + ["--format", "html"], in: dir)
    #expect(html.status == 64 && html.stderrText.contains("html is one plan's review page"))
  }

  @Test("an unknown node is bad input naming the nodes", .tags(.cases))
  func unknownNode() throws {
    let folder = try #require(CaseFolder.all.first { $0.name == "baseline" })
    let dir = try folder.stage()
    defer { try? FileManager.default.removeItem(at: dir) }
    let r = try Spawn.pvemend(["evacuate", "pve9", "snapshot.json"], in: dir)
    #expect(r.status == 2)
    #expect(r.stdout.isEmpty)
    #expect(
      r.stderrText.contains("snapshot.json") && r.stderrText.contains("no node 'pve9'")
        && r.stderrText.contains("pve1, pve2, pve3"))
    let usage = try Spawn.pvemend(["evacuate", "snapshot.json"], in: dir)
    #expect(usage.status == 64)
  }
}
