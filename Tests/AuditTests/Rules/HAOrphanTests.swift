import Audit
import PVEMendTestSupport
import PVEModel
import Playbook
import Testing

@Suite struct HAOrphanTests {
  @Test func haResourceWithoutGuestIsFound() {
    let c = TestCluster().node("pve1").guest(100, on: "pve1").ha("ct:100").ha("vm:999")
      .ha("vm:100")
    let f = c.findings(HAOrphan())
    #expect(f.map(\.id).sorted() == ["ha.orphan/vm:100", "ha.orphan/vm:999"])
    #expect(f.allSatisfy { $0.subject.kind == .haResource })
  }

  @Test func resourcesWithGuestsAreNotFound() {
    let c = TestCluster().node("pve1").guest(100, on: "pve1").ha("ct:100")
    #expect(c.findings(HAOrphan()).isEmpty)
  }
}
