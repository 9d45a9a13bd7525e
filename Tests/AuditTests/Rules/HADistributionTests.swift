import Audit
import PVEMendTestSupport
import PVEModel
import Playbook
import Testing

@Suite struct HADistributionTests {
  let base = TestCluster().node("proxmox", cores: 4).node("proxmox2").node("proxmox3")
    .guest(100, on: "proxmox").guest(113, on: "proxmox3").guest(114, on: "proxmox2")

  @Test func nodeWithoutHAServicesWhileOthersHaveSomeIsFound() {
    let f = base.ha("ct:100").ha("ct:113").findings(HADistribution())
    #expect(f.map(\.id) == ["ha.distribution/proxmox2"])
    #expect(f[0].evidence["haTotal"] == .int(2))
    #expect(f[0].evidence["nodesWithHA"] == .int(2))
  }

  @Test func noHAAtAllOrHAEverywhereIsNotFound() {
    #expect(base.findings(HADistribution()).isEmpty)
    #expect(base.ha("ct:100").ha("ct:113").ha("ct:114").findings(HADistribution()).isEmpty)
  }

  @Test func offlineNodesAreNotBlamed() {
    let c = TestCluster().node("a").node("b", online: false).guest(1, on: "a").ha("ct:1")
    #expect(c.findings(HADistribution()).isEmpty)
  }
}
