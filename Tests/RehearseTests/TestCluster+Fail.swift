import PVEMendTestSupport
import PVEModel
import Playbook
import Rehearse

extension TestCluster {
  /// Fails `nodes` and returns sid → recovery node (nil: no node found / not recovered).
  func fail(_ nodes: String...) -> RecoveryOutcome { cluster.fail(nodes) }
}

extension Cluster {
  /// Fails `nodes` under ceilings that never bind (8 vCPUs per core, no memory reserve).
  func fail(_ nodes: [String]) -> RecoveryOutcome {
    Rehearsal.run(
      self, policy: Policy(capacity: CapacityPolicy(vcpuPerCore: 8, memoryReserve: 0)),
      scenario: FailureScenario(failedNodes: nodes))
  }
}

extension RecoveryOutcome {
  /// sid → node for every recovered service, in the CRM's order.
  var targets: [String] { recovered.map { "\($0.sid)→\($0.to)" } }
}
