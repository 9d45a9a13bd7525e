import Audit
import PVEMendTestSupport
import PVEModel
import Playbook
import Testing

@Suite struct NodeOfflineTests {
  @Test func offlineNodeIsFound() {
    let c = TestCluster().node("a").node("b", online: false).guest(1, on: "b").ha("ct:1")
    let f = c.findings(NodeOffline())
    #expect(f.map(\.id) == ["node.offline/b"])
    #expect(f[0].evidence["guests"] == .int(1))
    #expect(f[0].evidence["haGuests"] == .int(1))
  }

  @Test func onlineNodesAreNotFound() {
    #expect(TestCluster().node("a").node("b").findings(NodeOffline()).isEmpty)
  }
}
