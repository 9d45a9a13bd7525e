import Execution
import Foundation
import PVEModel
import Planning

/// `audit` and `runbook --restore-tests JOURNAL…`: reads restore-test journals and the plans they ran, and turns
/// them into `RestoreRecord`s (`RestoreRecords`, pure). The I/O edge: files only.
enum RestoreTestJournals {
  /// Every record of every journal, in journal order (newest per guest is the audit's choice).
  static func records(_ journals: [String]) throws -> [RestoreRecord] {
    var out: [RestoreRecord] = []
    for journal in journals {
      let entries = try JournalFile.read(path: journal)
      guard !entries.isEmpty else {
        throw JournalPlan.Failure(
          file: journal, message: "empty journal; give a restore-test run's journal")
      }
      let (plan, data, planFile) = try JournalPlan.find(for: journal, entries: entries)
      do {
        out += try RestoreRecords.records(
          plan: plan, planDigest: PlanDigest.of(data), entries: entries)
      } catch {
        throw JournalPlan.Failure(file: journal, message: "\(error) (plan \(planFile))")
      }
    }
    return out
  }
}
