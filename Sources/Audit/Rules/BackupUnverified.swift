import PVEModel
import Playbook

/// Detects: a guest whose newest Proxmox Backup Server snapshot has not been verified (no
/// `verification` in the listing) or failed verification (`state` other than `ok`).
/// A failed verification is high (or the guest's level), a missing one low.
/// Remediation: schedule a PBS verify job, and re-run the backup of failed snapshots (advice).
package struct BackupUnverified: IndexedAuditRule {
  package static let id = "backup.unverified"
  package static let category = ScoreCategory.disasterRecovery
  package static let advice =
    "Verify PBS backups with a verify job; back up again where verification failed"

  package init() {}

  package func findings(in context: AuditContext) -> [Finding] {
    var newestPBS: [Int: BackupArchive] = [:]
    for a in context.cluster.backups.archives where a.isPBS {
      guard let v = a.vmid, newestPBS[v] == nil else { continue }
      newestPBS[v] = a
    }
    return context.guests.compactMap { g in
      guard let a = newestPBS[g.vmid], a.kind == nil || a.kind == g.kind,
        a.verification != "ok"
      else { return nil }
      let failed = a.verification != nil
      let severity =
        failed ? context.severity(of: g, fallback: .high) : Severity.low
      let state =
        a.verification.map { "failed verification (state '\($0)')" } ?? "was never verified"
      return Finding(
        rule: Self.id, severity: severity, subject: .guest(g),
        message: "\(AuditContext.label(g)): newest PBS backup \(a.volid) \(state)",
        evidence: [
          "volid": .text(a.volid), "storage": .text(a.storage),
          "verification": .text(a.verification ?? "none"),
        ],
        remediation: .advice)
    }
  }
}
