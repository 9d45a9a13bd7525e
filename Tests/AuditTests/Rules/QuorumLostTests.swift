import Audit
import PVEMendTestSupport
import PVEModel
import Playbook
import Testing

@Suite struct QuorumLostTests {
  @Test func notQuorateIsCritical() {
    let c = TestCluster().node("a").node("b", online: false).node("c", online: false)
      .with { $0.quorum = Quorum(quorate: false, nodes: 3, online: 1, configVersion: 3) }
    let f = c.findings(QuorumLost())
    #expect(f.map(\.id) == ["quorum.lost/cluster"])
    #expect(f[0].severity == .critical)
    #expect(f[0].evidence["needed"] == .int(2))
  }

  @Test func quorateIsNotFound() {
    #expect(TestCluster().node("a").node("b").node("c").findings(QuorumLost()).isEmpty)
  }
}
