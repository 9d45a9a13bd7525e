import Audit
import PVEMendTestSupport
import PVEModel
import Playbook
import Testing

@Suite struct SnapshotInconsistentTests {
  @Test func inconsistenciesBecomeFindingsExceptOrphanHAResources() {
    let c = TestCluster().node("a").with {
      $0.inconsistencies = [
        Inconsistency(
          key: "guest-on-unknown-node/ct:110", message: "ct:110 is listed on node 'ghost'"),
        Inconsistency(key: "ha-resource-without-guest/vm:999", message: "HA resource vm:999 …"),
      ]
    }
    let f = c.findings(SnapshotInconsistent())
    #expect(f.map(\.id) == ["snapshot.inconsistent/guest-on-unknown-node/ct:110"])
    #expect(f[0].message == "ct:110 is listed on node 'ghost'")
  }

  @Test func aConsistentSnapshotHasNone() {
    #expect(TestCluster().node("a").findings(SnapshotInconsistent()).isEmpty)
  }
}
