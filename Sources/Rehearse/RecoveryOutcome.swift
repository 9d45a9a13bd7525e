import PVEModel

/// What happens when the nodes of a `FailureScenario` fail: what HA recovers where, what fails to
/// come back and why, what is simply down, and every survivor's load afterwards.
package struct RecoveryOutcome: Sendable, Hashable, Codable {
  /// The scenario's result, worst first.
  package enum Verdict: String, Sendable, Hashable, Codable, Comparable {
    /// The survivors lose quorum: nothing is recovered.
    case quorumLost = "quorum-lost"
    /// An HA guest is not recovered or cannot start where HA puts it.
    case failed
    /// Every HA guest comes back, but a survivor is over the playbook's failover limits.
    case overloaded
    /// Every HA guest comes back and every survivor stays within the failover limits.
    case survivable

    var rank: Int {
      switch self {
      case .quorumLost: 0
      case .failed: 1
      case .overloaded: 2
      case .survivable: 3
      }
    }
    package static func < (a: Verdict, b: Verdict) -> Bool { a.rank < b.rank }
  }

  /// A node's score when HA chose a node for a service (basic: services counted there;
  /// static: TOPSIS closeness, higher is better).
  package struct Candidate: Sendable, Hashable, Codable {
    package var node: String
    package var score: Double
  }

  /// An HA guest the CRM recovers onto a survivor.
  package struct Recovered: Sendable, Hashable, Codable {
    package var sid: String
    package var name: String
    package var from: String
    package var to: String
    package var vcpus: Int
    package var memory: Int64
    /// False for HA state `stopped`: moved to `to` but left stopped.
    package var started: Bool
    /// Where the choice came from: `group NAME`, `rule NAME`, `any node`, plus resource affinity.
    package var placement: String
    /// The nodes HA chose among (its highest priority class after affinity), best first, at most
    /// five, with their scores.
    package var candidates: [Candidate]
  }

  /// Why an HA guest does not come back.
  package enum Reason: String, Sendable, Hashable, Codable {
    /// No online node is allowed (strict rule / restricted group, resource affinity).
    case noNode = "no-node"
    /// A volume on node-local storage: the target cannot reach it.
    case localStorage = "local-storage"
    /// A host device (PCI, USB, serial) ties the guest to its node.
    case localDevice = "local-device"
    /// More vCPUs than the target has cores: qemu-server refuses to start it.
    case vcpus
    /// Its memory exceeds what the target has free (total − used now − earlier recoveries).
    case memory
    /// The HA service is in state `error`: the CRM does not recover it.
    case errorState = "error-state"
    /// The survivors have no quorum: no CRM master recovers anything.
    case quorum
    /// Its node fences itself (no quorum, active HA services).
    case fenced
    /// The HA stack is disarmed (`crm-command disarm-ha`): the CRM recovers nothing.
    case disarmed = "ha-disarmed"
    /// A lock the CRM does not remove after fencing (`create`, `disk`, …): the start fails.
    case locked
  }

  /// An HA guest that does not come back.
  package struct Failed: Sendable, Hashable, Codable {
    package var sid: String
    package var name: String
    package var from: String
    /// Where HA put it (and it fails to start), nil when HA finds no node.
    package var node: String?
    package var reason: Reason
    package var message: String
  }

  /// A guest that stays down: not HA-managed (or disabled / ignored), or on a fenced node.
  package struct Down: Sendable, Hashable, Codable {
    package var sid: String
    package var name: String
    package var node: String
    /// `not HA-managed`, `HA state disabled`, `HA state ignored`, `node fenced`.
    package var why: String
  }

  /// A surviving node's load after recovery against the playbook's failover limits
  /// (`capacity.failover_vcpu_per_core`, `capacity.failover_memory_reserve`).
  package struct SurvivorLoad: Sendable, Hashable, Codable {
    package var node: String
    package var cores: Int
    /// vCPUs of running and onboot guests before the failure, and after recovery.
    package var vcpusBefore: Int
    package var vcpus: Int
    package var vcpuPerCore: Double
    /// The playbook's `capacity.failover_vcpu_per_core`.
    package var vcpuCeiling: Double
    package var memoryTotal: Int64
    /// Configured memory of running and onboot guests before the failure, and after recovery.
    package var memoryBefore: Int64
    package var memory: Int64
    /// Total − the playbook's `capacity.failover_memory_reserve`.
    package var memoryCeiling: Int64
    /// Sids recovered onto this node and started.
    package var recovered: [String]
    /// Fenced itself (no quorum): everything on it is down.
    package var fenced: Bool

    package var overCPU: Bool { !fenced && vcpuPerCore > vcpuCeiling }
    package var overMemory: Bool { !fenced && memory > memoryCeiling }
    package var withinCeilings: Bool { !overCPU && !overMemory }
  }

  /// The nodes that fail in this scenario.
  package var failedNodes: [String]
  /// Nodes offline before the scenario (their HA guests are recovered too).
  package var alreadyOffline: [String]
  package var scheduler: HAStack.Scheduler
  package var accounting: HAStack.Accounting
  /// Whether the survivors keep quorum (one vote per node).
  package var quorate: Bool
  /// Online votes after the failure / votes in the cluster.
  package var votes: Int
  package var expectedVotes: Int
  /// In the CRM's order (by sid).
  package var recovered: [Recovered]
  /// By sid.
  package var failed: [Failed]
  /// By VMID.
  package var down: [Down]
  /// By node name.
  package var survivors: [SurvivorLoad]
  package var verdict: Verdict

  /// The survivor with the highest vCPU per core, then the highest memory share (the worst).
  package var worstSurvivor: SurvivorLoad? {
    survivors.filter { !$0.fenced }.max { a, b in
      let ma = Double(a.memory) / Double(max(a.memoryCeiling, 1))
      let mb = Double(b.memory) / Double(max(b.memoryCeiling, 1))
      let ka = max(a.vcpuPerCore / max(a.vcpuCeiling, 0.0001), ma)
      let kb = max(b.vcpuPerCore / max(b.vcpuCeiling, 0.0001), mb)
      return (ka, b.node) < (kb, a.node)
    }
  }
}
