import PVEMendTestSupport
import PVEModel
import Playbook
import Rehearse
import Testing

/// The rehearsal's own rules beyond pve-ha-manager's scenarios: quorum, accounting by release,
/// PVE 8 groups, HA states, start checks, ceilings.
@Suite struct RehearsalTests {
  /// Two nodes, one fails: one vote of two is no quorum. Nothing is recovered, and the survivor,
  /// which runs an HA service, fences itself: everything on it goes down too.
  @Test func quorumLostRecoversNothingAndFencesSurvivors() {
    var sim = TestCluster.sim()
    sim.addNode("a")
    sim.addNode("b")
    sim.service("vm:100", on: "a")
    sim.service("vm:101", on: "b")
    sim.addGuest("ct:200", on: "b")
    let o = sim.fail("a")
    #expect(!o.quorate && o.verdict == .quorumLost)
    #expect(o.recovered.isEmpty)
    #expect(o.failed.map(\.sid) == ["vm:100", "vm:101"])
    #expect(o.failed.map(\.reason) == [.quorum, .fenced])
    #expect(o.down.map(\.sid) == ["ct:200"])
    #expect(o.survivors.first?.fenced == true)
  }

  /// A survivor without active HA services keeps running without quorum (its LRM is idle).
  @Test func idleSurvivorDoesNotFence() {
    var sim = TestCluster.sim()
    sim.addNode("a")
    sim.addNode("b")
    sim.service("vm:100", on: "a")
    sim.addGuest("ct:200", on: "b")
    let o = sim.fail("a")
    #expect(o.verdict == .quorumLost)
    #expect(o.down.isEmpty)
    #expect(o.survivors.first?.fenced == false)
  }

  /// Running non-HA guests count from pve-ha-manager 5.1.2 on (rehearsed for PVE ≥ 9.2): node2
  /// has fewer HA services but more guests, so 9.2 picks node3 where 9.1 picks node2.
  @Test func accountingFollowsTheRelease() {
    func sim(_ minor: Int) -> TestCluster {
      var sim = TestCluster.sim()
      sim.version = PVEVersion(major: 9, minor: minor, patch: 0)
      for n in ["node1", "node2", "node3"] { sim.addNode(n) }
      sim.service("vm:100", on: "node1")
      sim.service("vm:101", on: "node3")
      for id in 200...202 { sim.addGuest("ct:\(id)", on: "node2") }
      return sim
    }
    #expect(sim(1).fail("node1").targets == ["vm:100→node2"])
    #expect(sim(1).fail("node1").accounting == .haResources)
    #expect(sim(2).fail("node1").targets == ["vm:100→node3"])
    #expect(sim(2).fail("node1").accounting == .haResourcesAndGuests)
  }

  /// PVE 8: a restricted group whose members are all gone: no recovery node; an unrestricted
  /// group falls back to the other nodes; priorities pick the highest class first.
  @Test func pve8Groups() {
    var sim = TestCluster.sim()
    sim.version = PVEVersion(major: 8, minor: 4, patch: 14)
    sim.haRules = nil
    for n in ["hv1", "hv2", "hv3"] { sim.addNode(n) }
    sim.service("vm:100", on: "hv1")
    sim.service("vm:101", on: "hv1")
    sim.service("vm:102", on: "hv1")
    sim.service("vm:103", on: "hv3")
    sim.group("only-hv1", nodes: "hv1", restricted: true, resources: ["vm:100"])
    sim.group("prefer", nodes: "hv1:2,hv3:1", resources: ["vm:101"])
    sim.group("loose", nodes: "hv1", resources: ["vm:102"])
    let o = sim.fail("hv1")
    #expect(o.failed.map(\.sid) == ["vm:100"])
    #expect(o.failed.first?.reason == .noNode)
    // vm:101: hv3 is its next class although hv3 is busier; vm:102: any node, hv2 has fewer.
    #expect(o.targets == ["vm:101→hv3", "vm:102→hv2"])
  }

  /// HA states: disabled stays down on its node, ignored is not HA (down), stopped moves and
  /// stays stopped; a service in state error is not recovered.
  @Test func haStates() {
    var sim = TestCluster.sim()
    for n in ["node1", "node2", "node3"] { sim.addNode(n) }
    sim.service("vm:100", on: "node1", state: "disabled")
    sim.service("vm:101", on: "node1", state: "ignored")
    sim.service("vm:102", on: "node1", state: "stopped")
    sim.service("vm:103", on: "node1")
    // disabled/ignored guests were running before the failure.
    for i in sim.guests.indices where [100, 101].contains(sim.guests[i].vmid) {
      sim.guests[i].status = "running"
    }
    let o = sim.fail("node1")
    #expect(o.targets == ["vm:102→node2", "vm:103→node3"])
    #expect(o.recovered.map(\.started) == [false, true])
    #expect(o.down.map(\.sid) == ["vm:100", "vm:101"])
  }

  /// Start checks: a VM with more vCPUs than the target's cores, memory beyond what the target
  /// has unclaimed, and a volume on local storage all fail where HA puts them.
  @Test func startChecks() {
    var sim = TestCluster.sim()
    sim.addNode("big", maxcpu: 16, maxmem: 64 << 30)
    sim.addNode("small", maxcpu: 4, maxmem: 8 << 30)
    sim.addNode("mid", maxcpu: 8, maxmem: 16 << 30)
    sim.service("vm:100", on: "big", maxcpu: 8, maxmem: 2 << 30)
    sim.service("vm:101", on: "mid")
    sim.service("vm:102", on: "mid")
    sim.nodeAffinity("to-small", nodes: "small", resources: ["vm:100"], strict: true)
    sim.service("vm:103", on: "big", maxcpu: 2, maxmem: 12 << 30)
    sim.nodeAffinity("mem", nodes: "small", resources: ["vm:103"], strict: true)
    sim.service("ct:104", on: "big", localDisk: true)
    let o = sim.fail("big")
    #expect(o.failed.map(\.reason) == [.localStorage, .vcpus, .memory])
    #expect(o.verdict == .failed)
  }

  /// The failover limits: a survivor over `failover_vcpu_per_core` or over total −
  /// `failover_memory_reserve` is overloaded; the everyday ceilings do not judge a failure.
  @Test func ceilings() {
    var sim = TestCluster.sim()
    sim.addNode("a", maxcpu: 4, maxmem: 16 << 30)
    sim.addNode("b", maxcpu: 4, maxmem: 16 << 30)
    sim.addNode("c", maxcpu: 4, maxmem: 16 << 30)
    sim.service("vm:100", on: "a", maxcpu: 4, maxmem: 6 << 30)
    sim.addGuest("ct:200", on: "b", maxcpu: 4, maxmem: 6 << 30)
    sim.addGuest("ct:201", on: "c", maxcpu: 4, maxmem: 6 << 30)
    // Failover limits: 1.5 vCPUs per core, 4 GiB reserve (the everyday 1 per core is not used).
    let policy = Policy(
      capacity: CapacityPolicy(
        vcpuPerCore: 1, memoryReserve: 8 << 30, failoverVCPUPerCore: 1.5,
        failoverMemoryReserve: 4 << 30))
    let o = Rehearsal.run(sim.cluster, policy: policy, scenario: .init(failedNodes: ["a"]))
    #expect(o.targets == ["vm:100→b"])
    let b = o.survivors.first { $0.node == "b" }
    #expect(b?.vcpuPerCore == 2 && b?.overCPU == true && b?.vcpuCeiling == 1.5)
    #expect(b?.memory == 12 << 30 && b?.overMemory == false)
    #expect(o.verdict == .overloaded)
    // Defaults: 1.5 × vcpu_per_core and half of memory_reserve.
    let defaults = CapacityPolicy(vcpuPerCore: 4, memoryReserve: 4 << 30)
    #expect(defaults.failoverVCPUPerCore == 6 && defaults.failoverMemoryReserve == 2 << 30)
  }
}

/// A node in HA maintenance mode is not a recovery target (`NodeStatus::list_online_nodes`).
@Test func maintenanceNodeTakesNothing() {
  var sim = TestCluster.sim()
  for n in ["node1", "node2", "node3"] { sim.addNode(n) }
  sim.nodes[2].haState = "maintenance"
  sim.service("vm:100", on: "node1")
  sim.service("vm:101", on: "node2")
  // node3 has no service and would win on count; it is in maintenance: node2.
  #expect(sim.fail("node1").targets == ["vm:100→node2"])
}

/// A disarmed HA stack (`ha-manager crm-command disarm-ha`, pve-ha-manager 5.1.3+): Manager.pm's
/// `manage` runs `handle_disarm` instead of the service state machine, so nothing is recovered;
/// every watchdog is released, so no survivor fences itself without quorum.
@Suite struct DisarmedRehearsalTests {
  static func sim() -> TestCluster {
    var sim = TestCluster.sim()
    for n in ["a", "b", "c"] { sim.addNode(n) }
    sim.service("vm:100", on: "a")
    sim.service("vm:101", on: "b")
    return sim
  }

  @Test func nothingIsRecoveredWhileDisarmed() {
    var cluster = Self.sim().cluster
    #expect(
      Rehearsal.run(cluster, policy: .builtinDefault, scenario: .init(failedNodes: ["a"]))
        .targets == ["vm:100→c"])
    cluster.haManager.disarm = HADisarm(state: "disarmed", mode: "freeze")
    let o = Rehearsal.run(cluster, policy: .builtinDefault, scenario: .init(failedNodes: ["a"]))
    #expect(o.recovered.isEmpty)
    #expect(o.failed.map(\.sid) == ["vm:100"])
    #expect(o.failed.map(\.reason) == [.disarmed])
    #expect(o.failed.first?.message.contains("ha-manager crm-command arm-ha") == true)
    #expect(o.verdict == .failed)
    let report = RehearsalReport(cluster: cluster, policy: .builtinDefault)
    #expect(
      report.notes.contains { $0.hasPrefix("the HA stack is disarmed, resource mode: freeze") })
  }

  @Test func noSurvivorFencesWhileDisarmed() {
    var sim = TestCluster.sim()
    sim.addNode("a")
    sim.addNode("b")
    sim.service("vm:100", on: "a")
    sim.service("vm:101", on: "b")
    var cluster = sim.cluster
    cluster.haManager.disarm = HADisarm(state: "disarmed", mode: "ignore")
    let o = Rehearsal.run(cluster, policy: .builtinDefault, scenario: .init(failedNodes: ["a"]))
    #expect(o.verdict == .quorumLost)
    #expect(o.survivors.allSatisfy { !$0.fenced })
    #expect(o.failed.map(\.reason) == [.quorum])
  }

  /// Only 5.1.3+ reports a fencing entry, and 5.1.2+ counts running non-HA guests: a PVE 9.1
  /// snapshot with the entry is rehearsed with that accounting.
  @Test func aFencingEntryMeansGuestAccounting() {
    var sim = TestCluster.sim()
    sim.version = PVEVersion(major: 9, minor: 1, patch: 0)
    for n in ["node1", "node2", "node3"] { sim.addNode(n) }
    sim.service("vm:100", on: "node1")
    sim.service("vm:101", on: "node3")
    for id in 200...202 { sim.addGuest("ct:\(id)", on: "node2") }
    var cluster = sim.cluster
    #expect(Rehearsal(cluster: cluster, policy: .builtinDefault).stack.accounting == .haResources)
    cluster.haManager.armedState = "armed"
    let o = Rehearsal.run(cluster, policy: .builtinDefault, scenario: .init(failedNodes: ["node1"]))
    #expect(o.accounting == .haResourcesAndGuests)
    #expect(o.targets == ["vm:100→node3"])
  }
}
