import PVEModel
import Playbook

/// Detects: a node whose HA guests the surviving nodes could not all take if it failed (N+1): a guest
/// needs a survivor with at least its vCPUs in cores and its memory free within total − reserve after
/// the guests already promised there (see `FailoverOutcome`).
/// Remediation: free memory on the survivors, lower HA guests' sizes, or add capacity (advice).
package struct HAFailoverCapacity: IndexedAuditRule {
  package static let id = "ha.failover-capacity"
  package static let category = ScoreCategory.resourceCapacity
  package static let advice =
    "Keep enough free cores and memory on the other nodes to take each node's HA guests"

  package init() {}

  package func findings(in context: AuditContext) -> [Finding] {
    guard context.hasFailoverNodes else { return [] }
    return context.onlineNodes.compactMap { n in
      let outcome = context.failover(of: n)
      guard !outcome.fits else { return nil }
      var severity = Severity.high
      var levels: [String] = []
      for sid in outcome.unplaced {
        if let entry = context.criticalityBySID[sid] {
          severity = .worst(severity, Severity(entry.level))
          levels.append(entry.level.rawValue)
        }
      }
      return Finding(
        rule: Self.id, severity: severity, subject: .node(n.name),
        message:
          "if \(n.name) fails, \(outcome.unplaced.count) of its \(outcome.haGuests.count) HA guests (\(outcome.unplaced.joined(separator: ", "))) find no room on the \(outcome.survivors) surviving node(s): they need \(ByteSize.binary(outcome.haMemory)), \(ByteSize.binary(outcome.survivorFreeMemory)) is free after the reserve",
        evidence: [
          "haGuests": .count(outcome.haGuests.count), "haVCPUs": .count(outcome.haVCPUs),
          "haMemory": .bytes(outcome.haMemory), "survivors": .count(outcome.survivors),
          "survivorFreeMemory": .bytes(outcome.survivorFreeMemory),
          "unplaced": .list(outcome.unplaced),
          "memoryReserve": .bytes(context.policy.capacity.memoryReserve),
        ],
        remediation: .advice)
    }
  }
}
