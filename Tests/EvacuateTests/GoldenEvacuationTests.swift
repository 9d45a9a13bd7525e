import Evacuate
import Foundation
import PVEMendTestSupport
import PVEModel
import Planning
import Testing

/// The evacuation of every node of every example, as text, markdown and the plan's steps (JSON
/// without the embedded snapshot), against `Golden/<example>/<node>.*`; with `--maintenance` as
/// text too. `PVEMEND_RECORD=1` rewrites them.
@Suite struct GoldenEvacuationTests {
  static let folder = Fixtures.root.appendingPathComponent("Tests/EvacuateTests/Golden")

  @Test(arguments: EvacuationInputs.cases) func golden(_ c: EvacuationInputs.Case) throws {
    let (plan, _, _) = try EvacuationInputs.plan(c)
    let dir = Self.folder.appendingPathComponent(c.example)
    assertGolden(
      Data(PlanTextView.render(plan).utf8), at: dir.appendingPathComponent("\(c.node).txt"))
    assertGolden(
      Data(PlanMarkdownView.render(plan).utf8), at: dir.appendingPathComponent("\(c.node).md"))
    assertGolden(
      try EvacuationInputs.digest(plan), at: dir.appendingPathComponent("\(c.node).steps.json"))
    let (withMaintenance, _, _) = try EvacuationInputs.plan(c, maintenance: true)
    assertGolden(
      Data(PlanTextView.render(withMaintenance).utf8),
      at: dir.appendingPathComponent("\(c.node).maintenance.txt"))
  }

  @Test(arguments: EvacuationInputs.cases) func showRendersTheSavedPlanTheSameWay(
    _ c: EvacuationInputs.Case
  ) throws {
    let (plan, _, _) = try EvacuationInputs.plan(c, maintenance: true)
    let saved = try PlanFile.decode(PlanFile.encode(plan), file: "plan.json")
    #expect(saved == plan)
    #expect(PlanTextView.render(saved) == PlanTextView.render(plan))
    #expect(PlanMarkdownView.render(saved) == PlanMarkdownView.render(plan))
    let html = PlanHTMLView.render(saved, digest: nil)
    #expect(html.contains("Evacuation of \(c.node)"))
  }

  @Test func anUnknownNodeNamesTheNodes() throws {
    let c = EvacuationInputs.Case(
      example: "homelab-cluster", playbook: "homelab.yaml", node: "pve9")
    #expect(throws: EvacuationError.self) { try EvacuationInputs.plan(c) }
    do {
      _ = try EvacuationInputs.plan(c)
    } catch let e as EvacuationError {
      #expect(e.description.contains("no node 'pve9'"))
      #expect(e.description.contains("proxmox, proxmox2, proxmox3"))
    }
  }

  /// Proxmox's own schema accepts every command (`../shared/tools/pve-argv-check`) except
  /// `ha-manager crm-command node-maintenance enable|disable NODE`, which the checker does not know
  /// (it is a CLI-only command of ha_manager.pm's `crm-command`, pve-ha-manager 3.5 / PVE 7.3 and
  /// later, with no API endpoint in its schema): those are checked here by shape instead.
  @Test func proxmoxAcceptsEveryCommand() throws {
    guard let shared = Fixtures.shared else {
      print("skipped: ../shared is absent, so pve-argv-check is not available")
      return
    }
    var byMajor: [Int: [[String]]] = [:]
    for c in EvacuationInputs.cases {
      let (plan, _, _) = try EvacuationInputs.plan(c, maintenance: true)
      for step in plan.steps {
        for command in step.commands + step.inverse {
          if command.argv.starts(with: ["ha-manager", "crm-command", "node-maintenance"]) {
            #expect(command.argv.count == 5)
            #expect(["enable", "disable"].contains(command.argv[3]))
            #expect(command.argv[4] == c.node)
            continue
          }
          byMajor[plan.pveMajor, default: []].append(command.argv)
        }
      }
    }
    for (major, argvs) in byMajor.sorted(by: { $0.key < $1.key }) {
      let file = FileManager.default.temporaryDirectory
        .appendingPathComponent("pvemend-evacuate-argv-\(major)-\(getpid()).json")
      try JSONSerialization.data(withJSONObject: argvs).write(to: file)
      defer { try? FileManager.default.removeItem(at: file) }
      let process = Process()
      process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
      process.arguments = [
        "python3", shared.appendingPathComponent("tools/pve-argv-check").path, "--pve",
        String(major), "--quiet", file.path,
      ]
      let pipe = Pipe()
      process.standardOutput = pipe
      process.standardError = pipe
      try process.run()
      let output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
      process.waitUntilExit()
      #expect(process.terminationStatus == 0, "PVE \(major): \(output)")
    }
  }
}
