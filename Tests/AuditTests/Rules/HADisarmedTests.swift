import Audit
import PVEMendTestSupport
import PVEModel
import Playbook
import Testing

@Suite struct HADisarmedTests {
  @Test func disarmedWithHAResourcesIsCritical() {
    let c = TestCluster().node("pve1").node("pve2").guest(100, on: "pve1").ha("ct:100")
    var cluster = c.cluster
    #expect(
      Auditor.findings(in: cluster, policy: .builtinDefault).allSatisfy { $0.rule != "ha.disarmed" }
    )
    cluster.haManager.disarm = HADisarm(state: "disarmed", mode: "freeze")
    let f = Auditor.findings(in: cluster, policy: .builtinDefault).filter {
      $0.rule == "ha.disarmed"
    }
    #expect(f.count == 1)
    #expect(f.first?.severity == .critical)
    #expect(f.first?.message.contains("disarmed, resource mode: freeze") == true)
    #expect(f.first?.message.contains("HA migrations and maintenance requests wait too") == true)
  }

  @Test func disarmedWithoutHAResourcesIsMedium() {
    var cluster = TestCluster().node("pve1").node("pve2").guest(100, on: "pve1").cluster
    cluster.haManager.disarm = HADisarm(state: "disarming", mode: "ignore")
    let f = Auditor.findings(in: cluster, policy: .builtinDefault).filter {
      $0.rule == "ha.disarmed"
    }
    #expect(f.map(\.severity) == [.medium])
  }
}
