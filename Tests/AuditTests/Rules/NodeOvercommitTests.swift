import Audit
import PVEMendTestSupport
import PVEModel
import Playbook
import Testing

@Suite struct NodeOvercommitTests {
  @Test func runningAndOnbootVCPUsAboveTheLimitAreFound() {
    // 4 cores, limit 3/core = 12; 10 running + 3 onboot-stopped = 13 > 12.
    let c = TestCluster().node("proxmox", cores: 4)
      .guest(1, on: "proxmox", vcpus: 10).guest(
        2, on: "proxmox", status: "stopped", vcpus: 3, onboot: true
      )
      .guest(3, on: "proxmox", status: "stopped", vcpus: 8)
      .guest(4, on: "proxmox", vcpus: 8, template: true)
    let f = c.findings(NodeOvercommit())
    #expect(f.map(\.id) == ["node.overcommit/proxmox"])
    #expect(f[0].evidence["vcpus"] == .int(13))
    #expect(f[0].evidence["cores"] == .int(4))
    #expect(f[0].evidence["vcpuPerCore"] == .double(3.25))
    #expect(f[0].severity == .medium)
    #expect(f[0].remediation == .rebalance)
  }

  @Test func atTheLimitIsNotFoundAndDoubleIsHigh() {
    let ok = TestCluster().node("n", cores: 4).guest(1, on: "n", vcpus: 12)
    #expect(ok.findings(NodeOvercommit()).isEmpty)
    let bad = TestCluster().node("n", cores: 4).guest(1, on: "n", vcpus: 25)
    #expect(bad.findings(NodeOvercommit()).map(\.severity) == [.high])
  }

  @Test func theLimitComesFromThePolicy() {
    let c = TestCluster().node("n", cores: 4).guest(1, on: "n", vcpus: 6)
    #expect(c.findings(NodeOvercommit()).isEmpty)
    let strict = Policy(capacity: CapacityPolicy(vcpuPerCore: 1.0))
    #expect(c.findings(NodeOvercommit(), policy: strict).count == 1)
  }
}
