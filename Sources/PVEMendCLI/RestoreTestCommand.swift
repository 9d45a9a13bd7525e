import ArgumentParser
import Foundation
import PVEModel
import Planning
import Playbook
import RestoreTest

/// `pvemend restore-test SNAPSHOT [--playbook FILE] [--guests LIST] [--out plan.json]`: a plan that
/// proves backups restore and boot, on scratch guests with their networks cut.
struct RestoreTestCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "restore-test",
    abstract:
      "Plan restore tests: newest backups restored to scratch guests, booted offline, destroyed.",
    discussion: """
      For each guest (the playbook's critical ones by default, at most restore_test.max_guests),
      restores its newest backup to a free VMID of restore_test.scratch_vmids on a node with room,
      with --unique 1 and every network device link_down=1 (and on restore_test.isolated_bridge
      when set) before it ever starts; starts it, waits for its guest agent where the original
      enables one, stops it and destroys it with --purge 1. Scratch guests are tagged
      pvemend-restore-test and named after the original; a run interrupted half-way leaves one
      behind, which the next plan cleans up first. Nothing of the original guest is touched.
      Review the plan with 'pvemend show', run it with 'pvemend apply PLAN --execute'.

      Exit codes:
        0  a plan was made (guests that cannot be tested are listed as unresolved)
        2  bad input: the snapshot or playbook cannot be read, --guests names an unknown VMID, or
           --out cannot be written
        64 bad command line
      """)

  @Argument(help: "The snapshot file (pvemend-snapshot/1 JSON), or '-' for standard input.")
  var snapshot: String

  @Option(
    help: "The playbook (YAML): critical guests and restore_test settings (default: built-in).")
  var playbook: String?

  @Option(help: "Comma-separated VMIDs to test instead of the playbook's critical guests.")
  var guests: String?

  @Option(help: "Save the plan document (pvemend-plan/1 JSON) to this file, for 'pvemend apply'.")
  var out: String?

  func validate() throws {
    if let guests, guests.split(separator: ",").contains(where: { Int($0) == nil }) {
      throw ValidationError(
        "--guests '\(guests)' is not a comma-separated list of VMIDs, e.g. 110,114")
    }
  }

  func run() throws {
    let result: (plan: Plan, tests: [RestoreTestPlanner.Test])
    do {
      let input = try ClusterInput.load(snapshot: snapshot, playbook: playbook)
      result = try RestoreTestPlanner.plan(
        snapshot: input.snapshot, cluster: input.cluster, policy: input.policy,
        playbookPath: input.playbookPath, playbookText: input.playbookText,
        guests: guests.map { $0.split(separator: ",").compactMap { Int($0) } })
    } catch {
      CLIFiles.standardError("pvemend restore-test: \(error)\n")
      throw ExitCode(ExitStatus.badInput)
    }
    let document = PlanFile.encode(result.plan)
    if let out { try CLIFiles.writePlan(document, to: out, command: "restore-test") }
    CLIFiles.standardOutput(RestoreTestView.render(result.plan, tests: result.tests))
    if let out {
      CLIFiles.standardOutput(
        "\nSaved the plan to \(out). To run exactly these steps: pvemend apply \(out) --execute\n")
    }
  }
}
