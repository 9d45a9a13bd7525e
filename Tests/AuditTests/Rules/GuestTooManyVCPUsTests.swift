import Audit
import PVEMendTestSupport
import PVEModel
import Playbook
import Testing

@Suite struct GuestTooManyVCPUsTests {
  @Test func guestWithMoreVCPUsThanCoresIsFound() {
    let c = TestCluster().node("proxmox", cores: 4)
      .guest(1, on: "proxmox", kind: .qemu, vcpus: 6).guest(2, on: "proxmox", vcpus: 4)
    let f = c.findings(GuestTooManyVCPUs())
    #expect(f.map(\.id) == ["guest.too-many-vcpus/vm:1"])
    #expect(f[0].message.contains("QEMU will not start it"))
    #expect(f[0].evidence["vcpus"] == .int(6))
    #expect(f[0].severity == .medium)
    #expect(
      c.findings(GuestTooManyVCPUs(), policy: TestCluster.policy([(1, .high)])).map(\.severity) == [
        .high
      ])
  }

  @Test func guestsWithinCoresAreNotFound() {
    let c = TestCluster().node("n", cores: 8).guest(1, on: "n", kind: .qemu, vcpus: 8)
    #expect(c.findings(GuestTooManyVCPUs()).isEmpty)
  }
}
