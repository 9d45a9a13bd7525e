import PVEModel
import Playbook

/// Detects: an online node whose running and onboot guests are configured with more memory than the
/// node's total minus `policy.capacity.memoryReserve`.
/// Remediation: migrate guests to nodes with free memory (rebalance).
package struct NodeMemory: IndexedAuditRule {
  package static let id = "node.memory"
  package static let category = ScoreCategory.resourceCapacity
  package static let advice = "Move guests off nodes whose guest memory exceeds total minus reserve"

  package init() {}

  package func findings(in context: AuditContext) -> [Finding] {
    context.onlineNodes.compactMap { n in
      guard n.memoryTotal > 0 else { return nil }
      let promised = context.claimedMemory[n.name] ?? 0
      let budget = context.memoryBudget(of: n)
      guard promised > budget else { return nil }
      return Finding(
        rule: Self.id, severity: promised > n.memoryTotal ? .high : .medium, subject: .node(n.name),
        message:
          "\(n.name) promises \(ByteSize.binary(promised)) to running/onboot guests; \(ByteSize.binary(n.memoryTotal)) total minus \(ByteSize.binary(context.policy.capacity.memoryReserve)) reserve leaves \(ByteSize.binary(budget))",
        evidence: [
          "guestMemory": .bytes(promised), "memoryTotal": .bytes(n.memoryTotal),
          "memoryReserve": .bytes(context.policy.capacity.memoryReserve), "budget": .bytes(budget),
          "excess": .bytes(promised - budget),
        ],
        remediation: .rebalance)
    }
  }
}
