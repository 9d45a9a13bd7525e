import Foundation
import PVEMendTestSupport
import Testing

/// Every case folder, end to end through the built binary: audit (3 formats), plan (3 formats,
/// saved), show, export (sh, ansible, markdown), the exported script run against stand-in nodes.
@Suite("pvemend end to end on odd clusters and bad input")
struct CaseTests {
  /// The exit statuses `pvemend audit|plan|show|export --help` document.
  static let documentedExits: Set<Int32> = [0, 2, 3, 64]

  @Test("the case folders are there", .tags(.cases))
  func casesExist() {
    #expect(CaseFolder.all.count >= 30, "Tests/CLITests/Cases/*/expect.json not found")
  }

  @Test("a case runs as its goldens say", .tags(.cases), arguments: CaseFolder.all)
  func run(_ folder: CaseFolder) throws {
    let dir = try folder.stage()
    defer { try? FileManager.default.removeItem(at: dir) }
    if folder.isBadInput {
      try badInput(folder, dir)
    } else {
      try goodInput(folder, dir)
    }
  }

  // MARK: Bad input: exit 2, a message that names the file, the place and the fix

  func badInput(_ folder: CaseFolder, _ dir: URL) throws {
    let snap = folder.snapshotArgument
    let runs: [(String, [String])] = [
      ("audit.text", ["audit", snap, "--playbook", "playbook.yaml"]),
      ("audit.json", ["audit", snap, "--playbook", "playbook.yaml", "--format", "json"]),
      ("plan.text", ["plan", snap, "--playbook", "playbook.yaml", "--out", "plan.json"]),
      ("plan.json", ["plan", snap, "--playbook", "playbook.yaml", "--format", "json"]),
    ]
    for (label, args) in runs {
      let r = try Spawn.pvemend(args, in: dir)
      #expect(
        !r.signalled, "\(folder.name): \(r.commandLine) crashed (\(r.outcome))\n\(r.stderrText)")
      #expect(
        r.status == folder.expectation.exit,
        "\(folder.name): \(r.commandLine): \(r.outcome)\n\(r.stderrText)")
      #expect(r.stdout.isEmpty, "\(folder.name): \(r.commandLine) printed to stdout on bad input")
      for needle in folder.expectation.stderr ?? [] {
        #expect(
          r.stderrText.contains(needle),
          "\(folder.name): \(r.commandLine): stderr lacks '\(needle)':\n\(r.stderrText)")
      }
      #expect(r.stderrText.split(separator: "\n").count == 1, "one line, got:\n\(r.stderrText)")
      if label.hasSuffix(".text") {
        assertGolden(r.transcript, at: folder.goldenFolder.appendingPathComponent("\(label).txt"))
      }
    }
    #expect(
      !FileManager.default.fileExists(atPath: dir.appendingPathComponent("plan.json").path),
      "\(folder.name): a plan was saved from bad input")
  }

  // MARK: Good input: every command, goldens, determinism, Proxmox exactness, safe scripts

  func goodInput(_ folder: CaseFolder, _ dir: URL) throws {
    let snap = folder.snapshotArgument
    let pb = ["--playbook", "playbook.yaml"]
    var transcripts: [(String, ProcessRun)] = []
    func pvemend(_ label: String, _ args: [String], golden: Bool = true) throws -> ProcessRun {
      let r = try Spawn.pvemend(args, in: dir)
      #expect(
        !r.signalled, "\(folder.name): \(r.commandLine) crashed (\(r.outcome))\n\(r.stderrText)")
      #expect(
        Self.documentedExits.contains(r.status),
        "\(folder.name): \(r.commandLine): undocumented \(r.outcome)\n\(r.stderrText)")
      #expect(r.status == 0, "\(folder.name): \(r.commandLine): \(r.outcome)\n\(r.stderrText)")
      if golden { transcripts.append((label, r)) }
      return r
    }

    // Audit, three formats; the JSON twice (separate processes: separate hash seeds).
    _ = try pvemend("audit.text", ["audit", snap] + pb)
    _ = try pvemend("audit.markdown", ["audit", snap] + pb + ["--format", "markdown"])
    let auditJSON = try pvemend("audit.json", ["audit", snap] + pb + ["--format", "json"])
    let auditAgain = try pvemend("", ["audit", snap] + pb + ["--format", "json"], golden: false)
    #expect(
      auditJSON.stdout == auditAgain.stdout, "\(folder.name): audit JSON differs between runs")
    if !auditJSON.stdout.isEmpty {
      #expect(
        (try? JSONSerialization.jsonObject(with: auditJSON.stdout)) != nil,
        "\(folder.name): audit --format json is not JSON")
    }

    // Plan: text saved to plan.json, then JSON and markdown; the JSON twice. The JSON golden
    // leaves out the embedded snapshot (the input itself; its digest stays in).
    let planText = try pvemend("plan.text", ["plan", snap] + pb + ["--out", "plan.json"])
    let planJSON = try pvemend("", ["plan", snap] + pb + ["--format", "json"], golden: false)
    transcripts.append(("plan.json", try Self.elidingSnapshot(planJSON)))
    let planAgain = try pvemend("", ["plan", snap] + pb + ["--format", "json"], golden: false)
    _ = try pvemend("plan.markdown", ["plan", snap] + pb + ["--format", "markdown"])
    #expect(planJSON.stdout == planAgain.stdout, "\(folder.name): plan JSON differs between runs")
    let saved = try Data(contentsOf: dir.appendingPathComponent("plan.json"))
    #expect(saved == planJSON.stdout, "\(folder.name): --out and --format json differ")

    // Show renders the saved plan alone, exactly as plan did (less the "Saved" note).
    let shown = try pvemend("", ["show", "plan.json"], golden: false)
    let saveNote = "\nSaved the plan to plan.json."
    let planView = planText.stdoutText.components(separatedBy: saveNote).first ?? ""
    #expect(shown.stdoutText == planView, "\(folder.name): show differs from plan's own view")
    let shownJSON = try pvemend("", ["show", "plan.json", "--format", "json"], golden: false)
    #expect(shownJSON.stdout == saved, "\(folder.name): show --format json does not round-trip")

    // Export: the script is pinned and made twice; the other formats must work.
    let script = try pvemend("export.sh", ["export", "plan.json", "--format", "sh"])
    let scriptAgain = try pvemend("", ["export", "plan.json", "--format", "sh"], golden: false)
    #expect(script.stdout == scriptAgain.stdout, "\(folder.name): export differs between runs")
    for format in ["ansible", "markdown"] {
      let export = try pvemend("", ["export", "plan.json", "--format", format], golden: false)
      #expect(!export.stdout.isEmpty, "\(folder.name): export \(format) printed nothing")
    }

    for (label, r) in transcripts {
      assertGolden(r.transcript, at: folder.goldenFolder.appendingPathComponent("\(label).txt"))
    }

    let plan = try PlanCommands(saved)
    for rule in folder.expectation.forbidden ?? [] {
      for command in plan.commands where rule.matches(command.argv) {
        Issue.record(
          "\(folder.name): the plan runs \(command), which it must not: \(rule.why)")
      }
    }
    try scriptChecks(folder, plan: plan, script: script.stdout, dir: dir)
  }

  /// Every argv of every case's plan is one Proxmox accepts, for the plan's PVE major: all plans
  /// are checked in one pve-argv-check run per major (the checker's start-up is the slow part).
  @Test("every argv of every plan passes pve-argv-check", .tags(.cases))
  func argvOfEveryPlan() throws {
    guard ArgvCheck.tool != nil else {
      print(ArgvCheck.skipMessage)
      return
    }
    let dir = try Spawn.temporaryDirectory("argv")
    defer { try? FileManager.default.removeItem(at: dir) }
    var byMajor: [Int: [(String, PlanCommands.Command)]] = [:]
    for folder in CaseFolder.all where !folder.isBadInput {
      let staged = try folder.stage()
      defer { try? FileManager.default.removeItem(at: staged) }
      let r = try Spawn.pvemend(
        ["plan", folder.snapshotArgument, "--playbook", "playbook.yaml", "--format", "json"],
        in: staged)
      guard r.status == 0 else { continue }  // reported by the case's own test
      let plan = try PlanCommands(r.stdout)
      byMajor[plan.pveMajor, default: []] += plan.commands.map { (folder.name, $0) }
    }
    #expect(!byMajor.isEmpty)
    for (major, commands) in byMajor.sorted(by: { $0.key < $1.key }) {
      let list = try JSONSerialization.data(withJSONObject: commands.map(\.1.argv))
      let file = "argv-pve\(major).json"
      try list.write(to: dir.appendingPathComponent(file))
      let check = try #require(try ArgvCheck.run(planFile: file, major: major, in: dir))
      let refused = check.stdoutText.split(separator: "\n").filter { !$0.hasPrefix("ok ") }
      #expect(
        check.status == 0,
        "Proxmox \(major) would refuse some of \(commands.count) commands:\n\(refused.joined(separator: "\n"))"
      )
    }
  }

  /// The run with the plan's embedded `snapshot` (a copy of the input) replaced by a marker.
  static func elidingSnapshot(_ run: ProcessRun) throws -> ProcessRun {
    guard var top = try JSONSerialization.jsonObject(with: run.stdout) as? [String: Any] else {
      return run
    }
    top["snapshot"] = "<the input snapshot, elided from this golden>"
    var elided = run
    elided.stdout = try JSONSerialization.data(
      withJSONObject: top, options: [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes])
    return elided
  }

  /// The script parses, its dry run sends nothing, and run for real against stand-in nodes it
  /// delivers exactly the plan's argv (hostile names stay single words; no canary file appears).
  func scriptChecks(_ folder: CaseFolder, plan: PlanCommands, script: Data, dir: URL) throws {
    let url = dir.appendingPathComponent("plan.sh")
    try script.write(to: url)
    let syntax = try Spawn.run("/bin/bash", ["-n", "plan.sh"], label: "bash -n plan.sh", in: dir)
    #expect(syntax.status == 0, "\(folder.name): bash -n plan.sh: \(syntax.stderrText)")
    let dry = try Spawn.run(
      "/bin/bash", ["plan.sh"], label: "bash plan.sh", in: dir,
      environment: ["PVEMEND_SSH": "/bin/false"])
    #expect(
      dry.status == 0, "\(folder.name): dry run of plan.sh: \(dry.outcome)\n\(dry.stderrText)")
    let outcome = try ScriptRun.execute(script: url, guests: plan.guests, in: dir)
    #expect(
      outcome.run.status == 0,
      "\(folder.name): plan.sh --execute: \(outcome.run.outcome)\n\(outcome.run.stderrText)")
    #expect(
      outcome.received == plan.commands,
      """
      \(folder.name): the nodes did not receive the plan's argv
        plan:     \(plan.commands)
        received: \(outcome.received)
      """)
    #expect(outcome.strayFiles.isEmpty, "\(folder.name): the script created \(outcome.strayFiles)")
  }
}

extension Tag {
  @Tag static var cases: Self
}
