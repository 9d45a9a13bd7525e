import Audit
import PVEMendTestSupport
import PVEModel
import Playbook
import Testing

@Suite struct NodeImbalanceTests {
  /// The seed: proxmox 17 of 37 guests (46 %) on 4 of 20 cores (20 %).
  static func seedShape() -> TestCluster {
    var c = TestCluster().node("proxmox", cores: 4).node("proxmox2").node("proxmox3")
    var vmid = 100
    for (node, count) in [("proxmox", 17), ("proxmox2", 10), ("proxmox3", 10)] {
      for _ in 0..<count {
        c = c.guest(vmid, on: node)
        vmid += 1
      }
    }
    return c
  }

  @Test func seedShareOfGuestsAgainstShareOfCores() {
    let f = Self.seedShape().findings(NodeImbalance())
    #expect(f.map(\.id) == ["node.imbalance/proxmox"])
    #expect(f[0].evidence["guests"] == .int(17))
    #expect(f[0].evidence["totalGuests"] == .int(37))
    #expect(f[0].evidence["guestShare"] == .double(0.459))
    #expect(f[0].evidence["coreShare"] == .double(0.2))
    #expect(f[0].severity == .high)
    #expect(f[0].message.contains("46%"))
    #expect(f[0].message.contains("20%"))
  }

  @Test func balancedClusterIsNotFound() {
    let c = TestCluster().node("a", cores: 4).node("b", cores: 8)
      .guest(1, on: "a").guest(2, on: "b").guest(3, on: "b")
    #expect(c.findings(NodeImbalance()).isEmpty)
  }

  @Test func theToleranceComesFromThePolicy() {
    let loose = Policy(capacity: CapacityPolicy(shareTolerance: 0.30))
    #expect(Self.seedShape().findings(NodeImbalance(), policy: loose).isEmpty)
  }
}
