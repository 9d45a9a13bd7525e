import Audit
import PVEMendTestSupport
import PVEModel
import Playbook
import Testing

@Suite struct HALocalStorageTests {
  let base = TestCluster().node("pve1").node("pve2")
    .localStorage("local-lvm", perNode: [("pve1", 500, 10), ("pve2", 500, 10)])
    .sharedStorage("nas", server: "10.0.0.9", totalGB: 1000, usedGB: 100, nodes: ["pve1", "pve2"])
    .guest(100, on: "pve1", disks: [TestCluster.disk("local-lvm", gib: 20)])
    .guest(101, on: "pve1", disks: [TestCluster.disk("nas", gib: 20)])
    .guest(
      102, on: "pve2", kind: .qemu,
      disks: [TestCluster.disk("nas", key: "scsi0"), TestCluster.disk("local-lvm", key: "unused0")]
    )
    .guest(103, on: "pve2", disks: [TestCluster.disk("local-lvm")])

  @Test func haGuestOnLocalStorageIsFound() {
    let f = base.ha("ct:100").ha("ct:101").ha("vm:102").findings(HALocalStorage())
    #expect(f.map(\.id) == ["ha.local-storage/ct:100"])
    #expect(f[0].severity == .high)
    #expect(f[0].remediation == .moveToSharedStorage)
    #expect(f[0].evidence["localBytes"] == .int(20 * TestCluster.gib))
    #expect(f[0].evidence["storages"] == .array([.string("local-lvm")]))
  }

  @Test func toBeHAGuestOnLocalStorageIsFoundWithItsLevel() {
    let f = base.findings(HALocalStorage(), policy: TestCluster.policy([(103, .critical)]))
    #expect(f.map(\.id) == ["ha.local-storage/ct:103"])
    #expect(f[0].severity == .critical)
    #expect(f[0].evidence["haManaged"] == .bool(false))
  }

  @Test func guestsNeitherHANorWantedAreIgnored() {
    #expect(base.findings(HALocalStorage()).isEmpty)
  }
}
