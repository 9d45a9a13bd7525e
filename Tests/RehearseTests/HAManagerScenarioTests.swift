import PVEMendTestSupport
import PVEModel
import Playbook
import Rehearse
import Testing

/// Recovery scenarios of pve-ha-manager's own regression tests (`src/test/<name>/`, read at
/// proxmox/pve-ha-manager b71218f, 5.2.0), re-stated here with hand-written inputs: each test names
/// its scenario and expects the node its `log.expect` shows in "recover service 'SID' from fenced
/// node 'A' to node 'B'" (or "no recovery node found").
@Suite("pve-ha-manager recovery scenarios")
struct HAManagerScenarioTests {
  /// `node1`…`nodeN` with default capacities, and the services on each node:
  /// `["node3": ["vm:101"], "node2": ["vm:102", "vm:103"]]`.
  static func sim(nodes count: Int = 3, _ layout: KeyValuePairs<String, [String]>) -> TestCluster {
    var sim = TestCluster.sim()
    for i in 1...count { sim.addNode("node\(i)") }
    for (node, sids) in layout { for sid in sids { sim.service(sid, on: node) } }
    return sim
  }

  /// test-crs-static1: static mode, one service; node3 has the most memory (300 GB vs 200/100).
  @Test func crsStatic1() {
    var sim = TestCluster.sim()
    sim.crs = "static"
    sim.addNode("node1", maxmem: 100_000_000_000)
    sim.addNode("node2", maxmem: 200_000_000_000)
    sim.addNode("node3", maxmem: 300_000_000_000)
    sim.service("vm:102", on: "node1")
    #expect(sim.fail("node1").targets == ["vm:102→node3"])
  }

  /// test-crs-static2: a non-strict rule for node1 only; once node1 is gone every other node is
  /// priority -1 and the static score decides: node3 (300 GB) while node4 is off; node4 (64 CPUs,
  /// 300 GB) once it is on, also with node2 or node3 down.
  @Test func crsStatic2() {
    func sim(offline: Set<String>) -> TestCluster {
      var sim = TestCluster.sim()
      sim.crs = "static"
      sim.addNode("node1", maxmem: 100_000_000_000)
      sim.addNode("node2", maxmem: 200_000_000_000)
      sim.addNode("node3", maxmem: 300_000_000_000)
      sim.addNode("node4", maxcpu: 64, maxmem: 300_000_000_000)
      sim.addNode("node5", maxmem: 100_000_000_000)
      for i in sim.nodes.indices where offline.contains(sim.nodes[i].name) {
        sim.nodes[i].online = false
      }
      sim.service("vm:102", on: "node1")
      sim.nodeAffinity("vm102-should-be-on-node1", nodes: "node1", resources: ["vm:102"])
      return sim
    }
    #expect(sim(offline: ["node4"]).fail("node1").targets == ["vm:102→node3"])
    #expect(sim(offline: []).fail("node1").targets == ["vm:102→node4"])
    #expect(sim(offline: ["node2"]).fail("node1").targets == ["vm:102→node4"])
    #expect(sim(offline: ["node3"]).fail("node1").targets == ["vm:102→node4"])
  }

  /// test-recovery1: a strict rule allows node2 only; node2 fails: "recovering service 'vm:102'
  /// from fenced node 'node2' failed, no recovery node found".
  @Test func recovery1() {
    var sim = Self.sim(["node2": ["vm:102"]])
    sim.nodeAffinity("vm102-must-be-on-node2", nodes: "node2", resources: ["vm:102"], strict: true)
    let outcome = sim.fail("node2")
    #expect(outcome.recovered.isEmpty)
    #expect(outcome.failed.map(\.sid) == ["vm:102"])
    #expect(outcome.failed.first?.reason == .noNode)
    #expect(outcome.verdict == .failed)
  }

  /// test-node-affinity-nonstrict3: non-strict rule for node3 only; node3 fails; node2 runs two
  /// services, node1 none: basic picks node1.
  @Test func nodeAffinityNonstrict3() {
    var sim = Self.sim(["node3": ["vm:101"], "node2": ["vm:102", "vm:103"]])
    sim.nodeAffinity("vm101-should-be-on-node3", nodes: "node3", resources: ["vm:101"])
    #expect(sim.fail("node3").targets == ["vm:101→node1"])
  }

  /// test-node-affinity-strict4: strict rule node2,node3; node3 fails; node2 is busier than node1
  /// but the only member left: node2.
  @Test func nodeAffinityStrict4() {
    var sim = Self.sim(["node3": ["vm:101"], "node2": ["vm:102", "vm:103"]])
    sim.nodeAffinity(
      "vm101-must-be-on-node2-node3", nodes: "node2,node3", resources: ["vm:101"], strict: true)
    #expect(sim.fail("node3").targets == ["vm:101→node2"])
  }

  /// test-node-affinity-strict5: strict rule node2:2,node3:1; vm:101 runs on node2 (its top
  /// priority); node2 fails: the next class, node3.
  @Test func nodeAffinityStrict5() {
    var sim = Self.sim(["node2": ["vm:101"]])
    sim.nodeAffinity(
      "vm101-must-be-on-node2-node3", nodes: "node2:2,node3:1", resources: ["vm:101"], strict: true)
    #expect(sim.fail("node2").targets == ["vm:101→node3"])
  }

  /// test-resource-affinity-strict-negative1: vm:101 and vm:102 kept apart; node3 (vm:102) fails;
  /// node1 runs two services, node2 runs vm:101: vm:102 goes to the busier node1.
  @Test func resourceAffinityStrictNegative1() {
    var sim = Self.sim(["node2": ["vm:101"], "node3": ["vm:102"], "node1": ["vm:103", "vm:104"]])
    sim.resourceAffinity("lonely-must-vms-be", "negative", resources: ["vm:101", "vm:102"])
    #expect(sim.fail("node3").targets == ["vm:102→node1"])
  }

  /// test-resource-affinity-strict-negative2: three services kept apart on node3, node4, node5;
  /// node1 runs three others, node2 two; node5 fails: node2 (node3 and node4 hold partners).
  @Test func resourceAffinityStrictNegative2() {
    var sim = Self.sim(
      nodes: 5,
      [
        "node3": ["vm:101"], "node4": ["vm:102"], "node5": ["vm:103"],
        "node1": ["vm:104", "vm:105", "vm:106"], "node2": ["vm:107", "vm:108"],
      ])
    sim.resourceAffinity(
      "lonely-must-vms-be", "negative", resources: ["vm:101", "vm:102", "vm:103"])
    #expect(sim.fail("node5").targets == ["vm:103→node2"])
  }

  /// test-resource-affinity-strict-positive1: vm:101 and vm:102 together on node3; node1 and
  /// node2 run one service each; node3 fails: vm:101 goes to node1 (tie, by name) and vm:102
  /// follows it.
  @Test func resourceAffinityStrictPositive1() {
    var sim = Self.sim(["node3": ["vm:101", "vm:102"], "node1": ["vm:103"], "node2": ["vm:104"]])
    sim.resourceAffinity("vms-must-stick-together", "positive", resources: ["vm:101", "vm:102"])
    #expect(sim.fail("node3").targets == ["vm:101→node1", "vm:102→node1"])
  }

  /// test_failover1.pl: `select_service_node` with a non-strict rule preferring node1; node1 is
  /// powered off: node2 (equal scores, first by name).
  @Test func failover1() {
    var sim = Self.sim(["node1": ["vm:111"]])
    sim.nodeAffinity("prefer_node1", nodes: "node1", resources: ["vm:111"])
    #expect(sim.fail("node1").targets == ["vm:111→node2"])
  }

  /// test-service-stopped2: a service in HA state stopped is still recovered when its node (node3)
  /// fails — to node1 — but not started.
  @Test func serviceStopped2() {
    var sim = Self.sim([:])
    sim.service("vm:1501", on: "node3", state: "stopped")
    let outcome = sim.fail("node3")
    #expect(outcome.targets == ["vm:1501→node1"])
    #expect(outcome.recovered.first?.started == false)
  }

  /// test-resource-affinity-strict-negative3: two nodes fail at once (node4 and node5; three of
  /// five nodes keep quorum); vm:102 goes to node2 (two services, node1 has three), then vm:103
  /// must avoid node3 (vm:101) and node2 (vm:102 now): node1.
  @Test func resourceAffinityStrictNegative3() {
    var sim = Self.sim(
      nodes: 5,
      [
        "node3": ["vm:101"], "node4": ["vm:102"], "node5": ["vm:103"],
        "node1": ["vm:104", "vm:105", "vm:106"], "node2": ["vm:107", "vm:108"],
      ])
    sim.resourceAffinity(
      "lonely-must-vms-be", "negative", resources: ["vm:101", "vm:102", "vm:103"])
    #expect(sim.fail("node4", "node5").targets == ["vm:102→node2", "vm:103→node1"])
  }

  /// test-resource-affinity-strict-positive2: three services kept together on node3; node1 runs
  /// two others, node2 one: the first goes to node2 and the others follow it.
  @Test func resourceAffinityStrictPositive2() {
    var sim = Self.sim([
      "node3": ["vm:101", "vm:102", "vm:103"], "node1": ["vm:104", "vm:105"], "node2": ["vm:106"],
    ])
    sim.resourceAffinity(
      "vms-must-stick-together", "positive", resources: ["vm:101", "vm:102", "vm:103"])
    #expect(sim.fail("node3").targets == ["vm:101→node2", "vm:102→node2", "vm:103→node2"])
  }

  /// test-resource-affinity-strict-positive3 (recovery part): the partner that sorts first
  /// (there `fa:120002`, here a container) is placed first, on node2, and the others follow it.
  /// (That scenario's later relocation after a failed start is not rehearsed.)
  @Test func resourceAffinityStrictPositive3() {
    var sim = Self.sim([
      "node3": ["vm:101", "vm:102", "ct:120002"], "node1": ["vm:104", "vm:105"],
      "node2": ["vm:106"],
    ])
    sim.resourceAffinity(
      "vms-must-stick-together", "positive", resources: ["vm:101", "vm:102", "ct:120002"])
    #expect(
      sim.fail("node3").targets == ["ct:120002→node2", "vm:101→node2", "vm:102→node2"])
  }

  /// test-node-affinity-nonstrict4: non-strict rule node2,node3; node3 fails; node2 is busier
  /// than node1 but still in the rule's class: node2.
  @Test func nodeAffinityNonstrict4() {
    var sim = Self.sim(["node3": ["vm:101"], "node2": ["vm:102", "vm:103"]])
    sim.nodeAffinity("vm101-should-be-on-node2-node3", nodes: "node2,node3", resources: ["vm:101"])
    #expect(sim.fail("node3").targets == ["vm:101→node2"])
  }
}
