import Audit
import Foundation
import PVEMendTestSupport
import PVEModel
import Planning
import Testing

/// The plan of every example with its playbook, as JSON, text and markdown, against the files in
/// `Golden/<case>/`. `PVEMEND_RECORD=1` rewrites them (and fails, so a recording is never a pass).
@Suite struct GoldenPlanTests {
  static let folder = Fixtures.root.appendingPathComponent("Tests/PlanningTests/Golden")

  @Test(arguments: Inputs.cases) func goldenPlan(_ c: Inputs.Case) throws {
    let plan = try Inputs.outcome(c).plan
    try Self.check(c.name, "plan.json", PlanFile.encode(plan))
    try Self.check(c.name, "plan.txt", Data(PlanTextView.render(plan).utf8))
    try Self.check(c.name, "plan.md", Data(PlanMarkdownView.render(plan).utf8))
  }

  @Test(arguments: Inputs.cases) func showRendersTheSavedPlanTheSameWay(_ c: Inputs.Case) throws {
    let plan = try Inputs.outcome(c).plan
    let saved = try PlanFile.decode(PlanFile.encode(plan), file: "plan.json")
    #expect(PlanTextView.render(saved) == PlanTextView.render(plan))
    #expect(PlanMarkdownView.render(saved) == PlanMarkdownView.render(plan))
  }

  @Test(arguments: Inputs.cases) func idempotentOnThePredictedState(_ c: Inputs.Case) throws {
    let outcome = try Inputs.outcome(c)
    let policy = try Inputs.policy(c.playbook)
    let again = Plans.plan(outcome.predicted, policy)
    #expect(again.steps.filter { $0.kind != .advice }.map(\.title) == [])
  }

  /// Proxmox's own schema accepts every command of every golden plan
  /// (`../shared/tools/pve-argv-check`, for the plan's PVE major version).
  @Test(arguments: Inputs.cases) func proxmoxAcceptsEveryCommand(_ c: Inputs.Case) throws {
    guard let shared = Fixtures.shared else {
      print("skipped: ../shared is absent, so pve-argv-check and endpoints.json are not available")
      return
    }
    try Self.expectProxmoxAccepts(try Inputs.outcome(c).plan, shared: shared, name: c.name)
  }

  /// Runs `pve-argv-check` over every command of `plan` (its PVE major version) and expects none
  /// refused.
  static func expectProxmoxAccepts(_ plan: Plan, shared: URL, name: String) throws {
    let file = FileManager.default.temporaryDirectory
      .appendingPathComponent("pvemend-argv-\(name)-\(getpid()).json")
    try PlanFile.encode(plan).write(to: file)
    defer { try? FileManager.default.removeItem(at: file) }
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = [
      "python3", shared.appendingPathComponent("tools/pve-argv-check").path, "--pve",
      String(plan.pveMajor), "--quiet", file.path,
    ]
    let pipe = Pipe()
    process.standardOutput = pipe
    process.standardError = pipe
    try process.run()
    let output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
    process.waitUntilExit()
    #expect(process.terminationStatus == 0, "\(output)")
  }

  static func check(_ name: String, _ file: String, _ actual: Data) throws {
    assertGolden(actual, at: folder.appendingPathComponent(name).appendingPathComponent(file))
  }

}

/// `pvemend plan` plans from one audit report; the plan is the same as from its findings.
@Test(arguments: Inputs.cases) func planFromAReportIsThePlanFromItsFindings(_ c: Inputs.Case) throws
{
  let snapshot = try Inputs.snapshot(c.example)
  let cluster = try Cluster(snapshot: snapshot, file: c.example)
  let policy = try Inputs.policy(c.playbook)
  let text = try Inputs.playbookText(c.playbook)
  let fromReport = Planner.plan(
    snapshot: snapshot, cluster: cluster, report: AuditReport(cluster: cluster, policy: policy),
    policy: policy, playbookPath: Inputs.path(playbook: c.playbook), playbookText: text)
  #expect(PlanFile.encode(fromReport) == PlanFile.encode(try Inputs.outcome(c).plan))
}
