import Execution
import Foundation
import PVEMendTestSupport
import Testing

/// `apply`, `export` and `undo` through the built `pvemend` binary.
@Suite("pvemend apply/export/undo command lines")
struct ApplyCommandLineTests {
  /// The export tests' golden plan: every step kind, hostile names.
  static let planFile = Fixtures.root.appendingPathComponent("Tests/ExportTests/Golden/plan.json")
    .path

  func pvemend(_ args: [String]) async throws -> Tool.Output {
    let binary = try PVEMendBinary.require()
    return try await Tool.run(binary, args)
  }

  @Test("export writes each format; the digest is the SHA-256 of the plan file")
  func export() async throws {
    let dir = try Tool.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: dir) }
    let data = try Data(contentsOf: URL(fileURLWithPath: Self.planFile))
    let digest = PlanDigest.of(data)
    for format in ["sh", "ansible", "markdown"] {
      let out = dir.appendingPathComponent("plan.\(format)").path
      let r = try await pvemend(["export", Self.planFile, "--format", format, "--out", out])
      #expect(r.status == 0, "\(r.stderr)")
      let text = String(decoding: try Data(contentsOf: URL(fileURLWithPath: out)), as: UTF8.self)
      #expect(text.contains(digest))
    }
    let perms =
      try FileManager.default.attributesOfItem(atPath: dir.appendingPathComponent("plan.sh").path)[
        .posixPermissions] as? Int
    #expect(perms == 0o755)
    let stdout = try await pvemend(["export", Self.planFile])
    #expect(stdout.stdout.hasPrefix("#!/usr/bin/env bash\n"))
    let bad = try await pvemend(["export", Self.planFile, "--format", "puppet"])
    #expect(bad.status == 64)
    #expect(bad.stderr.contains("unknown format 'puppet'; use one of: sh, ansible, markdown"))
  }

  @Test("apply refuses --execute without a terminal and without --yes (exit 3); flags are checked")
  func applyRefusals() async throws {
    let r = try await pvemend(["apply", Self.planFile, "--execute"])
    #expect(r.status == 3)
    #expect(r.stderr.contains("refusing to execute without a terminal to confirm on; pass --yes"))
    let yes = try await pvemend(["apply", Self.planFile, "--yes"])
    #expect(yes.status == 64)
    #expect(yes.stderr.contains("--yes only makes sense with --execute"))
    let missing = try await pvemend(["apply", "/nonexistent/plan.json"])
    #expect(missing.status == 2)
    #expect(
      missing.stderr
        == "pvemend apply: /nonexistent/plan.json: cannot read it (no such file); check the path\n")
    let help = try await pvemend(["apply", "--help"])
    let helpText = help.stdout.split(whereSeparator: \.isWhitespace).joined(separator: " ")
    #expect(
      helpText.contains(
        "Exit codes: 0 success or nothing to do; 1 a step failed, or its outcome is unknown"))
    #expect(helpText.contains("2 bad input"))
    #expect(helpText.contains("leaves its step unknown (exit 1)"))
  }

  @Test("undo of a journal without executed steps is refused (exit 3)")
  func undoNothing() async throws {
    let dir = try Tool.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: dir) }
    let journal = dir.appendingPathComponent("plan.json.journal.jsonl")
    var start = JournalEntry(event: .runStart, time: "t", run: "r")
    start.mode = .dryRun
    try Data((start.line() + "\n").utf8).write(to: journal)
    let r = try await pvemend(["undo", journal.path])
    #expect(r.status == 3)
    #expect(r.stderr.contains("no executed step to undo"))
  }
}
