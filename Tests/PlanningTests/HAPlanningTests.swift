import Audit
import PVEMendTestSupport
import PVEModel
import Planning
import Playbook
import Testing

/// HA enablement, placement (PVE 8 groups, PVE 9 rules) and the storage prerequisite.
@Suite struct HAPlanningTests {
  static func policy(_ vmids: [Int], keepApart: [[Int]] = [], spread: Bool = true) -> Policy {
    var p = Policy(name: "t")
    p.critical = vmids.map { CriticalEntry(selector: GuestSelector(vmid: $0), level: .critical) }
    p.keepApart = keepApart.enumerated().map { i, set in
      KeepApartSet(name: "set\(i)", guests: set.map { GuestSelector(vmid: $0) })
    }
    p.ha.spread = spread
    p.actions["backup.none"] = .ignore
    p.actions["backup.uncovered"] = .ignore
    // Shares of a handful of guests say little; these tests are about HA.
    p.actions["node.imbalance"] = .ignore
    return p
  }

  static func threeNodes(major: Int = 9) -> TestCluster {
    var b = TestCluster.planner(major: major)
    for n in ["n1", "n2", "n3"] { b.addNode(n, cores: 8) }
    b.sharedPool("nfs", totalGiB: 1000)
    return b
  }

  @Test func pve9AddsResourcesThenOneNodeAffinityRulePerNode() throws {
    var b = Self.threeNodes()
    b.ct(110, on: "n1", disks: [("rootfs", "nfs", 4)], name: "traefik")
    b.vm(114, on: "n2", disks: [("scsi0", "nfs", 32)], running: false, name: "homeassistant")
    b.addHA("ct:200")
    b.ct(200, on: "n3", disks: [("rootfs", "nfs", 4)])
    let plan = Plans.plan(b.cluster, Self.policy([110, 114]))

    let adds = plan.steps.filter { $0.kind == .haAdd }
    #expect(
      adds.map(\.commands[0].argv) == [
        [
          "ha-manager", "add", "ct:110", "--state", "started", "--max_restart", "3",
          "--max_relocate", "2", "--comment", "pvemend (t): critical",
        ],
        [
          "ha-manager", "add", "vm:114", "--state", "stopped", "--max_restart", "3",
          "--max_relocate", "2", "--comment", "pvemend (t): critical",
        ],
      ])
    let rules = plan.steps.filter { $0.kind == .haRule }
    #expect(rules.count == 2)
    let n1 = try #require(rules.first { $0.title.contains("n1") })
    #expect(
      n1.commands[0].argv == [
        "ha-manager", "rules", "add", "node-affinity", "pvemend-prefer-n1", "--resources",
        "ct:110", "--nodes", "n1:2,n2:1,n3:1", "--strict", "0", "--comment",
        "pvemend (t): prefer n1",
      ])
    // Each rule runs after the HA resource it names.
    let addOf110 = try #require(adds.first { $0.commands[0].argv[2] == "ct:110" })
    #expect(n1.after.contains(addOf110.id))
    #expect(n1.inverse[0].argv == ["ha-manager", "rules", "remove", "pvemend-prefer-n1"])
    #expect(addOf110.inverse[0].argv == ["ha-manager", "remove", "ct:110"])
    #expect(addOf110.preconditions.contains(Condition(.haNotManaged, sid: "ct:110")))
    #expect(addOf110.effects.contains(Condition(.haManaged, sid: "ct:110", state: "started")))
    #expect(plan.unresolved.isEmpty)
  }

  @Test func pve8CreatesGroupsBeforeResources() throws {
    var b = Self.threeNodes(major: 8)
    b.ct(110, on: "n1", disks: [("rootfs", "nfs", 4)])
    b.addHA("ct:200")
    b.ct(200, on: "n2", disks: [("rootfs", "nfs", 4)])
    b.addHA("ct:201")
    b.ct(201, on: "n3", disks: [("rootfs", "nfs", 4)])
    let plan = Plans.plan(b.cluster, Self.policy([110]))
    #expect(plan.haPlacement == "groups")
    let group = try #require(plan.steps.first { $0.kind == .haGroup })
    #expect(
      group.commands[0].argv == [
        "ha-manager", "groupadd", "pvemend-prefer-n1", "--nodes", "n1:2,n2:1,n3:1",
        "--restricted", "0", "--nofailback", "0", "--comment",
        "pvemend (t): HA guests that prefer n1",
      ])
    let add = try #require(plan.steps.first { $0.kind == .haAdd })
    #expect(add.commands[0].argv.suffix(4).prefix(2) == ["--group", "pvemend-prefer-n1"])
    #expect(add.after.contains(group.id))
    #expect(
      plan.steps.firstIndex { $0.id == group.id }! < plan.steps.firstIndex { $0.id == add.id }!)
    #expect(!plan.steps.contains { $0.kind == .haRule })
  }

  @Test func localVolumesMoveToSharedStorageFirst() throws {
    var b = Self.threeNodes()
    b.ct(110, on: "n1", disks: [("rootfs", "local-lvm", 4), ("mp0", "local-lvm", 10)])
    b.vm(114, on: "n2", disks: [("efidisk0", "local-lvm", 1), ("scsi0", "local-lvm", 32)])
    let plan = Plans.plan(b.cluster, Self.policy([110, 114]))
    let moves = plan.steps.filter { $0.kind == .moveVolume }
    #expect(moves.count == 2)
    let ct = try #require(moves.first { $0.title.contains("ct:110") })
    #expect(
      ct.commands.map(\.argv) == [
        ["pct", "shutdown", "110"],
        ["pct", "move-volume", "110", "rootfs", "nfs", "--delete", "1"],
        ["pct", "move-volume", "110", "mp0", "nfs", "--delete", "1"],
        ["pct", "start", "110"],
      ])
    #expect(ct.commands.allSatisfy { $0.node == "n1" })
    #expect(ct.downtime.seconds > 0)
    #expect(
      ct.effects.contains(Condition(.volumeOnStorage, sid: "ct:110", key: "mp0", storage: "nfs")))
    let vm = try #require(moves.first { $0.title.contains("vm:114") })
    #expect(
      vm.commands.map(\.argv) == [
        ["qm", "disk", "move", "114", "efidisk0", "nfs", "--delete", "1"],
        ["qm", "disk", "move", "114", "scsi0", "nfs", "--delete", "1"],
      ])
    #expect(vm.downtime.seconds == 0)
    let add = try #require(plan.steps.first { $0.kind == .haAdd && $0.title.contains("ct:110") })
    #expect(add.after.contains(ct.id))
    #expect(plan.summary.volumeMoves == 2)
  }

  @Test func haManagedContainerStopsAndStartsThroughHA() throws {
    var b = Self.threeNodes()
    b.ct(100, on: "n1", disks: [("rootfs", "local-lvm", 8)])
    b.addHA("ct:100")
    var policy = Self.policy([100])
    policy.actions["ha.distribution"] = .ignore
    let plan = Plans.plan(b.cluster, policy)
    let steps = plan.steps.filter { $0.kind == .moveVolume }
    #expect(steps.count == 2)
    #expect(steps[0].commands[0].argv == ["ha-manager", "set", "ct:100", "--state", "stopped"])
    #expect(
      steps[0].wait
        == Wait(kind: "ha-state", sid: "ct:100", node: "n1", timeoutSeconds: 900, state: "stopped"))
    #expect(
      steps[1].commands.map(\.argv) == [
        ["pct", "move-volume", "100", "rootfs", "nfs", "--delete", "1"],
        ["ha-manager", "set", "ct:100", "--state", "started"],
      ])
    #expect(steps[1].after == [steps[0].id])
    #expect(steps[1].wait?.state == "started")
  }

  @Test func noRoomOnSharedStorageLeavesTheGuestUnprotectedAndSaysWhy() throws {
    var b = TestCluster.planner()
    for n in ["n1", "n2"] { b.addNode(n, cores: 8) }
    b.sharedPool("nfs", totalGiB: 100, usedGiB: 70)
    b.ct(131, on: "n1", disks: [("rootfs", "local-lvm", 32)], name: "jellyfin")
    let plan = Plans.plan(b.cluster, Self.policy([131]))
    #expect(!plan.steps.contains { $0.kind == .haAdd || $0.kind == .moveVolume })
    let u = try #require(plan.unresolved.first { $0.finding == "ha.unprotected/ct:131" })
    #expect(u.limit == "shared-storage")
    #expect(u.reason.contains("best is nfs with 10.0 GiB below its 80 % warning line"))
    #expect(plan.summary.unresolved == plan.unresolved.count)
  }

  @Test func keepApartMovesOneAndAddsANegativeRuleOnPVE9() throws {
    var b = Self.threeNodes()
    b.ct(110, on: "n1", disks: [("rootfs", "nfs", 4)], name: "traefik")
    b.ct(121, on: "n1", disks: [("rootfs", "nfs", 4)], name: "traefik-2")
    let plan = Plans.plan(b.cluster, Self.policy([110, 121], keepApart: [[110, 121]]))
    let migrations = plan.steps.filter { $0.kind == .migrate }
    #expect(migrations.count == 1)
    #expect(migrations[0].reasons.contains("keep-apart/set0"))
    let rule = try #require(plan.steps.first { $0.title.contains("different nodes") })
    #expect(
      rule.commands[0].argv == [
        "ha-manager", "rules", "add", "resource-affinity", "pvemend-keep-apart-set0",
        "--resources", "ct:110,ct:121", "--affinity", "negative", "--comment",
        "pvemend (t): keep-apart set set0",
      ])
    let adds = plan.steps.filter { $0.kind == .haAdd }.map(\.id)
    #expect(Set(adds).isSubset(of: Set(rule.after)))
    // The moved member's HA resource waits for the move, and the rule for the resource.
    let moved = try #require(
      plan.steps.first { $0.kind == .haAdd && $0.after.contains(migrations[0].id) })
    #expect(rule.after.contains(moved.id))
    // Keep-apart members get no node-affinity rule (Proxmox ignores the pair otherwise).
    #expect(!plan.steps.contains { $0.title.contains("node-affinity") })
  }

  @Test func spreadGivesAnEmptyNodeAnHAGuest() throws {
    var b = Self.threeNodes()
    b.addHA("ct:100")
    b.ct(100, on: "n1", disks: [("rootfs", "nfs", 4)])
    b.addHA("ct:101")
    b.ct(101, on: "n1", disks: [("rootfs", "nfs", 4)])
    b.addHA("ct:102")
    b.ct(102, on: "n2", disks: [("rootfs", "nfs", 4)])
    b.ct(110, on: "n1", disks: [("rootfs", "nfs", 4)])
    let plan = Plans.plan(b.cluster, Self.policy([110]))
    let move = try #require(plan.steps.first { $0.kind == .migrate })
    #expect(move.reasons == ["ha.distribution/n3"])
    #expect(move.commands[0].argv == ["pct", "migrate", "110", "n3", "--restart", "1"])
    let add = try #require(plan.steps.first { $0.kind == .haAdd })
    #expect(add.commands[0].node == "n3")
    #expect(plan.unresolved.isEmpty)
  }

  @Test func plansAreIdempotentOnTheirPredictedState() throws {
    var b = Self.threeNodes()
    b.ct(110, on: "n1", disks: [("rootfs", "local-lvm", 4)])
    b.ct(121, on: "n1", disks: [("rootfs", "nfs", 4)])
    b.vm(114, on: "n2", disks: [("scsi0", "local-lvm", 32)], running: false)
    let policy = Self.policy([110, 114, 121], keepApart: [[110, 121]])
    let first = Plans.outcome(b.cluster, policy)
    #expect(first.plan.steps.contains { $0.kind != .advice })
    let again = Plans.plan(first.predicted, policy)
    #expect(again.steps.filter { $0.kind != .advice }.isEmpty)
  }
}
