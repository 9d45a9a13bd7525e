import Audit
import PVEMendTestSupport
import PVEModel
import Playbook
import Testing

@Suite struct QuorumFragileTests {
  @Test func twoNodesAreFragile() {
    let f = TestCluster().node("a").node("b").findings(QuorumFragile())
    #expect(f.map(\.id) == ["quorum.fragile/cluster"])
    #expect(f[0].evidence["votes"] == .int(2))
    #expect(f[0].evidence["needed"] == .int(2))
  }

  @Test func threeNodesWithOneOfflineAreAtTheEdge() {
    let c = TestCluster().node("a").node("b").node("c", online: false)
    #expect(c.findings(QuorumFragile()).count == 1)
  }

  @Test func threeOnlineNodesOrAStandaloneNodeAreNotFragile() {
    #expect(TestCluster().node("a").node("b").node("c").findings(QuorumFragile()).isEmpty)
    let standalone = TestCluster().node("a").with { $0.name = nil }
    #expect(standalone.findings(QuorumFragile()).isEmpty)
  }
}
