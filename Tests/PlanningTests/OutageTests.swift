import Audit
import PVEModel
import Planning
import Playbook
import Testing

/// A running container that needs both a volume move to shared storage and a migration stops
/// once (issue 11).
@Suite struct OutageTests {
  @Test func containerMovesItsVolumeAndMigratesInOneOutage() throws {
    var b = HAPlanningTests.threeNodes()
    b.ct(110, on: "n1", disks: [("rootfs", "local-lvm", 4)], name: "traefik")
    b.ct(121, on: "n1", disks: [("rootfs", "local-lvm", 4)], name: "traefik-2")
    let cluster = b.cluster
    let plan = Plans.plan(cluster, HAPlanningTests.policy([110, 121], keepApart: [[110, 121]]))
    let migrations = plan.steps.filter { $0.commands.contains(where: \.isMigration) }
    try #require(migrations.count == 1)
    let step = migrations[0]
    let vmid = try #require(step.commands.first?.argv.last)
    let target = try #require(step.effects.first { $0.kind == .guestOnNode }?.node)
    #expect(
      step.commands.map(\.argv) == [
        ["pct", "shutdown", vmid], ["pct", "move-volume", vmid, "rootfs", "nfs", "--delete", "1"],
        ["pct", "migrate", vmid, target], ["pct", "start", vmid],
      ])
    #expect(step.commands.map(\.node) == ["n1", "n1", "n1", target])
    #expect(step.downtime.seconds == 20 + 41)
    #expect(step.reasons.contains("keep-apart/set0"))
    #expect(step.reasons.contains("ha.local-storage/ct:\(vmid)"))
    // No separate volume move of that container: it stops once, the other once too.
    #expect(plan.summary.outages == 2)
    #expect(plan.summary.outagesByGuest == ["ct:110": 1, "ct:121": 1])
    #expect(OutageChecks.problems(plan) == [])
    var replay = Replay(cluster: cluster, policy: HAPlanningTests.policy([110, 121]))
    replay.play(plan.steps)
    #expect(replay.violations == [])
  }

  @Test func anHAContainerStopsMovesAndStartsThroughHA() throws {
    var b = HAPlanningTests.threeNodes(major: 8)
    b.ct(110, on: "n1", disks: [("rootfs", "local-lvm", 4)], name: "traefik")
    b.ct(121, on: "n1", disks: [("rootfs", "nfs", 4)], name: "traefik-2")
    b.addHA("ct:110")
    let cluster = b.cluster
    let policy = HAPlanningTests.policy([110, 121], keepApart: [[110, 121]], spread: false)
    let plan = Plans.plan(cluster, policy)
    let steps = plan.steps.filter { step in
      step.kind != .advice
        && step.commands.contains { $0.argv.contains("ct:110") || $0.argv.contains("110") }
        && step.kind != .haAdd
    }
    try #require(steps.count == 3, "\(steps.map(\.title))")
    let target = try #require(steps[1].effects.first { $0.kind == .guestOnNode }?.node)
    #expect(
      steps[0].commands.map(\.argv) == [["ha-manager", "set", "ct:110", "--state", "stopped"]])
    #expect(
      steps[1].commands.map(\.argv) == [
        ["pct", "move-volume", "110", "rootfs", "nfs", "--delete", "1"],
        ["ha-manager", "relocate", "ct:110", target],
      ])
    #expect(
      steps[2].commands.map(\.argv) == [["ha-manager", "set", "ct:110", "--state", "started"]])
    #expect(steps[2].commands.map(\.node) == [target])
    #expect(steps[1].after == [steps[0].id])
    #expect(steps[2].after == [steps[1].id])
    #expect(plan.summary.outagesByGuest?["ct:110"] == 1)
    #expect(OutageChecks.problems(plan) == [])
  }
}
