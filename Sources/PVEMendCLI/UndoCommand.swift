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

      --snapshot FILE (a fresh 'pvemend collect', with --playbook for its limits) checks every \
      migration back against the hard limits of the cluster as it is now, in order (how \
      'pvemend evacuate' is returned after maintenance): a guest that no longer fits back \
      (cores, vCPU ceiling, memory reserve, local storage reserve, keep-apart, HA placement) \
      refuses the undo with exit 3 before anything runs.

      \(ExitStatus.help)
      """)

  @Argument(help: "The journal of the run to undo (PLAN.journal.jsonl).")
  var journalFile: String

  @OptionGroup var run: RunOptionsGroup

  @Option(help: ArgumentHelp("Also write the undo plan to this file.", valueName: "file"))
  var out: String?

  @Option(
    help: ArgumentHelp(
      "Check every migration back against the hard limits in this fresh snapshot first.",
      valueName: "file"))
  var snapshot: String?

  @Option(help: "With --snapshot: the playbook whose limits apply (default: the built-in).")
  var playbook: String?

  func run() async throws {
    let plan: Plan
    do {
      plan = try UndoPlan.make(from: try JournalFile.read(path: journalFile), file: journalFile)
    } catch {
      printError("pvemend undo: \(error)")
      throw ExitCode(ExitStatus.code(error.status))
    }
    if let snapshot {
      let violations: [String]
      do {
        let snap = try Snapshot.decode(CLIFiles.read(snapshot), file: snapshot)
        let cluster = try Cluster(snapshot: snap, file: snapshot)
        let policy =
          try playbook.map { try PlaybookDecoder.decode(CLIFiles.text($0), file: $0) }
          ?? .builtinDefault
        violations = ReturnCheck.violations(of: plan, cluster: cluster, policy: policy)
      } catch {
        printError("pvemend undo: \(error)")
        throw ExitCode(ExitStatus.badInput)
      }
      if !violations.isEmpty {
        printError(
          "pvemend undo: refused: \(violations.count) guest(s) no longer fit back (\(snapshot)): "
            + violations.joined(separator: "; ")
            + "; free room there or move them back by hand")
        throw ExitCode(ExitStatus.refused)
      }
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
}
