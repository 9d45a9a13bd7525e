import Foundation
import PVEModel
import SandboxCore
import Testing

/// Accepted commands keep every path consistent: resources, node memory, storage usage, config
/// paths, HA status.
@Suite struct MutationTests {
  let gib = TinyCluster.gib

  @Test func qmMigrateMovesEverything() throws {
    let state = try TinyCluster.state()
    let memory1 = state.memoryUsed("pve1")
    let memory2 = state.memoryUsed("pve2")
    let lvm1 = state.storageUsed("local-lvm", on: "pve1")
    let lvm2 = state.storageUsed("local-lvm", on: "pve2")
    let nodeMem1 = state.nodeResource("pve1")?["mem"]?.intValue ?? 0
    let out = run(
      state, ["qm", "migrate", "100", "pve2", "--online", "1", "--with-local-disks", "1"])
    #expect(out.exitCode == 0, "\(out.stderr)")
    #expect(out.stdout.contains("migration finished successfully"))
    #expect(state.resource(100)?["node"]?.stringValue == "pve2")
    #expect(state["/nodes/pve1/qemu/100/config"] == nil)
    #expect(
      state["/nodes/pve2/qemu/100/config"]?["scsi0"]?.stringValue?.hasPrefix(
        "local-lvm:vm-100-disk-0") == true)
    #expect(state.memoryUsed("pve1") == memory1 - 4 * gib)
    #expect(state.memoryUsed("pve2") == memory2 + 4 * gib)
    #expect(state.nodeResource("pve1")?["mem"]?.intValue == nodeMem1 - 4 * gib)
    #expect(state.storageUsed("local-lvm", on: "pve1") == lvm1 - 32 * gib)
    #expect(state.storageUsed("local-lvm", on: "pve2") == lvm2 + 32 * gib)
    let entry = state.storageEntry("local-lvm", on: "pve2")
    #expect(entry?["avail"]?.intValue == 400 * gib - (lvm2 + 32 * gib))
    let clusterEntry = state.list("/cluster/resources").first {
      $0["id"]?.stringValue == "storage/pve2/local-lvm"
    }
    #expect(clusterEntry?["disk"]?.intValue == lvm2 + 32 * gib)
    // The model derived from the state agrees.
    let cluster = try Cluster(
      snapshot: Snapshot(
        collectedAt: "x", source: "x",
        api: Dictionary(uniqueKeysWithValues: state.paths.map { ($0, state[$0] ?? .null) })))
    #expect(cluster.guest(vmid: 100)?.node == "pve2")
    #expect(cluster.inconsistencies.isEmpty)
  }

  @Test func targetStorageRewritesVolids() throws {
    let state = try TinyCluster.state()
    let shared = state.storageUsed("nfs-shared", on: "pve3")
    let out = run(
      state, ["qm", "migrate", "102", "pve1", "--targetstorage", "nfs-shared"], on: "pve2")
    #expect(out.exitCode == 0, "\(out.stderr)")
    #expect(
      state["/nodes/pve1/qemu/102/config"]?["scsi0"]?.stringValue?.hasPrefix(
        "nfs-shared:vm-102-disk-0,") == true)
    // Shared storage is one pool: every node sees the new usage.
    #expect(state.storageUsed("nfs-shared", on: "pve3") == shared + 10 * gib)
  }

  @Test func offlineMigrationOfAStoppedVM() throws {
    let state = try TinyCluster.state()
    let out = run(state, ["qm", "migrate", "102", "pve3"], on: "pve2")
    #expect(out.exitCode == 0, "\(out.stderr)")
    #expect(state.resource(102)?["node"]?.stringValue == "pve3")
    #expect(state.resource(102)?["status"]?.stringValue == "stopped")
  }

  @Test func pctRestartMigration() throws {
    let state = try TinyCluster.state()
    let out = run(
      state, ["pct", "migrate", "110", "pve1", "--restart", "1", "--timeout", "120"], on: "pve2")
    #expect(out.exitCode == 0, "\(out.stderr)")
    #expect(state.resource(110)?["node"]?.stringValue == "pve1")
    #expect(state.resource(110)?["status"]?.stringValue == "running")
    #expect(state["/nodes/pve1/lxc/110/config"] != nil)
  }

  @Test func diskMoveToSharedStorage() throws {
    let state = try TinyCluster.state()
    let lvm = state.storageUsed("local-lvm", on: "pve1")
    let nfs = state.storageUsed("nfs-shared", on: "pve2")
    let out = run(state, ["qm", "disk", "move", "100", "scsi0", "nfs-shared", "--delete", "1"])
    #expect(out.exitCode == 0, "\(out.stderr)")
    let config = state["/nodes/pve1/qemu/100/config"]
    #expect(config?["scsi0"]?.stringValue == "nfs-shared:100/vm-100-disk-0.raw,size=32G,iothread=1")
    #expect(config?["unused0"] == nil)
    #expect(state.storageUsed("local-lvm", on: "pve1") == lvm - 32 * gib)
    #expect(state.storageUsed("nfs-shared", on: "pve2") == nfs + 32 * gib)
    // Without --delete the source stays as an unused disk and keeps its space.
    let keep = try TinyCluster.state()
    #expect(run(keep, ["qm", "move-disk", "100", "scsi0", "nfs-shared"]).exitCode == 0)
    #expect(
      keep["/nodes/pve1/qemu/100/config"]?["unused0"]?.stringValue == "local-lvm:vm-100-disk-0")
    #expect(keep.storageUsed("local-lvm", on: "pve1") == lvm)
  }

  @Test func containerVolumeMoveWhenStopped() throws {
    let state = try TinyCluster.state()
    let out = run(state, ["pct", "move-volume", "111", "rootfs", "local-lvm", "--delete", "1"])
    #expect(out.exitCode == 0, "\(out.stderr)")
    #expect(
      state["/nodes/pve1/lxc/111/config"]?["rootfs"]?.stringValue
        == "local-lvm:vm-111-disk-0,size=4G")
  }

  @Test func haAddStartsAStoppedGuestByDefault() throws {
    let state = try TinyCluster.state()
    let memory = state.memoryUsed("pve2")
    let out = run(state, ["ha-manager", "add", "vm:102"])
    #expect(out.exitCode == 0, "\(out.stderr)")
    #expect(state.resource(102)?["status"]?.stringValue == "running")
    #expect(state.resource(102)?["hastate"]?.stringValue == "started")
    #expect(state.memoryUsed("pve2") == memory + 2 * gib)
    #expect(state.service(sid: "vm:102")?["status"]?.stringValue == "vm:102 (pve2, started)")
    let resources = state.list("/cluster/ha/resources")
    #expect(
      resources.contains { $0["sid"]?.stringValue == "vm:102" && $0["type"]?.stringValue == "vm" })
    #expect(Set(resources.compactMap { $0["digest"]?.stringValue }).count == 1)
    // Services stay sorted after quorum, master and lrm lines.
    let types = state.list("/cluster/ha/status/current").compactMap { $0["type"]?.stringValue }
    #expect(types == ["quorum", "master", "lrm", "lrm", "lrm", "service", "service", "service"])
    let sids = state.list("/cluster/ha/status/current").compactMap { $0["sid"]?.stringValue }
    #expect(sids == ["ct:120", "vm:102", "vm:114"])
  }

  @Test func haAddWithStateStoppedKeepsItStopped() throws {
    let state = try TinyCluster.state()
    #expect(
      run(state, ["ha-manager", "add", "ct:111", "--state", "stopped", "--max_relocate", "2"])
        .exitCode == 0)
    #expect(state.resource(111)?["status"]?.stringValue == "stopped")
    #expect(state.resource(111)?["hastate"]?.stringValue == "stopped")
    #expect(state.haResource("ct:111")?["max_relocate"]?.intValue == 2)
    #expect(state.service(sid: "ct:111")?["max_relocate"]?.intValue == 2)
  }

  @Test func haRemoveLeavesTheGuestAloneAndPurgesRules() throws {
    let state = try TinyCluster.state()
    #expect(run(state, ["ha-manager", "remove", "vm:114"]).exitCode == 0)
    #expect(state.resource(114)?["hastate"] == nil)
    #expect(state.resource(114)?["status"]?.stringValue == "running")
    #expect(state.service(sid: "vm:114") == nil)
    #expect(state.list("/cluster/ha/rules").isEmpty)
    #expect(
      run(state, ["ha-manager", "remove", "vm:114"]).stderr
        == "cannot delete service 'vm:114', not HA managed!\n")
  }

  @Test func haMigrateIsQueuedUntilItIsDue() throws {
    let state = try TinyCluster.state()
    let t0 = TinyCluster.now
    let memory = state.memoryUsed("pve2")
    let out = run(state, ["ha-manager", "migrate", "vm:114", "pve2"], at: t0, haDelay: 30)
    #expect(out.exitCode == 0, "\(out.stderr)")
    #expect(out.stdout.isEmpty)
    #expect(state.service(sid: "vm:114")?["state"]?.stringValue == "migrate")
    #expect(state.service(sid: "vm:114")?["node"]?.stringValue == "pve1")
    #expect(state.resource(114)?["hastate"]?.stringValue == "migrate")
    #expect(state.pending.count == 1)
    // Not yet due.
    run(state, ["pvesh", "get", "/version", "--output-format", "json"], at: t0 + 10)
    #expect(state.resource(114)?["node"]?.stringValue == "pve1")
    // Due: the next invocation, whatever it is, completes it.
    run(state, ["pveversion"], at: t0 + 31)
    #expect(state.pending.isEmpty)
    #expect(state.resource(114)?["node"]?.stringValue == "pve2")
    #expect(state.resource(114)?["hastate"]?.stringValue == "started")
    #expect(state.service(sid: "vm:114")?["status"]?.stringValue == "vm:114 (pve2, started)")
    #expect(state["/nodes/pve2/qemu/114/config"] != nil)
    #expect(state["/nodes/pve1/qemu/114/config"] == nil)
    #expect(state.memoryUsed("pve2") == memory + 8 * gib)
  }

  @Test func haRelocateOfAContainer() throws {
    let state = try TinyCluster.state()
    #expect(run(state, ["ha-manager", "relocate", "ct:120", "pve3"]).exitCode == 0)
    #expect(state.service(sid: "ct:120")?["state"]?.stringValue == "relocate")
    run(state, ["ha-manager", "status"], at: TinyCluster.now + 1)
    #expect(state.resource(120)?["node"]?.stringValue == "pve3")
  }

  @Test func qmMigrateOfAnHAGuestHandsOffToHA() throws {
    let state = try TinyCluster.state()
    let out = run(state, ["qm", "migrate", "114", "pve2", "--online", "1"], haDelay: 5)
    #expect(out.exitCode == 0, "\(out.stderr)")
    #expect(out.stdout == "Requesting HA migration for VM 114 to node pve2\n")
    #expect(state.service(sid: "vm:114")?["state"]?.stringValue == "migrate")
    run(state, ["ha-manager", "status"], at: TinyCluster.now + 6)
    #expect(state.resource(114)?["node"]?.stringValue == "pve2")
    // Still: a running VM needs --online first.
    let fresh = try TinyCluster.state()
    #expect(
      run(fresh, ["qm", "migrate", "114", "pve2"]).stderr
        == "can't migrate running VM without --online\n")
    let ct = run(fresh, ["pct", "migrate", "120", "pve1", "--restart", "1"], on: "pve2")
    #expect(ct.stdout == "Requesting HA migration for CT 120 to node pve1\n")
  }

  @Test func haMigrationThatCannotFitFailsInTheCRM() throws {
    let state = try TinyCluster.state()
    #expect(run(state, ["ha-manager", "add", "vm:130"]).exitCode == 0)
    #expect(run(state, ["ha-manager", "migrate", "vm:130", "pve3"]).exitCode == 0)
    run(state, ["ha-manager", "status"], at: TinyCluster.now + 1)
    #expect(state.resource(130)?["node"]?.stringValue == "pve1")
    #expect(state.service(sid: "vm:130")?["state"]?.stringValue == "started")
  }

  @Test func positiveAffinityCoMigrates() throws {
    let state = try TinyCluster.state()
    #expect(run(state, ["ha-manager", "add", "vm:101"]).exitCode == 0)
    #expect(
      run(
        state,
        [
          "ha-manager", "rules", "add", "resource-affinity", "together", "--resources",
          "vm:101,vm:114", "--affinity", "positive",
        ]
      ).exitCode == 0)
    let out = run(state, ["ha-manager", "migrate", "vm:114", "pve2"])
    #expect(
      out.stdout
        == "also migrate resource 'vm:101' in positive affinity with resource 'vm:114' to target node 'pve2'\n"
    )
    run(state, ["ha-manager", "status"], at: TinyCluster.now + 1)
    #expect(state.resource(101)?["node"]?.stringValue == "pve2")
    #expect(state.resource(114)?["node"]?.stringValue == "pve2")
  }

  @Test func haSetStateStopsAndStarts() throws {
    let state = try TinyCluster.state()
    #expect(run(state, ["ha-manager", "set", "vm:114", "--state", "stopped"]).exitCode == 0)
    #expect(state.resource(114)?["status"]?.stringValue == "stopped")
    #expect(state.haResource("vm:114")?["state"]?.stringValue == "stopped")
    let start = run(state, ["qm", "start", "114"])
    #expect(start.stdout == "Requesting HA start for VM 114\n")
    #expect(state.resource(114)?["status"]?.stringValue == "running")
  }

  @Test func rulesAndGroupsAreStored() throws {
    let nine = try TinyCluster.state()
    #expect(run(nine, ["ha-manager", "add", "ct:110", "--state", "started"]).exitCode == 0)
    #expect(
      run(
        nine,
        [
          "ha-manager", "rules", "add", "node-affinity", "ct110-home", "--resources", "ct:110",
          "--nodes", "pve2:2,pve1", "--strict", "1", "--comment", "x",
        ]
      ).exitCode == 0)
    let rule = nine.list("/cluster/ha/rules").first { $0["rule"]?.stringValue == "ct110-home" }
    #expect(rule?["strict"]?.intValue == 1)
    #expect(rule?["order"]?.intValue == 2)
    #expect(rule?["resources"]?.stringValue == "ct:110")
    let dup = run(
      nine,
      [
        "ha-manager", "rules", "add", "node-affinity", "again", "--resources", "ct:110", "--nodes",
        "pve1",
      ])
    #expect(dup.stderr.hasPrefix("create ha rule failed: Rule 'again' is invalid."))
    #expect(run(nine, ["ha-manager", "rules", "remove", "ct110-home"]).exitCode == 0)
    #expect(nine.list("/cluster/ha/rules").count == 1)

    let eight = try TinyCluster.state(major: 8)
    #expect(
      run(
        eight,
        ["ha-manager", "groupadd", "prefer-pve2", "--nodes", "pve2:2,pve1", "--restricted", "1"]
      ).exitCode == 0)
    #expect(run(eight, ["ha-manager", "set", "vm:114", "--group", "prefer-pve2"]).exitCode == 0)
    #expect(eight.haResource("vm:114")?["group"]?.stringValue == "prefer-pve2")
    #expect(eight.service(sid: "vm:114")?["group"]?.stringValue == "prefer-pve2")
    let get = run(eight, ["pvesh", "get", "/cluster/ha/groups", "--output-format", "json"])
    #expect(get.stdout.contains("\"group\":\"prefer-pve2\""))
    #expect(run(eight, ["ha-manager", "groupremove", "prefer-pve2"]).exitCode == 0)
  }

  @Test func rulesSetReplacesResources() throws {
    let state = try TinyCluster.state()
    #expect(run(state, ["ha-manager", "add", "vm:101"]).exitCode == 0)
    let out = run(
      state,
      [
        "ha-manager", "rules", "set", "node-affinity", "prefer-pve1", "--resources",
        "vm:101,vm:114", "--strict", "1",
      ])
    #expect(out.exitCode == 0, "\(out.stderr)")
    let rule = state.list("/cluster/ha/rules").first
    #expect(rule?["resources"]?.stringValue == "vm:101,vm:114")
    #expect(rule?["strict"]?.intValue == 1)
    #expect(
      run(
        state,
        ["ha-manager", "rules", "set", "node-affinity", "prefer-pve1", "--resources", "vm:100"]
      ).stderr
        == "update HA rules failed: cannot use unmanaged resource(s) vm:100.\n")
    #expect(
      run(state, ["ha-manager", "rules", "set", "node-affinity", "nope", "--strict", "0"]).stderr
        == "update HA rules failed: HA rule 'nope' does not exist\n")
    #expect(
      run(
        state,
        ["ha-manager", "rules", "set", "node-affinity", "prefer-pve1", "--affinity", "positive"]
      ).stderr
        .contains("affinity: property is not defined in schema"))
  }
}
