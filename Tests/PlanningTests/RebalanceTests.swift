import Audit
import PVEMendTestSupport
import PVEModel
import Planning
import Playbook
import Testing

/// Migrations under hard limits: ordering, commands, and explanations when nothing fits.
@Suite struct RebalanceTests {
  static func policy(vcpuPerCore: Double = 3, reserveGiB: Int64 = 4) -> Policy {
    var p = Policy(name: "t")
    p.capacity.vcpuPerCore = vcpuPerCore
    p.capacity.memoryReserve = reserveGiB * ByteSize.gib
    p.actions["node.imbalance"] = .ignore
    p.actions["backup.none"] = .ignore
    p.actions["backup.uncovered"] = .ignore
    p.migration.maxMoves = 50
    return p
  }

  @Test func movesOffAnOvercommittedNodeWithExactCommands() throws {
    var b = TestCluster.planner()
    b.addNode("small", cores: 4)
    b.addNode("big", cores: 8)
    b.sharedPool("nfs", totalGiB: 1000)
    // 16 vCPUs on 4 cores, ceiling 12.
    b.vm(101, on: "small", vcpus: 4, disks: [("scsi0", "nfs", 10)])
    b.vm(102, on: "small", vcpus: 4, disks: [("scsi0", "local-lvm", 20)])
    b.ct(103, on: "small", vcpus: 4)
    b.vm(104, on: "small", vcpus: 4, running: false, onboot: true)
    let plan = Plans.plan(b.cluster, Self.policy())
    let moves = plan.steps.filter { $0.kind == .migrate }
    #expect(moves.count == 1)
    // The stopped onboot VM is the cheapest that removes the excess.
    #expect(
      moves[0].commands[0].argv == [
        "qm", "migrate", "104", "big", "--online", "1", "--with-local-disks", "1",
      ])
    #expect(moves[0].commands[0].node == "small")
    #expect(
      moves[0].inverse[0].argv == [
        "qm", "migrate", "104", "small", "--online", "1", "--with-local-disks", "1",
      ])
    #expect(moves[0].inverse[0].node == "big")
    #expect(moves[0].reasons == ["node.overcommit/small"])
    #expect(moves[0].preconditions.contains(Condition(.guestOnNode, sid: "vm:104", node: "small")))
    #expect(moves[0].effects == [Condition(.guestOnNode, sid: "vm:104", node: "big")])
    let after = try #require(moves[0].figuresAfter)
    #expect(after.first { $0.node == "small" }?.vcpus == 12)
    #expect(plan.unresolved.isEmpty)
  }

  @Test func containersRestartAndVMsGoLive() throws {
    var b = TestCluster.planner()
    b.addNode("a", cores: 2)
    b.addNode("b", cores: 8)
    b.sharedPool("nfs", totalGiB: 1000)
    b.ct(201, on: "a", vcpus: 4, disks: [("rootfs", "local-lvm", 8)])
    b.vm(202, on: "a", vcpus: 2, disks: [("scsi0", "nfs", 8)])
    var policy = Self.policy(vcpuPerCore: 1)
    let plan = Plans.plan(b.cluster, policy)
    let argvs = plan.steps.filter { $0.kind == .migrate }.map(\.commands[0].argv)
    #expect(argvs.contains(["pct", "migrate", "201", "b", "--restart", "1"]))
    let ct = try #require(plan.steps.first { $0.title.contains("ct:201") })
    #expect(ct.downtime.seconds > 0)
    // Without container restarts, only the VM may move, and the rest is explained.
    policy.migration.allowContainerRestart = false
    let strict = Plans.plan(b.cluster, policy)
    #expect(!strict.steps.contains { $0.commands.first?.argv.first == "pct" })
    let u = try #require(strict.unresolved.first { $0.finding == "node.overcommit/a" })
    #expect(u.limit == "container-restart")
  }

  @Test func aGuestNeverLandsOnANodeWithFewerCores() throws {
    var b = TestCluster.planner()
    b.addNode("a", cores: 8)
    b.addNode("b", cores: 4)
    b.sharedPool("nfs", totalGiB: 1000)
    b.vm(301, on: "a", vcpus: 6, disks: [("scsi0", "nfs", 8)])
    b.vm(302, on: "a", vcpus: 6, disks: [("scsi0", "nfs", 8)])
    b.vm(303, on: "a", vcpus: 6, disks: [("scsi0", "nfs", 8)])
    b.vm(304, on: "a", vcpus: 8, disks: [("scsi0", "nfs", 8)])
    let plan = Plans.plan(b.cluster, Self.policy(vcpuPerCore: 2))
    #expect(!plan.steps.contains { $0.kind == .migrate })
    let u = try #require(plan.unresolved.first)
    #expect(u.finding == "node.overcommit/a")
    #expect(u.limit == "cores")
    #expect(
      u.reason.contains("no node can take vm:304 (vm304): has 8 vCPUs, best is b with 4 cores"))
  }

  @Test func theUnresolvedReasonNamesTheMemoryThatIsMissing() throws {
    var b = TestCluster.planner()
    b.addNode("a", cores: 8, memoryGiB: 16)
    b.addNode("b", cores: 8, memoryGiB: 16)
    b.sharedPool("nfs", totalGiB: 1000)
    b.vm(301, on: "a", vcpus: 2, memoryGiB: 6, disks: [("scsi0", "nfs", 8)])
    b.vm(302, on: "a", vcpus: 2, memoryGiB: 8, disks: [("scsi0", "nfs", 8)])
    b.vm(303, on: "b", vcpus: 2, memoryGiB: 7.8, disks: [("scsi0", "nfs", 8)])
    let plan = Plans.plan(b.cluster, Self.policy())
    let u = try #require(plan.unresolved.first { $0.finding == "node.memory/a" })
    #expect(u.limit == "memory")
    #expect(
      u.reason.contains(
        "no node can take vm:301 (vm301): needs 6.0 GiB, best is b with 4.2 GiB after reserve"))
  }

  @Test func aMoveThatFreesRoomComesFirstAndIsWaitedFor() throws {
    var b = TestCluster.planner()
    b.addNode("a", cores: 4, memoryGiB: 64)
    b.addNode("b", cores: 16, memoryGiB: 16)
    b.addNode("c", cores: 4, memoryGiB: 64)
    b.sharedPool("nfs", totalGiB: 1000)
    // a: 16 vCPUs on 4 cores (ceiling 12). b: 13 GiB of a 12 GiB budget.
    b.vm(401, on: "a", vcpus: 8, memoryGiB: 2, disks: [("scsi0", "nfs", 8)])
    b.vm(402, on: "a", vcpus: 8, memoryGiB: 2, disks: [("scsi0", "nfs", 8)])
    b.vm(403, on: "b", vcpus: 1, memoryGiB: 13, disks: [("scsi0", "nfs", 8)])
    var policy = Self.policy()
    policy.capacity.vcpuPerCore = 3
    let plan = Plans.plan(b.cluster, policy)
    let moves = plan.steps.filter { $0.kind == .migrate }
    #expect(plan.unresolved.isEmpty)
    for m in moves {
      let f = try #require(m.figuresAfter)
      for n in f {
        let total = n.memoryTotal - 4 * ByteSize.gib
        if m.commands[0].argv[3] == n.node { #expect(n.memory <= total) }
      }
    }
    // Whatever lands on b waits for 403 to leave it.
    let off = try #require(moves.first { $0.title.contains("vm:403") })
    let intoB = moves.filter { $0.commands[0].argv[3] == "b" }
    #expect(!intoB.isEmpty)
    for m in intoB {
      #expect(m.after.contains(off.id))
      #expect(plan.steps.firstIndex { $0.id == off.id }! < plan.steps.firstIndex { $0.id == m.id }!)
    }
  }

  @Test func localDisksNeedRoomAndATargetStorage() throws {
    var b = TestCluster.planner()
    b.addNode("a", cores: 2, localGiB: 500)
    b.addNode("b", cores: 8, localGiB: 100, localUsedGiB: 50)
    b.vm(501, on: "a", vcpus: 2, disks: [("scsi0", "local-lvm", 60)])
    b.vm(502, on: "a", vcpus: 2, disks: [("scsi0", "local-lvm", 30)])
    let plan = Plans.plan(b.cluster, Self.policy(vcpuPerCore: 1))
    let moves = plan.steps.filter { $0.kind == .migrate }
    // 60 GiB does not fit 50 GiB free less a 10 GiB reserve; 30 GiB does.
    #expect(moves.map { $0.commands[0].argv[2] } == ["502"])
    #expect(moves[0].commands[0].argv.contains("--with-local-disks"))
  }

  @Test func neverMoveAndHAPlacementAreHonoured() throws {
    var b = TestCluster.planner()
    b.addNode("a", cores: 2)
    b.addNode("b", cores: 8)
    b.addNode("c", cores: 8)
    b.sharedPool("nfs", totalGiB: 1000)
    b.vm(601, on: "a", vcpus: 2, disks: [("scsi0", "nfs", 8)])
    b.vm(602, on: "a", vcpus: 2, disks: [("scsi0", "nfs", 8)])
    b.addHA("vm:602")
    b.haRules = [
      HARule(
        id: "keep-on-a-or-c", type: "node-affinity", resources: ["vm:602"],
        nodes: [NodePriority(node: "a", priority: 1), NodePriority(node: "c", priority: 1)],
        strict: true, affinity: nil, disabled: false)
    ]
    var policy = Self.policy(vcpuPerCore: 1)
    policy.migration.neverMove = [GuestSelector(vmid: 601)]
    policy.actions["ha.distribution"] = .ignore
    let plan = Plans.plan(b.cluster, policy)
    let moves = plan.steps.filter { $0.kind == .migrate }
    #expect(moves.count == 1)
    #expect(moves[0].commands[0].argv == ["ha-manager", "migrate", "vm:602", "c"])
    #expect(
      moves[0].wait == Wait(kind: "ha-migrate", sid: "vm:602", node: "c", timeoutSeconds: 900))
    #expect(moves[0].effects.contains(Condition(.haSettled, sid: "vm:602")))
  }

  @Test func planningIsDeterministic() throws {
    var b = TestCluster.planner()
    for (n, cores) in [("a", 4), ("b", 8), ("c", 8), ("d", 16)] { b.addNode(n, cores: cores) }
    b.sharedPool("nfs", totalGiB: 2000)
    for v in 100..<140 { b.ct(v, on: ["a", "a", "b", "c"][v % 4], vcpus: 1 + v % 3) }
    let one = PlanFile.encode(Plans.plan(b.cluster, Self.policy()))
    let two = PlanFile.encode(Plans.plan(b.cluster, Self.policy()))
    #expect(one == two)
  }
}
