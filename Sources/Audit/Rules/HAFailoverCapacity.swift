import PVEModel
import Playbook
import Rehearse

/// Detects: a node whose failure, played out as Proxmox's HA stack would (`AuditContext.failover`,
/// module `Rehearse`: the CRS scheduler's own choice per HA guest, in sid order), leaves HA guests
/// without a node or room (no allowed survivor, more vCPUs than the target's cores, more memory
/// than it has free), or leaves a survivor that takes recovered guests over the playbook's
/// ceilings (`capacity.vcpu_per_core`, total − `capacity.memory_reserve`). Quorum loss is
/// `quorum.fragile`'s; volumes on node-local storage are `ha.local-storage`'s.
/// Remediation: free room on the survivors, steer HA guests with group/rule node priorities or
/// `crs` `ha=static`, lower HA guests' sizes, or add capacity (advice).
package struct HAFailoverCapacity: IndexedAuditRule {
  package static let id = "ha.failover-capacity"
  package static let category = ScoreCategory.resourceCapacity
  package static let advice =
    "Keep enough free cores and memory on the other nodes to take each node's HA guests"

  package init() {}

  package func findings(in context: AuditContext) -> [Finding] {
    guard context.hasFailoverNodes else { return [] }
    return context.onlineNodes.compactMap { n in
      guard let outcome = context.failover[n.name], outcome.quorate else { return nil }
      let lost = outcome.capacityFailures
      let overloaded = outcome.overloadedByRecovery
      guard !lost.isEmpty || !overloaded.isEmpty else { return nil }
      var severity = Severity.high
      for f in lost {
        if let entry = context.criticalityBySID[f.sid] {
          severity = .worst(severity, Severity(entry.level))
        }
      }
      let ha = context.guests(on: n.name).filter { context.isHARecovered($0) }
      var parts: [String] = []
      if !lost.isEmpty {
        parts.append(
          "\(lost.count) of its \(ha.count) HA guests do not come back (\(lost.map { "\($0.sid): \($0.message)" }.joined(separator: "; ")))"
        )
      }
      for s in overloaded {
        var over: [String] = []
        if s.overCPU {
          over.append(
            "\(s.vcpus) vCPUs on \(s.cores) cores (\(Figure.fixed(s.vcpuPerCore, 2)) per core, failover limit \(Figure.fixed(s.vcpuCeiling, 2)))"
          )
        }
        if s.overMemory {
          over.append(
            "\(ByteSize.binary(s.memory)) of memory (failover limit \(ByteSize.binary(s.memoryCeiling)))"
          )
        }
        parts.append(
          "\(s.node) takes \(s.recovered.joined(separator: ", ")) and ends at \(over.joined(separator: " and "))"
        )
      }
      return Finding(
        rule: Self.id, severity: severity, subject: .node(n.name),
        message:
          "if \(n.name) fails, HA (crs \(outcome.scheduler.rawValue)) recovers as Proxmox would: \(parts.joined(separator: "; "))",
        evidence: [
          "haGuests": .count(ha.count), "haVCPUs": .count(ha.reduce(0) { $0 + $1.vcpus }),
          "haMemory": .bytes(ha.reduce(0) { $0 + $1.memory }),
          "survivors": .count(outcome.survivors.count),
          "scheduler": .text(outcome.scheduler.rawValue),
          "notRecovered": .list(lost.map(\.sid)),
          "overloaded": .list(overloaded.map(\.node)),
          "recovered": .list(outcome.recovered.filter(\.started).map { "\($0.sid)→\($0.to)" }),
          "memoryReserve": .bytes(context.policy.capacity.memoryReserve),
          "vcpuPerCore": .ratio(context.policy.capacity.vcpuPerCore),
        ],
        remediation: .advice)
    }
  }
}
