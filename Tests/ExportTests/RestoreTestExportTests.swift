import Export
import Foundation
import PVEMendTestSupport
import PVEModel
import Planning
import Testing

/// Exports of a restore-test plan: the guest agent wait is a real wait (`qm agent VMID ping` until
/// it answers, with a timeout), not advice.
@Suite("Export of a restore-test plan")
struct RestoreTestExportTests {
  /// `pvemend restore-test` of three guests on the pve9 example (the CLI tests' fixture).
  static func plan() throws -> Plan {
    let file = Fixtures.root.appendingPathComponent("Tests/CLITests/RestoreTests/restore-test.json")
    return try PlanFile.decode(Data(contentsOf: file), file: file.path)
  }

  @Test("goldens: bash script, ansible playbook, change request")
  func goldens() throws {
    let plan = try Self.plan()
    #expect(plan.steps.contains { $0.wait?.kind == Wait.agentPing })
    for (format, name) in [
      (ExportFormat.sh, "restore-test.sh"), (.ansible, "restore-test.yml"),
      (.markdown, "restore-test.md"),
    ] {
      let text = PlanExport.render(plan, format: format, digest: ExportTests.digest)
      #expect(!text.contains("advice, nothing to run: qm agent"), "\(name)")
      let waits = [
        "wait_agent pve2 99901 300", "`qm agent 99901 ping`", "until: pvemend_agent_ping.rc == 0",
      ]
      #expect(waits.contains { text.contains($0) }, "\(name)")
      assertGolden(text, name)
    }
  }

  @Test("the script pings the agent until it answers, and fails after the timeout")
  func scriptWaitsForTheAgent() async throws {
    let dir = try Tool.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: dir) }
    let script = dir.appendingPathComponent("restore-test.sh")
    try Data(PlanExport.render(try Self.plan(), format: .sh, digest: ExportTests.digest).utf8)
      .write(to: script)
    let syntax = try await Tool.run("/bin/bash", ["-n", script.path])
    #expect(syntax.status == 0, "\(syntax.stderr)")
    // An ssh whose agent ping fails twice per VM, then answers; every other line succeeds.
    let ssh = dir.appendingPathComponent("fake-ssh")
    let log = dir.appendingPathComponent("pings").path
    try Data(
      """
      #!/usr/bin/env bash
      line=${!#}
      if [[ $line == 'qm agent '*' ping' ]]; then
        echo "$line" >>\(ShellQuoting.quote(log))
        n=$(grep -cxF -- "$line" \(ShellQuoting.quote(log)))
        if ((n < 3)); then echo 'QEMU guest agent is not running' >&2; exit 255; fi
      fi
      exit 0

      """.utf8
    ).write(to: ssh)
    try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: ssh.path)
    let r = try await Tool.run(
      "/bin/bash", [script.path, "--execute"],
      environment: ["PVEMEND_SSH": ssh.path, "PVEMEND_POLL_SECONDS": "0"])
    #expect(r.status == 0, "\(r.stdout)\(r.stderr)")
    #expect(r.stdout.contains("the guest agent of VM 99901 answers"), "\(r.stdout)")
    let pings = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
    #expect(pings.split(separator: "\n").filter { $0 == "qm agent 99901 ping" }.count == 3)
    // An agent that never answers: the step fails after its timeout (300 s in the plan; the
    // script's timeout comes from the plan, so a plan with 1 s is written here).
    var quick = try Self.plan()
    for i in quick.steps.indices where quick.steps[i].wait?.kind == Wait.agentPing {
      quick.steps[i].wait?.timeoutSeconds = 1
    }
    try Data(PlanExport.render(quick, format: .sh, digest: ExportTests.digest).utf8)
      .write(to: script)
    try Data(
      "#!/usr/bin/env bash\nline=${!#}\n[[ $line == 'qm agent '*' ping' ]] && exit 255\nexit 0\n"
        .utf8
    )
    .write(to: ssh)
    let never = try await Tool.run(
      "/bin/bash", [script.path, "--execute"],
      environment: ["PVEMEND_SSH": ssh.path, "PVEMEND_POLL_SECONDS": "0.2"])
    #expect(never.status != 0)
    #expect(
      never.stderr.contains("the guest agent of VM 99901 on pve2 did not answer within 1 s"),
      "\(never.stderr)")
  }
}
