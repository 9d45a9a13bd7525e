import Audit
import PVEMendTestSupport
import PVEModel
import Playbook
import Testing

/// `ha.failover-capacity` reads the rehearsal (module Rehearse): HA's own choice of node per HA
/// guest (PVE 8.4 here: crs basic, fewest HA services, ties by node name), not a best fit.
@Suite struct HAFailoverCapacityTests {
  // Failover reserve 2 GiB (default: half of memory_reserve 4 GiB): a failover limit of 14 GiB on
  // pve2 and pve3; 4 GiB promised on each.
  let base = TestCluster().node("pve1", memoryGiB: 32).node("pve2", memoryGiB: 16)
    .node("pve3", cores: 2, memoryGiB: 16)
    .guest(200, on: "pve2", memoryGiB: 4).guest(300, on: "pve3", memoryGiB: 4)

  @Test func haGuestsThatFitOnSurvivorsAreNotFound() {
    // ct:100 → pve2 (0–0, by name), ct:101 → pve3 (pve2 has one now): 10 GiB each.
    let c = base.guest(100, on: "pve1", memoryGiB: 6).guest(101, on: "pve1", memoryGiB: 6)
      .ha("ct:100").ha("ct:101")
    #expect(c.findings(HAFailoverCapacity()).isEmpty)
  }

  @Test func survivorPushedOverTheMemoryCeilingIsFound() {
    // ct:100 → pve2, ct:101 → pve3, ct:102 → pve2 (1–1, by name): pve2 ends at 16 GiB > 14.
    let c = base.guest(100, on: "pve1", memoryGiB: 6).guest(101, on: "pve1", memoryGiB: 6)
      .guest(102, on: "pve1", memoryGiB: 6).ha("ct:100").ha("ct:101").ha("ct:102")
    let f = c.findings(HAFailoverCapacity())
    #expect(f.map(\.id) == ["ha.failover-capacity/pve1"])
    #expect(f[0].evidence["overloaded"] == .array([.string("pve2")]))
    #expect(f[0].evidence["notRecovered"] == .array([]))
    #expect(f[0].evidence["haMemory"] == .int(18 * TestCluster.gib))
  }

  @Test func haPicksByServiceCountNotByRoom() {
    // pve3 has room (32 GiB) but one HA service; basic sends the 11 GiB guest to pve2 (none),
    // which ends at 15 GiB, over its 14 GiB failover limit. A best fit would have found no
    // problem.
    let c = TestCluster().node("pve1").node("pve2", memoryGiB: 16).node("pve3")
      .guest(200, on: "pve2", memoryGiB: 4).guest(300, on: "pve3", memoryGiB: 1).ha("ct:300")
      .guest(100, on: "pve1", memoryGiB: 11).ha("ct:100")
    let f = c.findings(HAFailoverCapacity())
    #expect(f.map(\.id) == ["ha.failover-capacity/pve1"])
    #expect(f[0].evidence["recovered"] == .array([.string("ct:100→pve2")]))
  }

  @Test func vCPUsAboveTargetCoresAreFound() {
    // A restricted group leaves only pve3 (2 cores) for a 4-vCPU VM: qemu-server refuses it.
    let c = base.guest(100, on: "pve1", kind: .qemu, vcpus: 4, memoryGiB: 3)
      .ha("vm:100", group: "small")
      .with {
        $0.haGroups = [
          HAGroup(
            id: "small",
            nodes: [
              NodePriority(node: "pve1", priority: 1), NodePriority(node: "pve3", priority: 0),
            ], restricted: true, nofailback: false)
        ]
      }
    let f = c.findings(HAFailoverCapacity())
    #expect(f.map(\.id) == ["ha.failover-capacity/pve1"])
    #expect(f[0].evidence["notRecovered"] == .array([.string("vm:100")]))
  }

  @Test func criticalGuestWithoutRoomRaisesSeverity() {
    // 20 GiB on pve2 (16 GiB, 4 promised): beyond what the node has.
    let c = base.guest(100, on: "pve1", memoryGiB: 20).ha("ct:100")
    let f = c.findings(HAFailoverCapacity(), policy: TestCluster.policy([(100, .critical)]))
    #expect(f.map(\.severity) == [.critical])
    #expect(f.first?.evidence["notRecovered"] == .array([.string("ct:100")]))
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
    // pve3: 4 + 6 = 10 GiB of a 14 GiB failover limit; with 5 GiB more, 15 GiB.
    #expect(c.findings(HAFailoverCapacity()).isEmpty)
    let tight = c.guest(301, on: "pve3", memoryGiB: 5)
    #expect(tight.findings(HAFailoverCapacity()).map(\.id) == ["ha.failover-capacity/pve1"])
  }

  @Test func stoppedHAResourcesAreNotStarted() {
    let c = base.guest(100, on: "pve1", memoryGiB: 30).ha("ct:100", state: "stopped")
    #expect(c.findings(HAFailoverCapacity()).isEmpty)
  }
}
