import PVEModel
import Playbook

/// Everything the audit report shows, computed from a cluster: findings, figures, scores.
/// (Stub: the audit helper fills it in.)
package struct AuditReport: Sendable, Codable, Hashable {
  package var findings: [Finding]
  /// Overall health score 0…10.
  package var overallScore: Double

  package init(cluster: Cluster, policy: Policy) {
    findings = Auditor.findings(in: cluster, policy: policy)
    overallScore = 10
  }
}
