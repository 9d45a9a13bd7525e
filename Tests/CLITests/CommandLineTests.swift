import Foundation
import PVEMendTestSupport
import Testing

/// The documented exit codes and the edges of the command line, through the built binary.
@Suite("pvemend command line: exit codes, stdin, output files")
struct CommandLineTests {
  func staged() throws -> URL {
    try #require(CaseFolder.all.first { $0.name == "baseline" }).stage()
  }

  @Test("usage errors exit 64; bad input exits 2; --fail-on exits 3")
  func exitCodes() throws {
    let dir = try staged()
    defer { try? FileManager.default.removeItem(at: dir) }
    let expectations: [([String], Int32)] = [
      (["audit"], 64),
      (["audit", "snapshot.json", "--format", "yaml"], 64),
      (["plan", "snapshot.json"], 64),
      (["plan", "snapshot.json", "--playbook", "playbook.yaml", "--format", "pdf"], 64),
      (["show"], 64),
      (["frobnicate"], 64),
      (["audit", "snapshot.json", "--fail-on", "critical"], 3),
      (["audit", "snapshot.json", "--fail-on", "info"], 3),
      (["audit", ".", "--playbook", "playbook.yaml"], 2),
      (["audit", "snapshot.json", "--playbook", "snapshot.json"], 2),
      (
        ["plan", "snapshot.json", "--playbook", "playbook.yaml", "--out", "no/such/dir/plan.json"],
        2
      ),
      (["show", "snapshot.json"], 2),
      (["audit", "snapshot.json"], 0),
      (["--version"], 0),
    ]
    for (args, status) in expectations {
      let r = try Spawn.pvemend(args, in: dir)
      #expect(!r.signalled, "\(r.commandLine) crashed")
      #expect(
        r.status == status,
        "\(r.commandLine): \(r.outcome), expected exit \(status)\n\(r.stderrText)")
    }
  }

  @Test("each command's --help states its exit codes")
  func helpStatesExitCodes() throws {
    let dir = try staged()
    defer { try? FileManager.default.removeItem(at: dir) }
    for command in ["audit", "plan", "show"] {
      let r = try Spawn.pvemend([command, "--help"], in: dir)
      #expect(r.status == 0)
      #expect(r.stdoutText.contains("Exit codes"), "pvemend \(command) --help: no exit codes")
    }
  }

  @Test("'-' reads the snapshot from standard input, with the same result as the file")
  func standardInput() throws {
    let dir = try staged()
    defer { try? FileManager.default.removeItem(at: dir) }
    let file = try Spawn.pvemend(["audit", "snapshot.json", "--format", "json"], in: dir)
    let piped = try Spawn.run(
      "/bin/bash", ["-c", "\"$0\" audit - --format json < snapshot.json", PVEMendBinary.require()],
      label: "pvemend audit - < snapshot.json", in: dir)
    #expect(piped.status == 0, "\(piped.stderrText)")
    #expect(piped.stdout == file.stdout)
  }

  @Test("plan --out writes the same bytes as --format json, and a failed write leaves no file")
  func outFile() throws {
    let dir = try staged()
    defer { try? FileManager.default.removeItem(at: dir) }
    let json = try Spawn.pvemend(
      [
        "plan", "snapshot.json", "--playbook", "playbook.yaml", "--format", "json", "--out",
        "p.json",
      ],
      in: dir)
    #expect(json.status == 0)
    #expect(try Data(contentsOf: dir.appendingPathComponent("p.json")) == json.stdout)
    #expect(json.stderrText.contains("Saved the plan to p.json"))
    let failed = try Spawn.pvemend(
      ["plan", "snapshot.json", "--playbook", "playbook.yaml", "--out", "missing/p.json"], in: dir)
    #expect(failed.status == 2)
    #expect(failed.stderrText.contains("missing/p.json"))
    #expect(!FileManager.default.fileExists(atPath: dir.appendingPathComponent("missing").path))
  }
}
