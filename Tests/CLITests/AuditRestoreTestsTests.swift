import Foundation
import PVEMendTestSupport
import Testing

/// `pvemend audit SNAPSHOT --restore-tests JOURNAL…` (issue 15 part 3): measured recovery from
/// restore-test journals. Fixtures in `RestoreTests/` (`make-journals.py` writes the journals;
/// the snapshot is `examples/pve9-rules-cluster.json`):
/// the plan `restore-test.json` of three guests on the pve9 example, a night run (incomplete,
/// failed `qm set`, failed restore) and a morning run (two passed, one agent timeout).
@Suite struct AuditRestoreTestsTests {
  static let folder = Fixtures.root.appendingPathComponent("Tests/CLITests/RestoreTests")

  func staged() throws -> URL {
    let dir = try Spawn.temporaryDirectory("restore-tests")
    let fm = FileManager.default
    for item in try fm.contentsOfDirectory(atPath: Self.folder.path)
    where item.hasSuffix(".json") || item.hasSuffix(".jsonl") {
      try fm.copyItem(
        at: Self.folder.appendingPathComponent(item), to: dir.appendingPathComponent(item))
    }
    try fm.copyItem(
      at: Fixtures.playbook("default.yaml"), to: dir.appendingPathComponent("playbook.yaml"))
    try fm.copyItem(
      at: Fixtures.example("pve9-rules-cluster.json"),
      to: dir.appendingPathComponent("snapshot.json"))
    // The night run ran the same plan, saved as night.json.
    try fm.copyItem(
      at: Self.folder.appendingPathComponent("restore-test.json"),
      to: dir.appendingPathComponent("night.json"))
    return dir
  }

  static let journals = ["night.json.journal.jsonl", "restore-test.json.journal.jsonl"]

  func audit(_ format: String, _ journals: [String], in dir: URL) throws -> ProcessRun {
    try Spawn.pvemend(
      ["audit", "snapshot.json", "--playbook", "playbook.yaml", "--format", format]
        + (journals.isEmpty ? [] : ["--restore-tests"] + journals), in: dir)
  }

  @Test("the measured RTO table, scenarios and DR score: goldens in text, markdown and json")
  func goldens() throws {
    let dir = try staged()
    defer { try? FileManager.default.removeItem(at: dir) }
    for format in ["text", "markdown", "json"] {
      let r = try audit(format, Self.journals, in: dir)
      #expect(r.status == 0, "\(r.stderrText)")
      assertGolden(
        r.transcript,
        at: Self.folder.appendingPathComponent("golden/audit.\(format).txt"))
    }
  }

  @Test("the newest record per guest wins, whatever the journals' order; same bytes each run")
  func newestWinsAndDeterministic() throws {
    let dir = try staged()
    defer { try? FileManager.default.removeItem(at: dir) }
    let a = try audit("json", Self.journals, in: dir)
    let b = try audit("json", Self.journals.reversed(), in: dir)
    let c = try audit("json", Self.journals, in: dir)
    #expect(a.status == 0 && a.stdout == b.stdout && a.stdout == c.stdout)
    let report = try #require(
      try JSONSerialization.jsonObject(with: a.stdout) as? [String: Any])
    let measured = try #require(report["measuredRecovery"] as? [String: Any])
    let rows = try #require(measured["rows"] as? [[String: Any]])
    let verdicts = Dictionary(
      uniqueKeysWithValues: rows.map { ($0["vmid"] as? Int ?? 0, $0["verdict"] as? String ?? "") })
    #expect(
      verdicts == [201: "failed", 204: "passed", 210: "passed", 211: "untested", 220: "untested"])
    #expect(measured["criticalTested"] as? Int == 1 && measured["criticalGuests"] as? Int == 3)
    #expect(measured["scoreBonus"] as? Double == 1.0)
    let row210 = try #require(rows.first { $0["vmid"] as? Int == 210 })
    #expect(row210["restoreSeconds"] as? Double == 41.5)
    #expect(row210["bootSeconds"] as? Double == 6.3)  // 6.25 rounded to one decimal
    let row204 = try #require(rows.first { $0["vmid"] as? Int == 204 })
    #expect(row204["bootSeconds"] as? Double == 29.3)  // start 7.75 + agent wait 21.5
  }

  @Test("a night run: failed qm set, failed restore, interrupted before the start")
  func failedAndIncomplete() throws {
    let dir = try staged()
    defer { try? FileManager.default.removeItem(at: dir) }
    let r = try audit("json", ["night.json.journal.jsonl"], in: dir)
    #expect(r.status == 0, "\(r.stderrText)")
    let report = try #require(
      try JSONSerialization.jsonObject(with: r.stdout) as? [String: Any])
    let rows = try #require(
      (report["measuredRecovery"] as? [String: Any])?["rows"] as? [[String: Any]])
    func row(_ vmid: Int) -> [String: Any]? { rows.first { $0["vmid"] as? Int == vmid } }
    #expect(row(210)?["verdict"] as? String == "incomplete")
    #expect((row(210)?["detail"] as? String)?.contains("the run stopped") == true)
    #expect(row(204)?["verdict"] as? String == "failed")
    #expect((row(204)?["detail"] as? String)?.contains("unable to parse network options") == true)
    #expect(row(201)?["verdict"] as? String == "failed")
    #expect(row(201)?["restoreSeconds"] == nil)
    let findings = try #require(report["findings"] as? [[String: Any]])
    let ids = findings.compactMap { $0["id"] as? String }.filter { $0.hasPrefix("restore.") }
    #expect(
      ids.sorted() == ["restore.failed/ct:210", "restore.failed/vm:201", "restore.failed/vm:204"])
  }

  @Test("without --restore-tests the report has no measured recovery")
  func withoutRecords() throws {
    let dir = try staged()
    defer { try? FileManager.default.removeItem(at: dir) }
    for format in ["text", "json"] {
      let r = try audit(format, [], in: dir)
      #expect(r.status == 0)
      #expect(
        !r.stdoutText.contains("Measured Recovery") && !r.stdoutText.contains("measuredRecovery"))
      #expect(!r.stdoutText.contains("restore from backup"))
    }
  }

  @Test("bad journals exit 2 naming the file (and the line), with the fix")
  func badJournals() throws {
    let dir = try staged()
    defer { try? FileManager.default.removeItem(at: dir) }
    func write(_ name: String, _ text: String) throws {
      try Data(text.utf8).write(to: dir.appendingPathComponent(name))
    }
    let good = try String(
      contentsOf: dir.appendingPathComponent("restore-test.json.journal.jsonl"), encoding: .utf8)
    var lines = good.split(separator: "\n").map(String.init)
    lines[2] = "{not json"
    try write("garbled.journal.jsonl", lines.joined(separator: "\n") + "\n")
    try write(
      "dry.journal.jsonl",
      good.split(separator: "\n").filter { !$0.contains("\"step-") }
        .map { $0.replacingOccurrences(of: "\"mode\":\"execute\"", with: "\"mode\":\"dry-run\"") }
        .joined(separator: "\n") + "\n")
    try FileManager.default.copyItem(
      at: dir.appendingPathComponent("restore-test.json.journal.jsonl"),
      to: dir.appendingPathComponent("moved.json.journal.jsonl"))
    try write("empty.journal.jsonl", "")
    let cases: [(String, [String])] = [
      ("garbled.journal.jsonl", ["garbled.journal.jsonl:3:", "not a journal entry"]),
      ("dry.journal.jsonl", ["dry.journal.jsonl", "no executed restore-test run", "--execute"]),
      ("missing.journal.jsonl", ["missing.journal.jsonl", "cannot read the journal"]),
      ("empty.journal.jsonl", ["empty.journal.jsonl", "empty journal"]),
    ]
    for (file, needles) in cases {
      let r = try audit("text", [file], in: dir)
      #expect(r.status == 2, "\(file): \(r.outcome)")
      #expect(r.stdout.isEmpty, "\(file)")
      for n in needles { #expect(r.stderrText.contains(n), "\(file): \(r.stderrText)") }
    }
    // The journal names its plan (restore-test.json): found although the journal was renamed.
    let moved = try audit("text", ["moved.json.journal.jsonl"], in: dir)
    #expect(moved.status == 0, "\(moved.stderrText)")
    // The plan changed after the run: its digest no longer matches the journal's.
    let plan = dir.appendingPathComponent("restore-test.json")
    try write("restore-test.json", try String(contentsOf: plan, encoding: .utf8) + "\n")
    let changed = try audit("text", ["moved.json.journal.jsonl"], in: dir)
    #expect(changed.status == 2, "\(changed.outcome)")
    #expect(changed.stderrText.contains("moved.json.journal.jsonl"), "\(changed.stderrText)")
    #expect(changed.stderrText.contains("give the plan file the run used"), "\(changed.stderrText)")
    // Without the plan: the message says where it looked.
    try FileManager.default.removeItem(at: dir.appendingPathComponent("restore-test.json"))
    let gone = try audit("text", ["moved.json.journal.jsonl"], in: dir)
    #expect(
      gone.status == 2 && gone.stderrText.contains("cannot find the plan"), "\(gone.stderrText)")
  }
}
