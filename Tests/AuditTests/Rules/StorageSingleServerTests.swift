import Audit
import PVEMendTestSupport
import PVEModel
import Playbook
import Testing

@Suite struct StorageSingleServerTests {
  let base = TestCluster().node("a").node("b")
    .sharedStorage(
      "TrueNas_NVMe", server: "192.168.1.98", totalGB: 899, usedGB: 179, nodes: ["a", "b"]
    )
    .sharedStorage(
      "Truenas_jbod", server: "192.168.1.98", totalGB: 1540, usedGB: 557, nodes: ["a", "b"]
    )
    .guest(100, on: "a", disks: [TestCluster.disk("TrueNas_NVMe")]).ha("ct:100")
    .guest(101, on: "b", disks: [TestCluster.disk("local-lvm")])

  @Test func allSharedStorageOnOneServerIsFound() {
    let f = base.findings(StorageSingleServer())
    #expect(f.map(\.id) == ["storage.single-server/192.168.1.98"])
    #expect(f[0].evidence["guests"] == .int(1))
    #expect(f[0].evidence["haGuests"] == .int(1))
    #expect(f[0].evidence["pools"] == .array([.string("TrueNas_NVMe"), .string("Truenas_jbod")]))
  }

  @Test func aSecondServerOrCephIsNotASingleServer() {
    let two = base.sharedStorage(
      "nas2", server: "192.168.1.99", totalGB: 100, usedGB: 1, nodes: ["a"])
    #expect(two.findings(StorageSingleServer()).isEmpty)
    let ceph = base.sharedStorage(
      "ceph", server: nil, type: "rbd", totalGB: 100, usedGB: 1, nodes: ["a"])
    #expect(ceph.findings(StorageSingleServer()).isEmpty)
  }

  @Test func backupOnlyPoolsDoNotCount() {
    let c = TestCluster().node("a")
      .sharedStorage(
        "pbs", server: "10.0.0.5", type: "pbs", content: ["backup"], totalGB: 100, usedGB: 1,
        nodes: ["a"])
    #expect(c.findings(StorageSingleServer()).isEmpty)
  }
}
