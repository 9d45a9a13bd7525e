import PVEMendTestSupport
import PVEModel
import Planning
import Testing

/// The restore test's conditions: a free VMID and a guest whose networks are cut.
@Suite struct RestoreConditionTests {
  @Test func guestAbsentAndNetworkCut() throws {
    var b = TestCluster.planner()
    b.addNode("pve1", cores: 8)
    b.vm(100, on: "pve1")
    var cluster = b.cluster
    let free = Condition(.guestAbsent, id: "99900")
    let used = Condition(.guestAbsent, id: "100")
    #expect(free.holds(in: cluster) && !used.holds(in: cluster))
    #expect(used.observation(in: cluster).contains("vm:100"))
    #expect(free.facts == [.resources])

    let cut = Condition(.networkCut, sid: "vm:100")
    let bridge = Condition(.networkCut, sid: "vm:100", key: "isolated")
    cluster.guests[0].networks = ["net0": "virtio=BC:24:11:00:00:01,bridge=vmbr0"]
    #expect(!cut.holds(in: cluster) && !bridge.holds(in: cluster))
    #expect(cut.observation(in: cluster) == "net0 not cut")
    cluster.guests[0].networks["net0"] = "virtio=BC:24:11:00:00:01,bridge=isolated"
    #expect(!cut.holds(in: cluster) && bridge.holds(in: cluster))
    cluster.guests[0].networks["net1"] = "virtio=BC:24:11:00:00:02,bridge=vmbr0,link_down=1"
    #expect(bridge.holds(in: cluster))
    cluster.guests[0].networks["net2"] = "virtio=BC:24:11:00:00:03,bridge=vmbr1,link_down=0"
    #expect(!bridge.holds(in: cluster))
    #expect(cut.facts == [.resources, .guestConfig("vm:100")])
    let established = cluster.establishing([cut, used])
    #expect(established.guest(vmid: 100) == nil)
    var only = cluster
    cut.establish(in: &only)
    #expect(cut.holds(in: only))
  }
}
