import Execution
import Foundation
import Planning

/// The plan file a journal ran (for `audit --restore-tests`, `runbook` and `undo`).
enum JournalPlan {
  /// Why a journal cannot be used; the message names the file.
  struct Failure: Error, CustomStringConvertible {
    var file: String
    var message: String
    var description: String { "\(file): \(message)" }
  }

  /// The plan a journal ran: its run-start's `planPath` (as given, then beside the journal), or
  /// the journal's name without `.journal.jsonl`.
  static func find(for journal: String, entries: [JournalEntry]) throws -> (Plan, Data, String) {
    let dir = (journal as NSString).deletingLastPathComponent
    var candidates: [String] = []
    for e in entries where e.event == .runStart {
      guard let p = e.planPath else { continue }
      candidates.append(p)
      if !p.hasPrefix("/") {
        candidates.append(
          (dir as NSString).appendingPathComponent((p as NSString).lastPathComponent))
      }
    }
    let suffix = ".journal.jsonl"
    if journal.hasSuffix(suffix) { candidates.append(String(journal.dropLast(suffix.count))) }
    guard let file = candidates.first(where: { FileManager.default.fileExists(atPath: $0) }) else {
      let named = candidates.isEmpty ? "" : " (looked for \(candidates.joined(separator: ", ")))"
      throw Failure(
        file: journal,
        message:
          "cannot find the plan this journal ran\(named); keep the plan file beside its journal (PLAN and PLAN.journal.jsonl)"
      )
    }
    let data = try CLIFiles.read(file)
    return (try PlanFile.decode(data, file: file), data, file)
  }
}
