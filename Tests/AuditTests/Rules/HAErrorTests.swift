import Audit
import PVEMendTestSupport
import PVEModel
import Playbook
import Testing

@Suite struct HAErrorTests {
  @Test func guestInHAErrorIsFound() {
    let c = TestCluster().node("pve1").guest(100, on: "pve1").guest(101, on: "pve1")
      .ha("ct:100", live: "error").ha("ct:101", live: "started")
    let f = c.findings(HAError())
    #expect(f.map(\.id) == ["ha.error/ct:100"])
    #expect(f[0].severity == .high)
    let critical = c.findings(HAError(), policy: TestCluster.policy([(100, .critical)]))
    #expect(critical.map(\.severity) == [.critical])
  }

  @Test func healthyHAIsNotFound() {
    let c = TestCluster().node("pve1").guest(100, on: "pve1").ha("ct:100", live: "started")
    #expect(c.findings(HAError()).isEmpty)
  }
}
