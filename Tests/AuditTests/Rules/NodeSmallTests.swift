import Audit
import PVEMendTestSupport
import PVEModel
import Playbook
import Testing

@Suite struct NodeSmallTests {
  @Test func nodeWithHalfTheCoresOfTheLargestIsFound() {
    let c = TestCluster().node("proxmox", cores: 4).node("proxmox2", cores: 8).node(
      "proxmox3", cores: 8)
    let f = c.findings(NodeSmall())
    #expect(f.map(\.id) == ["node.small/proxmox"])
    #expect(f[0].severity == .low)
    #expect(f[0].evidence["largestCores"] == .int(8))
  }

  @Test func nodesAboveHalfAreNotFound() {
    #expect(TestCluster().node("a", cores: 6).node("b", cores: 8).findings(NodeSmall()).isEmpty)
    #expect(TestCluster().node("a", cores: 2).findings(NodeSmall()).isEmpty)
  }
}
