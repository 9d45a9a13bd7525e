import PVEModel
import Playbook

/// Detects: a guest whose newest restore test (`audit --restore-tests`) failed or did not finish:
/// its backup is not proven to restore and boot. Only judged when restore tests were given.
/// Severity: a failed test is the guest's criticality (high without one); an incomplete test is
/// medium.
/// Remediation: read the step's detail in the journal, fix the backup or the restore, test again
/// (advice).
package struct RestoreFailed: IndexedAuditRule {
  package static let id = "restore.failed"
  package static let category = ScoreCategory.disasterRecovery
  package static let advice =
    "Find why the restore test failed (the step's detail in its journal), fix it and run pvemend restore-test again"

  package init() {}

  package func findings(in context: AuditContext) -> [Finding] {
    (context.restoreTests ?? []).compactMap { r in
      guard r.verdict != .passed, let g = context.guestsByVMID[r.vmid]?.first else { return nil }
      let failed = r.verdict == .failed
      return Finding(
        rule: Self.id,
        severity: failed ? context.severity(of: g, fallback: .high) : .medium,
        subject: .guest(g),
        message:
          "restore test of \(AuditContext.label(g)) from \(r.backupVolid) on \(r.testedAt) \(failed ? "failed" : "did not finish")"
          + (r.detail.map { ": \(DisplayText.oneLine($0, limit: 160))" } ?? ""),
        evidence: [
          "verdict": .text(r.verdict.rawValue), "archive": .text(r.backupVolid),
          "testedAt": .text(r.testedAt), "scratchVMID": .count(r.scratchVMID),
        ],
        remediation: .advice)
    }
  }
}
