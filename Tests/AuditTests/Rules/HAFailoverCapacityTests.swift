import Audit
import PVEMendTestSupport
import PVEModel
import Playbook
import Testing

@Suite struct HAFailoverCapacityTests {
  // Reserve 4 GiB (default). pve2 and pve3 have 16 GiB, 4 GiB promised each → 8 GiB free each.
  let base = TestCluster().node("pve1", memoryGiB: 32).node("pve2", memoryGiB: 16)
    .node("pve3", cores: 2, memoryGiB: 16)
    .guest(200, on: "pve2", memoryGiB: 4).guest(300, on: "pve3", memoryGiB: 4)

  @Test func haGuestsThatFitOnSurvivorsAreNotFound() {
    let c = base.guest(100, on: "pve1", memoryGiB: 6).guest(101, on: "pve1", memoryGiB: 6)
      .ha("ct:100").ha("ct:101")
    #expect(c.findings(HAFailoverCapacity()).isEmpty)
  }

  @Test func memoryShortfallIsFound() {
    let c = base.guest(100, on: "pve1", memoryGiB: 6).guest(101, on: "pve1", memoryGiB: 6)
      .guest(102, on: "pve1", memoryGiB: 6).ha("ct:100").ha("ct:101").ha("ct:102")
    let f = c.findings(HAFailoverCapacity())
    #expect(f.map(\.id) == ["ha.failover-capacity/pve1"])
    #expect(f[0].evidence["unplaced"] == .array([.string("ct:102")]))
    #expect(f[0].evidence["survivorFreeMemory"] == .int(16 * TestCluster.gib))
    #expect(f[0].evidence["haMemory"] == .int(18 * TestCluster.gib))
  }

  @Test func vCPUsAboveTargetCoresAreFound() {
    // 4 vCPUs fit pve2 (8 cores) but pve2 lacks memory after the first guest; pve3 has 2 cores.
    let c = base.guest(100, on: "pve1", vcpus: 4, memoryGiB: 6).guest(
      101, on: "pve1", vcpus: 4, memoryGiB: 3
    )
    .ha("ct:100").ha("ct:101")
    let f = c.findings(HAFailoverCapacity())
    #expect(f.map(\.id) == ["ha.failover-capacity/pve1"])
    #expect(f[0].evidence["unplaced"] == .array([.string("ct:101")]))
  }

  @Test func criticalUnplacedGuestRaisesSeverity() {
    let c = base.guest(100, on: "pve1", memoryGiB: 20).ha("ct:100")
    let f = c.findings(HAFailoverCapacity(), policy: TestCluster.policy([(100, .critical)]))
    #expect(f.map(\.severity) == [.critical])
  }

  @Test func restrictedGroupConfinesTheSurvivors() {
    let c = base.guest(100, on: "pve1", memoryGiB: 6).ha("ct:100", group: "only13")
      .with {
        $0.haGroups = [
          HAGroup(
            id: "only13",
            nodes: [
              NodePriority(node: "pve1", priority: 1), NodePriority(node: "pve3", priority: 0),
            ], restricted: true, nofailback: false)
        ]
      }
    // pve3 has 8 GiB free, 6 fits.
    #expect(c.findings(HAFailoverCapacity()).isEmpty)
    let tight = c.guest(301, on: "pve3", memoryGiB: 4)
    #expect(tight.findings(HAFailoverCapacity()).map(\.id) == ["ha.failover-capacity/pve1"])
  }

  @Test func stoppedHAResourcesAreNotRecovered() {
    let c = base.guest(100, on: "pve1", memoryGiB: 30).ha("ct:100", state: "stopped")
    #expect(c.findings(HAFailoverCapacity()).isEmpty)
  }
}
