import PVEModel
import Playbook

/// Detects: the HA stack is disarmed or disarming (`ha-manager crm-command disarm-ha freeze|ignore`,
/// pve-ha-manager 5.1.3+): every watchdog is released, so no failed node is fenced and no HA guest
/// is recovered; with `freeze` the CRM also runs no HA migration or maintenance request.
/// Remediation: `ha-manager crm-command arm-ha` once the work that needed it is done (advice).
package struct HADisarmed: IndexedAuditRule {
  package static let id = "ha.disarmed"
  package static let category = ScoreCategory.haConfiguration
  package static let advice = "Re-arm the HA stack"

  package init() {}

  package func findings(in context: AuditContext) -> [Finding] {
    guard let disarm = context.cluster.haManager.disarm else { return [] }
    let protected = context.cluster.haResources.filter { $0.state != "ignored" }.count
    return [
      Finding(
        rule: Self.id, severity: protected > 0 ? .critical : .medium, subject: .cluster,
        message:
          "the HA stack is \(disarm.text): no node failure is recovered for the \(protected) HA resource(s) until it is re-armed"
          + (disarm.mode == "freeze" ? "; HA migrations and maintenance requests wait too" : ""),
        evidence: [
          "state": .text(disarm.state), "mode": .text(disarm.mode),
          "haResources": .count(protected),
        ],
        remediation: .advice)
    ]
  }
}
