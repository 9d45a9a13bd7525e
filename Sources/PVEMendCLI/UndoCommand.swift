import ArgumentParser
import Execution
import Foundation
import Planning

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

      \(ExitStatus.help)
      """)

  @Argument(help: "The journal of the run to undo (PLAN.journal.jsonl).")
  var journalFile: String

  @OptionGroup var run: RunOptionsGroup

  @Option(help: ArgumentHelp("Also write the undo plan to this file.", valueName: "file"))
  var out: String?

  func run() async throws {
    let plan: Plan
    do {
      plan = try UndoPlan.make(from: try JournalFile.read(path: journalFile), file: journalFile)
    } catch {
      printError("pvemend undo: \(error)")
      throw ExitCode(ExitStatus.code(error.status))
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
