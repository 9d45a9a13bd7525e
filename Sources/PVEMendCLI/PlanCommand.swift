import ArgumentParser
import Audit
import Execution
import Foundation
import PVEModel
import Planning
import Playbook

/// `pvemend plan SNAPSHOT --playbook FILE`: the ordered, capacity-safe remediation plan.
///
/// The CLI is the I/O edge: it reads the snapshot and the playbook, audits, plans (pure), prints a
/// view and, with `--out`, saves the plan document for `pvemend apply`.
struct PlanCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "plan",
    abstract:
      "Plan fixes for a cluster snapshot: HA, storage moves, migrations, backup jobs, advice.",
    discussion: """
      Audits the snapshot with the playbook's policy and plans the fixes in the order an admin would
      run them. Every move is checked against every hard limit (cores, memory reserve, local storage
      reserve, keep-apart sets, HA rules and groups) in the state it will run in. Nothing runs:
      save the plan with --out and apply it with 'pvemend apply'. The plan is dated with the
      snapshot's collectedAt, so the same inputs always give the same bytes.

      Plans that survive any one node: for the guests it makes HA, the planner rehearses every
      single-node failure as Proxmox's HA stack would ('pvemend rehearse') and, where a survivor
      would end over the playbook's failover limits (capacity.failover_vcpu_per_core,
      failover_memory_reserve), gives each guest a failover node in its HA group or rule
      (home:3,failover:2,others:1); where the cluster's crs is basic and only static fits, it
      switches it (pvesh set /cluster/options --crs ha=static). A failure no placement fits is an
      unresolved ha.failover-capacity entry with the numbers; the summary names each failure's
      worst survivor.

      Exit codes:
        0  a plan was made (unresolved findings are part of the plan, not errors)
        2  bad input: the snapshot or playbook cannot be read or decoded, or --out cannot be written
           (the message names the file and the fix)
        64 bad command line
      """)

  @Argument(help: "The snapshot file (pvemend-snapshot/1 JSON), or '-' for standard input.")
  var snapshot: String

  @Option(help: "The playbook (YAML): critical guests, HA, capacity, migration and backup policy.")
  var playbook: String

  @Option(help: "Save the plan document (pvemend-plan/1 JSON) to this file, for 'pvemend apply'.")
  var out: String?

  @Option(help: "What to print: text, json, markdown or html (a self-contained review page).")
  var format: PlanFormat = .text

  func run() throws {
    let plan: Plan
    do {
      let input = try ClusterInput.load(snapshot: snapshot, playbook: playbook)
      plan = Planner.plan(
        snapshot: input.snapshot, cluster: input.cluster,
        report: AuditReport(cluster: input.cluster, policy: input.policy), policy: input.policy,
        playbookPath: playbook, playbookText: input.playbookText)
    } catch {
      CLIFiles.standardError("pvemend plan: \(error)\n")
      throw ExitCode(ExitStatus.badInput)
    }
    let document = PlanFile.encode(plan)
    if let out { try CLIFiles.writePlan(document, to: out, command: "plan") }
    format.print(plan, document: document)
    if let out {
      let saved = "\nSaved the plan to \(out). To apply exactly these steps: pvemend apply \(out)\n"
      if format == .json || format == .html {
        CLIFiles.standardError(saved)
      } else {
        CLIFiles.standardOutput(saved)
      }
    }
  }
}
