import PVEModel
import Playbook

/// Detects: a guest with more vCPUs than its node has cores (QEMU refuses to start such a VM; a
/// container is capped), which also blocks migrating it to small nodes.
/// Remediation: lower the guest's cores/sockets or move it to a larger node (advice).
package struct GuestTooManyVCPUs: IndexedAuditRule {
  package static let id = "guest.too-many-vcpus"
  package static let category = ScoreCategory.resourceCapacity
  package static let advice = "Give guests no more vCPUs than their node has cores"

  package init() {}

  package func findings(in context: AuditContext) -> [Finding] {
    context.guests.compactMap { g in
      guard let node = context.nodeByName[g.node], node.cores > 0, g.vcpus > node.cores else {
        return nil
      }
      let effect =
        g.kind == .qemu ? "QEMU will not start it" : "the container is capped at the node's cores"
      return Finding(
        rule: Self.id, severity: context.severity(of: g, fallback: .medium), subject: .guest(g),
        message:
          "\(AuditContext.label(g)) has \(g.vcpus) vCPUs but \(g.node) has \(node.cores) cores; \(effect)",
        evidence: ["vcpus": .count(g.vcpus), "cores": .count(node.cores), "node": .text(g.node)],
        remediation: .advice)
    }
  }
}
