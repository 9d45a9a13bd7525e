import Audit
import PVEMendTestSupport
import PVEModel
import Playbook
import Rehearse
import Testing

/// The audit's N+1 table and recovery scenarios say what `pvemend rehearse` says: both read one
/// rehearsal of each online node's failure.
@Suite struct FailoverRehearsalTests {
  @Test(arguments: Examples.names) func auditAgreesWithRehearse(example: String) throws {
    let cluster = try Examples.cluster(example)
    let policy = try Examples.policy(example)
    let report = AuditReport(cluster: cluster, policy: policy)
    let rehearsal = RehearsalReport(cluster: cluster, policy: policy)
    #expect(report.capacity.failover.map(\.node) == rehearsal.scenarios.map { $0.failedNodes[0] })
    #expect(report.capacity.failover.map(\.verdict) == rehearsal.scenarios.map(\.verdict.rawValue))
    #expect(report.capacity.nPlusOne == (rehearsal.worst == .survivable && cluster.nodes.count > 1))
    for (row, outcome) in zip(report.capacity.failover, rehearsal.scenarios) {
      #expect(row.recovered == outcome.recovered.filter(\.started).map { "\($0.sid) → \($0.to)" })
      let scenario = report.recovery.first { $0.kind == "node" && $0.subject == row.node }
      #expect(scenario?.restarted.count == outcome.recovered.filter(\.started).count)
      #expect(scenario?.haNotRecovered.count == outcome.failed.count)
    }
  }
}
