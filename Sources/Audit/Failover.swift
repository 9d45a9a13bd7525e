import PVEModel
import Rehearse

/// One online node's failure as the audit reports it, from the rehearsal (`Rehearse`): what
/// Proxmox's HA stack recovers where, what does not come back, and the worst survivor.
package struct Failover: Sendable, Codable, Hashable {
  /// The failing node.
  package var node: String
  /// `survivable`, `overloaded`, `failed`, `quorum-lost`.
  package var verdict: String
  /// HA guests on the node that HA would bring back (requested `started`), by sid.
  package var haGuests: [String]
  package var haVCPUs: Int
  package var haMemory: Int64
  /// Sid → node for each HA guest recovered and started, in the CRM's order.
  package var recovered: [String]
  /// HA guests that do not come back, `sid (reason)`.
  package var notRecovered: [String]
  /// Survivors that end over a failover limit after taking recovered guests.
  package var overloaded: [String]
  /// The survivor with the highest load after recovery: `proxmox 5.25 vCPU/core, 26.5 GiB of 27.0 GiB`.
  package var worstSurvivor: String?

  /// Whether the failure is survivable: every HA guest back, every survivor within the ceilings.
  package var survivable: Bool { verdict == RecoveryOutcome.Verdict.survivable.rawValue }

  init(_ o: RecoveryOutcome, context: AuditContext) {
    node = o.failedNodes.joined(separator: "+")
    verdict = o.verdict.rawValue
    let ha = context.guests(on: node).filter { context.isHARecovered($0) }
    haGuests = ha.map(\.sid)
    haVCPUs = ha.reduce(0) { $0 + $1.vcpus }
    haMemory = ha.reduce(0) { $0 + $1.memory }
    recovered = o.recovered.filter(\.started).map { "\($0.sid) → \($0.to)" }
    notRecovered = o.failed.map { "\($0.sid) (\($0.reason.rawValue))" }
    overloaded = o.overloadedByRecovery.map(\.node)
    worstSurvivor = o.worstSurvivor.map {
      "\($0.node) \(Figure.fixed($0.vcpuPerCore, 2)) vCPU/core, \(ByteSize.binary($0.memory)) of \(ByteSize.binary($0.memoryCeiling))"
    }
  }
}

extension RecoveryOutcome {
  /// HA guests that do not come back for lack of a node or room: no allowed node, too few cores,
  /// too little memory (volumes and devices tied to the node are other findings).
  package var capacityFailures: [Failed] {
    failed.filter { [.noNode, .vcpus, .memory].contains($0.reason) }
  }

  /// Survivors that took recovered guests and end over a ceiling.
  package var overloadedByRecovery: [SurvivorLoad] {
    survivors.filter { !$0.recovered.isEmpty && !$0.withinCeilings }
  }
}
