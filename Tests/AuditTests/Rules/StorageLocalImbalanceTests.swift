import Audit
import PVEMendTestSupport
import PVEModel
import Playbook
import Testing

@Suite struct StorageLocalImbalanceTests {
  @Test func nodeWithLessThanHalfTheLocalStorageIsFound() {
    let c = TestCluster().node("proxmox").node("proxmox2").node("proxmox3")
      .localStorage(
        "local-lvm", perNode: [("proxmox", 349, 64), ("proxmox2", 816, 18), ("proxmox3", 816, 28)]
      )
      .localStorage(
        "local", type: "dir", content: ["iso", "backup"], perNode: [("proxmox", 2000, 1)])
    let f = c.findings(StorageLocalImbalance())
    #expect(f.map(\.id) == ["storage.local-imbalance/proxmox"])
    #expect(f[0].evidence["localTotal"] == .int(349_000_000_000))
    #expect(f[0].evidence["largestLocalTotal"] == .int(816_000_000_000))
  }

  @Test func similarNodesAreNotFound() {
    let c = TestCluster().node("a").node("b")
      .localStorage("local-lvm", perNode: [("a", 500, 1), ("b", 816, 1)])
    #expect(c.findings(StorageLocalImbalance()).isEmpty)
  }
}
