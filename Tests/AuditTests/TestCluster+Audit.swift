import Audit
import PVEMendTestSupport
import PVEModel
import Playbook

/// What rule tests add to the shared `TestCluster`: one rule's findings, and a policy by VMID.
extension TestCluster {
  /// Findings of one rule over this cluster.
  func findings(_ rule: some AuditRule, policy: Policy = .builtinDefault) -> [Finding] {
    rule.findings(in: cluster, policy: policy)
  }

  /// A policy with critical entries by VMID.
  static func policy(
    _ entries: [(Int, CriticalityLevel)], levels: [CriticalityLevel] = [.critical, .high]
  )
    -> Policy
  {
    Policy(
      name: "test",
      critical: entries.map {
        CriticalEntry(selector: GuestSelector(vmid: $0.0), level: $0.1, purpose: "service \($0.0)")
      },
      ha: HAPolicy(levels: levels))
  }
}
