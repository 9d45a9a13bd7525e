import Audit
import PVEModel
import Planning
import Playbook
import Testing

/// What Proxmox refuses, so the planner must not plan it: migrating guests with local devices,
/// moving onto a node in maintenance, changing anything without quorum, setting an errored HA
/// resource.
@Suite struct GuardrailTests {
  static func argvs(_ plan: Plan) -> [[String]] { plan.steps.flatMap { $0.commands.map(\.argv) } }

  @Test func guestWithLocalDevicesIsNeitherMigratedNorMadeHA() {
    var b = HAPlanningTests.threeNodes()
    b.vm(150, on: "n1", disks: [("scsi0", "nfs", 8)])
    b.guests[0].localDevices = ["hostpci0"]
    let plan = Plans.plan(b.cluster, HAPlanningTests.policy([150]))
    #expect(!Self.argvs(plan).contains { $0.contains("vm:150") || $0.contains("150") })
    let entry = plan.unresolved.first { $0.finding == "ha.unprotected/vm:150" }
    #expect(entry?.reason.contains("hostpci0") == true)
    #expect(entry?.limit == "unmovable")
  }

  @Test func nodeInMaintenanceIsNoHAPreference() throws {
    var b = HAPlanningTests.threeNodes()
    b.nodes[2].haState = "maintenance"
    b.vm(114, on: "n1", disks: [("scsi0", "nfs", 8)])
    let plan = Plans.plan(b.cluster, HAPlanningTests.policy([114]))
    let rule = try #require(plan.steps.first { $0.kind == .haRule })
    let nodes = try #require(rule.commands[0].argv.firstIndex(of: "--nodes"))
    #expect(rule.commands[0].argv[nodes + 1] == "n1:2,n2:1")
    #expect(!Self.argvs(plan).contains { $0.contains("n3") })
  }

  @Test func withoutQuorumOnlyAdvice() {
    var b = HAPlanningTests.threeNodes()
    b.ct(110, on: "n1")
    var cluster = b.cluster
    cluster.quorum = Quorum(quorate: false, nodes: 3, online: 1, configVersion: 1)
    let plan = Plans.plan(cluster, HAPlanningTests.policy([110]))
    #expect(plan.steps.allSatisfy { $0.kind == .advice && $0.commands.isEmpty })
    let entry = plan.unresolved.first { $0.finding == "ha.unprotected/ct:110" }
    #expect(entry?.limit == "quorum")
  }

  @Test func erroredHAResourceIsNotSet() {
    var b = HAPlanningTests.threeNodes()
    b.ct(100, on: "n1")
    b.addHA("ct:100", state: "error")
    let plan = Plans.plan(b.cluster, HAPlanningTests.policy([100]))
    #expect(!Self.argvs(plan).contains { $0.starts(with: ["ha-manager", "set", "ct:100"]) })
    #expect(!Self.argvs(plan).contains { $0.starts(with: ["pct", "move-volume", "100"]) })
  }
}
