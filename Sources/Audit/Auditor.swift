import PVEModel
import Playbook

/// Runs every audit rule over a cluster and returns the findings, most severe first.
package enum Auditor {
  /// Every rule, listed explicitly (one file each under `Rules/`).
  package static let allRules: [any AuditRule] = []

  package static func findings(in cluster: Cluster, policy: Policy) -> [Finding] {
    allRules.flatMap { $0.findings(in: cluster, policy: policy) }.sorted()
  }
}
