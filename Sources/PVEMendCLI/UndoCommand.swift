import ArgumentParser
import Evacuate
import Execution
import Foundation
import PVEModel
import Planning
import Playbook

/// `pvemend undo JOURNAL`: the inverse of what a run executed, as a plan; a dry run unless `--execute`.
struct UndoCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "undo",
    abstract: "Undo the steps a journal says were executed (dry run unless --execute).",
    discussion: """
      Reads the journal 'apply' wrote, takes every step that succeeded (skipped and satisfied steps \
      changed nothing), and makes an undo plan: each step's inverse (ha-manager remove, migrate back, \
      pvesh delete /cluster/backup/<id>) in reverse order, checked and applied like any plan. A step \
      without a Proxmox inverse becomes advice. --out writes the undo plan as a plan file (for \
      'pvemend export').

      Migrations back (how 'pvemend evacuate' is returned after maintenance) are checked \
      against the hard limits of the cluster as it is now, in order, before anything runs: with \
      --execute the cluster is read through the entry node first (as 'collect' does), or \
      --snapshot FILE gives a fresh 'pvemend collect'. The limits are --playbook's, else the \
      capacity limits recorded in the plan the journal ran (found beside it), else the built-in \
      policy's. A guest that no longer fits back (cores, vCPU ceiling, memory reserve, local \
      storage reserve, keep-apart, HA placement) refuses the undo with exit 3. Where a node was \
      already over a limit before the undone run (its plan's before figures), the limit is \
      loosened to that state: the undo restores it, and is refused only for carrying more. The \
      undo's own HA removals and its end of maintenance mode count as done.

      \(ExitStatus.help)
      """)

  @Argument(help: "The journal of the run to undo (PLAN.journal.jsonl).")
  var journalFile: String

  @OptionGroup var run: RunOptionsGroup

  @Option(help: ArgumentHelp("Also write the undo plan to this file.", valueName: "file"))
  var out: String?

  @Option(
    help: ArgumentHelp(
      "Check the migrations back against this fresh snapshot (default with --execute: read the cluster now).",
      valueName: "file"))
  var snapshot: String?

  @Option(
    help:
      "The playbook whose limits the migrations back must keep (default: the undone plan's recorded limits)."
  )
  var playbook: String?

  func run() async throws {
    let plan: Plan
    let entries: [JournalEntry]
    do {
      entries = try JournalFile.read(path: journalFile)
      plan = try UndoPlan.make(from: entries, file: journalFile)
    } catch {
      printError("pvemend undo: \(error)")
      throw ExitCode(ExitStatus.code(error.status))
    }
    if plan.steps.contains(where: { $0.commands.contains(where: \.isMigration) }) {
      try await checkReturn(plan, entries: entries)
    }
    let bytes = PlanFile.encode(plan)
    if let out {
      do {
        try bytes.write(to: URL(fileURLWithPath: out))
      } catch {
        throw ValidationError("\(out): cannot write the undo plan; check the path")
      }
    }
    let base = journalFile.hasSuffix(".jsonl") ? String(journalFile.dropLast(6)) : journalFile
    let code = await PlanRun.execute(
      plan, digest: PlanDigest.of(bytes), planPath: out ?? "undo of \(journalFile)",
      journalPath: run.journal ?? base + ".undo.jsonl", options: run, resume: nil)
    if code != 0 { throw ExitCode(code) }
  }

  /// Every migration back checked against the hard limits of the cluster as it is now, before
  /// anything runs: the cluster from `--snapshot`, else (when executing) collected through the
  /// entry node; the limits of `--playbook`, else the capacity limits the undone plan recorded
  /// (`limits`, found beside the journal), else the built-in policy. A dry run without
  /// `--snapshot` reads nothing and checks nothing (it says so).
  func checkReturn(_ plan: Plan, entries: [JournalEntry]) async throws {
    guard let (cluster, source) = try await clusterNow(plan) else {
      printError(
        "pvemend undo: dry run: the migrations back are checked against the cluster's limits when executed (or now with --snapshot FRESH.json)"
      )
      return
    }
    let (policy, limits) = try returnPolicy(plan, entries: entries)
    let violations = ReturnCheck.violations(of: plan, cluster: cluster, policy: policy)
    guard violations.isEmpty else {
      printError(
        "pvemend undo: refused: \(violations.count) guest(s) no longer fit back (\(source); \(limits)): "
          + violations.joined(separator: "; ")
          + "; free room there or move them back by hand")
      throw ExitCode(ExitStatus.refused)
    }
    printError("pvemend undo: every migration back fits \(source) (\(limits))")
  }

  /// The cluster to check the return against and how to name it: `--snapshot`, else (executing)
  /// read now through the entry node; nil for a dry run without `--snapshot`.
  func clusterNow(_ plan: Plan) async throws -> (Cluster, String)? {
    if let snapshot {
      do {
        return (try ClusterInput.load(snapshot: snapshot, playbook: nil).cluster, snapshot)
      } catch {
        printError("pvemend undo: cannot check the migrations back: \(error)")
        throw ExitCode(ExitStatus.badInput)
      }
    }
    guard run.execute else { return nil }
    let entry = run.entryNode ?? Environment.defaultEntryNode(for: plan)
    do {
      let transport = try run.connection.makeTransport(commandTimeout: .seconds(120))
      let snap = try await CollectCommand.snapshot(
        SnapshotCollector(transport: transport, entryNode: entry), closing: transport,
        through: entry, at: Date())
      return (
        try Cluster(snapshot: snap, file: "the cluster as read through \(entry)"),
        "the cluster as read now through \(entry)"
      )
    } catch {
      printError(
        "pvemend undo: cannot read the cluster through \(entry) to check the migrations back: \(error)"
      )
      throw ExitCode(ExitStatus.connection)
    }
  }

  /// The policy the return is checked with, and how the message names its limits: `--playbook`'s,
  /// else the capacity limits the undone plan recorded, else the built-in; then loosened to the
  /// state before the undone run where that was already over them (`ReturnCheck.policy`).
  func returnPolicy(_ undo: Plan, entries: [JournalEntry]) throws -> (Policy, String) {
    let undone = try? JournalPlan.find(for: journalFile, entries: entries)
    var policy = Policy.builtinDefault
    var words = "built-in limits; give --playbook for yours"
    if let playbook {
      do {
        policy = try PlaybookDecoder.decode(CLIFiles.text(playbook), file: playbook)
        words = "limits of \(playbook)"
      } catch {
        printError("pvemend undo: \(error)")
        throw ExitCode(ExitStatus.badInput)
      }
    } else if let (plan, _, file) = undone, let limits = plan.limits {
      policy.capacity.vcpuPerCore = limits.vcpuPerCore
      policy.capacity.memoryReserve = limits.memoryReserve
      policy.capacity.localStorageReserve = limits.localStorageReserve
      words = "capacity limits of \(file), built-in policy otherwise"
    }
    if let (plan, _, _) = undone {
      let (loosened, note) = ReturnCheck.policy(policy, allowing: plan.before, undo: undo)
      policy = loosened
      if let note { words += "; " + note }
    }
    return (policy, words)
  }
}
