import ArgumentParser
import Evacuate
import Execution
import Foundation
import PVEModel
import Planning
import Playbook

/// `pvemend evacuate NODE SNAPSHOT`: the plan that empties a node for maintenance.
///
/// The CLI is the I/O edge: it reads the snapshot and the playbook; `Evacuate` plans (pure); the
/// plan is the same `pvemend-plan/1` document `show`, `apply`, `export` and `undo` work on.
struct EvacuateCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "evacuate",
    abstract:
      "Plan emptying a node for maintenance: every guest to another node, under every hard limit.",
    discussion: """
      Plans moving every guest off NODE (the playbook's critical guests first, then running ones, \
      then the smallest memory claim, so the most guests keep running), each onto the node with the most \
      headroom left that keeps every hard limit in the cluster as it will be when that move runs: \
      a VM's vCPUs within the target's cores, capacity.vcpu_per_core, memory within \
      capacity.memory_reserve, local storage within capacity.local_storage_reserve, keep-apart \
      sets, HA groups (PVE 8) and rules (PVE 9). Each guest takes its cheapest move: a running VM \
      migrates live (qm migrate --online 1, with --with-local-disks 1 and --targetstorage when its \
      volumes are on node-local storage), an HA guest through HA (ha-manager migrate for VMs, \
      relocate for containers), a running container restarts on the target (pct migrate \
      --restart 1: an outage, counted in the summary), a stopped guest migrates offline. When \
      spreading by headroom would leave a guest behind for want of room, best-fit decreasing and \
      a bounded search are tried too, and the packing that leaves the fewest critical, then \
      running, then any guests behind is planned.

      Guests that cannot move stay and are listed under Unresolved with the reason and the \
      choices left to you: templates (they never run; a template's configuration stays assigned \
      to NODE), locked guests, local devices (PCI/USB passthrough), migration.never_move, no room, \
      an HA group or rule that allows no other node, NODE offline, no quorum, HA guests while the \
      HA stack is disarmed (ha-manager crm-command disarm-ha: the CRM runs no HA migration).

      --maintenance ends the plan with 'ha-manager crm-command node-maintenance enable NODE' \
      (pve-ha-manager 3.5 / PVE 7.3 and later), so the CRM does not move HA guests back while \
      NODE is down; HA guests whose group or rule prefers NODE can then leave it too. A disarmed \
      HA stack ignores that request: the plan then lists it as unresolved.

      The plan is saved with --out and run with 'pvemend apply'. Rolling maintenance is \
      evacuate → apply → maintenance → 'pvemend undo PLAN.journal.jsonl' (maintenance disabled \
      first, then every guest migrated back; with --snapshot FRESH.json every move back is first \
      checked against the hard limits of the cluster as it is then), \
      node by node. --nodes A,B,C checks that each node can be emptied in turn (from the \
      snapshot's layout, the previous node returned) and prints one line per node; --out-dir \
      writes each node's plan as <dir>/evacuate-<node>.json.

      Exit codes:
        0   the node can be emptied (with --nodes: every node); templates may stay
        2   bad input: the snapshot or playbook cannot be read or decoded, NODE is not in
            the snapshot, or --out cannot be written (the message names the file and the fix)
        3   some guest cannot move: the plan is written, the guests that stay are listed
        64  bad command line
      """)

  @Argument(help: "The node to empty (omit it with --nodes).")
  var node: String?

  @Argument(help: "The snapshot file (pvemend-snapshot/1 JSON), or '-' for standard input.")
  var snapshot: String?

  @Option(help: "A playbook (YAML) with the limits and migration policy (default: the built-in).")
  var playbook: String?

  @Option(help: "Save the plan document (pvemend-plan/1 JSON) to this file, for 'pvemend apply'.")
  var out: String?

  @Option(
    help:
      "What to print: text, json, markdown or html (a self-contained review page); with --nodes text, markdown or json (pvemend-rolling-evacuation/1)."
  )
  var format: PlanFormat = .text

  @Flag(
    help:
      "End with 'ha-manager crm-command node-maintenance enable NODE' (undo disables it first).")
  var maintenance = false

  @Option(
    help: ArgumentHelp(
      "Check that each of these nodes can be emptied in turn (comma-separated); then the only argument is the snapshot.",
      valueName: "A,B,C"))
  var nodes: String?

  @Option(
    help: ArgumentHelp(
      "With --nodes: write each node's plan to <dir>/evacuate-<node>.json.", valueName: "dir"))
  var outDir: String?

  func validate() throws {
    if nodes != nil {
      guard snapshot == nil, node != nil else {
        throw ValidationError(
          "with --nodes give only the snapshot: pvemend evacuate --nodes A,B SNAPSHOT")
      }
      if out != nil { throw ValidationError("with --nodes use --out-dir, not --out") }
      if format == .html {
        throw ValidationError(
          "with --nodes use --format text, markdown or json (html is one plan's review page: pvemend show DIR/evacuate-NODE.json --format html)"
        )
      }
    } else {
      guard node != nil, snapshot != nil else {
        throw ValidationError("give the node and the snapshot: pvemend evacuate NODE SNAPSHOT")
      }
      if outDir != nil { throw ValidationError("--out-dir goes with --nodes; use --out") }
    }
  }

  func run() throws {
    // With --nodes the one positional argument is the snapshot.
    let snapshotPath = (nodes != nil ? node : snapshot) ?? "-"
    let input: ClusterInput
    do {
      input = try ClusterInput.load(snapshot: snapshotPath, playbook: playbook)
    } catch {
      CLIFiles.standardError("pvemend evacuate: \(error)\n")
      throw ExitCode(ExitStatus.badInput)
    }
    let (snap, cluster, policy) = (input.snapshot, input.cluster, input.policy)
    let (playbookPath, text) = (input.playbookPath, input.playbookText)
    if let nodes {
      let names = nodes.split(separator: ",").map {
        String($0).trimmingCharacters(in: .whitespaces)
      }.filter { !$0.isEmpty }
      let rolling: RollingEvacuation
      do {
        rolling = try RollingEvacuation(
          snapshot: snap, cluster: cluster, policy: policy, nodes: names,
          maintenance: maintenance, playbookPath: playbookPath, playbookText: text)
      } catch {
        CLIFiles.standardError("pvemend evacuate: \(snapshotPath): \(error)\n")
        throw ExitCode(ExitStatus.badInput)
      }
      if let outDir {
        for turn in rolling.turns {
          let path = (outDir as NSString).appendingPathComponent(
            "evacuate-\(Self.fileName(turn.node)).json")
          try CLIFiles.writePlan(PlanFile.encode(turn.plan), to: path, command: "evacuate")
        }
      }
      switch format {
      case .json: FileHandle.standardOutput.write(rolling.json())
      case .markdown: CLIFiles.standardOutput(rolling.markdown())
      case .text, .html: CLIFiles.standardOutput(rolling.text())  // html: refused in validate()
      }
      if !rolling.allEmptied { throw ExitCode(ExitStatus.refused) }
      return
    }
    let name = node ?? ""
    let plan: Plan
    do {
      plan = try NodeEvacuation.plan(
        snapshot: snap, cluster: cluster, policy: policy, node: name, maintenance: maintenance,
        playbookPath: playbookPath, playbookText: text)
    } catch {
      CLIFiles.standardError("pvemend evacuate: \(snapshotPath): \(error)\n")
      throw ExitCode(ExitStatus.badInput)
    }
    let document = PlanFile.encode(plan)
    if let out { try CLIFiles.writePlan(document, to: out, command: "evacuate") }
    format.print(plan, document: document)
    let emptied = NodeEvacuation.emptied(plan)
    var notes: [String] = []
    if let out {
      notes.append("Saved the plan to \(out). To empty \(name): pvemend apply \(out)")
      notes.append(
        "To bring the guests back after maintenance: pvemend undo \(Self.journal(of: out))")
    }
    if !emptied {
      let stay = plan.unresolved.filter { $0.limit != "template" }.map(\.finding)
      notes.append(
        "\(name) cannot be emptied: \(stay.count) guest(s) stay (\(stay.joined(separator: ", "))); see Unresolved for the choices"
      )
    }
    if !notes.isEmpty {
      let block = "\n" + notes.map { DisplayText.sanitize($0) }.joined(separator: "\n") + "\n"
      if format == .json || format == .html {
        CLIFiles.standardError(block)
      } else {
        CLIFiles.standardOutput(block)
      }
    }
    if !emptied { throw ExitCode(ExitStatus.refused) }
  }

  /// The journal `apply` writes beside a plan.
  static func journal(of plan: String) -> String {
    plan + ".journal.jsonl"
  }

  /// A node name fit for a file name.
  static func fileName(_ node: String) -> String {
    String(
      node.map { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" || $0 == "." ? $0 : "_" })
  }
}
