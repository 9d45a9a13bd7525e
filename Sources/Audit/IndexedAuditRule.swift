import PVEModel
import Playbook

/// An audit rule that reads the shared `AuditContext`, so `Auditor` indexes the cluster once for all
/// rules. Each rule also says, in one line, what to do about its findings (the report's advice).
package protocol IndexedAuditRule: AuditRule {
  /// What to do about this rule's findings, in one imperative line.
  static var advice: String { get }
  func findings(in context: AuditContext) -> [Finding]
}

extension IndexedAuditRule {
  package func findings(in cluster: Cluster, policy: Policy) -> [Finding] {
    findings(in: AuditContext(cluster: cluster, policy: policy))
  }
}
