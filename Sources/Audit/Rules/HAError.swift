import PVEModel
import Playbook

/// Detects: an HA-managed guest in HA state `error` (the CRM gave up starting or relocating it), so
/// HA no longer protects it until someone clears the error.
/// Remediation: fix the cause, then `ha-manager set <sid> --state disabled` and back to `started` (advice).
package struct HAError: IndexedAuditRule {
  package static let id = "ha.error"
  package static let category = ScoreCategory.haConfiguration
  package static let advice = "Clear the HA error state after fixing its cause"

  package init() {}

  package func findings(in context: AuditContext) -> [Finding] {
    context.guests.compactMap { g in
      guard context.haResourceBySID[g.sid] != nil else { return nil }
      let live = context.cluster.haManager.services[g.sid]?.state ?? g.haState
      guard live == "error" else { return nil }
      return Finding(
        rule: Self.id, severity: context.severity(of: g, fallback: .high), subject: .guest(g),
        message:
          "\(AuditContext.label(g)) on \(g.node) is in HA state error; HA does not recover it",
        evidence: ["node": .text(g.node), "haState": .text("error"), "status": .text(g.status)],
        remediation: .advice)
    }
  }
}
