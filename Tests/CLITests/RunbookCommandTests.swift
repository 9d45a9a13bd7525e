import Foundation
import PVEMendTestSupport
import Testing

/// `pvemend runbook` through the built binary: the reference cluster's runbook is the module's
/// golden (`Tests/RunbookTests/Golden/reference/`), `--out` writes the same bytes, `--records`
/// reads restore-test records, and the documented exit statuses (2 bad input, 64 bad command line).
@Suite("pvemend runbook end to end")
struct RunbookCommandTests {
  static let golden = Fixtures.root.appendingPathComponent("Tests/RunbookTests/Golden/reference")

  @Test func referenceRunbookIsTheGolden() throws {
    let dir = Fixtures.root
    let args = ["runbook", "examples/homelab-cluster.json", "--playbook", "playbooks/homelab.yaml"]
    let md = try Spawn.pvemend(args, in: dir)
    #expect(md.status == 0, "\(md.outcome)\n\(md.stderrText)")
    #expect(md.stdout == (try Data(contentsOf: Self.golden.appendingPathComponent("runbook.md"))))
    #expect(md.stderr.isEmpty)

    let tmp = try Spawn.temporaryDirectory("runbook")
    defer { try? FileManager.default.removeItem(at: tmp) }
    let out = tmp.appendingPathComponent("runbook.html")
    let html = try Spawn.pvemend(args + ["--format", "html", "--out", out.path], in: dir)
    #expect(html.status == 0, "\(html.outcome)\n\(html.stderrText)")
    #expect(html.stdout.isEmpty)
    #expect(
      (try Data(contentsOf: out))
        == (try Data(contentsOf: Self.golden.appendingPathComponent("runbook.html"))))

    let json = try Spawn.pvemend(args + ["--format", "json"], in: dir)
    #expect(
      json.stdout == (try Data(contentsOf: Self.golden.appendingPathComponent("runbook.json"))))
  }

  @Test func recordsGiveMeasuredTimes() throws {
    let tmp = try Spawn.temporaryDirectory("runbook-records")
    defer { try? FileManager.default.removeItem(at: tmp) }
    let records = tmp.appendingPathComponent("records.json")
    try Data(
      """
      [{"vmid": 121, "kind": "lxc", "name": "traefik-2", "backupVolid": "Truenas_jbod:backup/vzdump-lxc-121-2025_11_08-02_00_00.tar.zst", "node": "proxmox2", "scratchVMID": 9000, "testedAt": "2025-11-08T03:00:00Z", "restoreSeconds": 61.5, "bootSeconds": 4.5, "verdict": "passed"}]
      """.utf8
    ).write(to: records)
    let r = try Spawn.pvemend(
      [
        "runbook", "examples/homelab-cluster.json", "--playbook", "playbooks/homelab.yaml",
        "--records", records.path,
      ], in: Fixtures.root)
    #expect(r.status == 0, "\(r.outcome)\n\(r.stderrText)")
    #expect(r.stdoutText.contains("from 1 restore test(s)"))
  }

  @Test func badInputIsTwoAndBadCommandLineIs64() throws {
    let tmp = try Spawn.temporaryDirectory("runbook-bad")
    defer { try? FileManager.default.removeItem(at: tmp) }
    let missing = try Spawn.pvemend(["runbook", "nope.json"], in: tmp)
    #expect(missing.status == 2, "\(missing.outcome)")
    #expect(missing.stdout.isEmpty)
    #expect(missing.stderrText.contains("nope.json"))

    let bad = tmp.appendingPathComponent("records.json")
    try Data("{\"not\": \"a list\"}".utf8).write(to: bad)
    let records = try Spawn.pvemend(
      ["runbook", Fixtures.example("homelab-cluster.json").path, "--records", bad.path], in: tmp)
    #expect(records.status == 2, "\(records.outcome)")
    #expect(records.stderrText.contains("not a JSON array of restore records"))

    let format = try Spawn.pvemend(
      ["runbook", Fixtures.example("homelab-cluster.json").path, "--format", "pdf"], in: tmp)
    #expect(format.status == 64, "\(format.outcome)")
  }
}
