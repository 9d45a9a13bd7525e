import PVEModel
import Playbook

/// Detects: an online node whose running and onboot guests have more vCPUs per core than
/// `policy.capacity.vcpuPerCore` (templates and stopped, non-onboot guests do not count).
/// Remediation: migrate guests to nodes with spare cores (rebalance).
package struct NodeOvercommit: IndexedAuditRule {
  package static let id = "node.overcommit"
  package static let category = ScoreCategory.resourceCapacity
  package static let advice =
    "Move guests off nodes with more vCPUs per core than the policy allows"

  package init() {}

  package func findings(in context: AuditContext) -> [Finding] {
    let limit = context.policy.capacity.vcpuPerCore
    return context.onlineNodes.compactMap { n in
      guard n.cores > 0 else { return nil }
      let vcpus = context.claimedVCPUs[n.name] ?? 0
      let ratio = Double(vcpus) / Double(n.cores)
      guard ratio > limit else { return nil }
      let claiming = context.guests(on: n.name).filter(\.claimsCapacity).count
      return Finding(
        rule: Self.id, severity: ratio > 2 * limit ? .high : .medium, subject: .node(n.name),
        message:
          "\(n.name) runs \(vcpus) vCPUs of \(claiming) running/onboot guests on \(n.cores) cores: \(Figure.fixed(ratio, 2)) per core, above the limit of \(Figure.fixed(limit, 2))",
        evidence: [
          "vcpus": .count(vcpus), "cores": .count(n.cores), "vcpuPerCore": .ratio(ratio),
          "limit": .ratio(limit), "guests": .count(claiming),
          "excessVCPUs": .count(vcpus - Int((limit * Double(n.cores)).rounded(.down))),
        ],
        remediation: .rebalance)
    }
  }
}
