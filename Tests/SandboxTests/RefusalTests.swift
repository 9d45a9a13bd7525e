import Foundation
import PVEModel
import SandboxCore
import Testing

/// One test per rule the stand-ins enforce: exit status 255 and Proxmox's wording. A refused
/// command changes nothing.
@Suite struct RefusalTests {
  @Test func unknownOptionIsNotDefinedInSchema() throws {
    let state = try TinyCluster.state()
    let out = run(state, ["qm", "migrate", "101", "pve2", "--onlin", "1"])
    #expect(out.exitCode == 255)
    #expect(
      out.stderr.hasPrefix(
        parameterError(
          "onlin",
          "property is not defined in schema and the schema does not allow additional properties")))
    #expect(out.stderr.hasSuffix("\nqm migrate <vmid> <target> [OPTIONS]\n"))
    #expect(!state.isModified)
  }

  @Test func misspeltHAOptionIsRefused() throws {
    let state = try TinyCluster.state()
    let out = run(state, ["ha-manager", "add", "vm:100", "--max-restart", "2"])
    #expect(out.exitCode == 255)
    #expect(out.stderr.contains("max-restart: property is not defined in schema"))
  }

  @Test func wrongValueTypesAreRefused() throws {
    let state = try TinyCluster.state()
    let bool = run(state, ["qm", "migrate", "101", "pve2", "--online", "maybe"])
    #expect(bool.exitCode == 255)
    #expect(
      bool.stderr.hasPrefix(parameterError("online", "type check ('boolean') failed - got 'maybe'"))
    )
    let int = run(state, ["ha-manager", "set", "vm:114", "--max_restart", "two"])
    #expect(int.exitCode == 255)
    #expect(int.stderr.contains("max_restart: type check ('integer') failed - got 'two'"))
    let enumValue = run(state, ["ha-manager", "set", "vm:114", "--state", "running"])
    #expect(enumValue.exitCode == 255)
    #expect(
      enumValue.stderr.contains(
        "state: value 'running' does not have a value in the enumeration 'started, stopped, enabled, disabled, ignored'"
      ))
    let vmid = run(state, ["qm", "migrate", "abc", "pve2"])
    #expect(vmid.stderr.contains("vmid: type check ('integer') failed - got 'abc'"))
    #expect(!state.isModified)
  }

  @Test func missingArgumentsAreRefused() throws {
    let state = try TinyCluster.state()
    let out = run(state, ["qm", "migrate", "101"])
    #expect(out.exitCode == 255)
    #expect(out.stderr == "400 not enough arguments\n\nqm migrate <vmid> <target> [OPTIONS]\n")
    let extra = run(state, ["ha-manager", "migrate", "vm:114", "pve2", "pve3"])
    #expect(extra.stderr.hasPrefix("400 too many arguments"))
  }

  @Test func runningVMNeedsOnline() throws {
    let state = try TinyCluster.state()
    let out = run(state, ["qm", "migrate", "101", "pve2"])
    #expect(out.exitCode == 255)
    #expect(out.stderr == "can't migrate running VM without --online\n")
    #expect(state.resource(101)?["node"]?.stringValue == "pve1")
  }

  @Test func runningVMWithLocalDisksNeedsWithLocalDisks() throws {
    let state = try TinyCluster.state()
    let out = run(state, ["qm", "migrate", "100", "pve2", "--online", "1"])
    #expect(out.exitCode == 255)
    #expect(
      out.stderr == "can't live migrate attached local disks without with-local-disks option\n")
    #expect(!state.isModified)
  }

  @Test func runningContainerNeedsRestart() throws {
    let state = try TinyCluster.state()
    let out = run(state, ["pct", "migrate", "110", "pve1"], on: "pve2")
    #expect(out.exitCode == 255)
    #expect(out.stderr == "can't migrate running container without --online or --restart\n")
    let online = run(state, ["pct", "migrate", "110", "pve1", "--online", "1"], on: "pve2")
    #expect(online.stderr == "lxc live migration is currently not implemented\n")
    #expect(!state.isModified)
  }

  @Test func runningContainerVolumesCannotMove() throws {
    let state = try TinyCluster.state()
    let out = run(
      state, ["pct", "move-volume", "110", "rootfs", "nfs-shared", "--delete", "1"], on: "pve2")
    #expect(out.exitCode == 255)
    #expect(out.stderr == "cannot move volumes of a running container\n")
  }

  @Test func guestCommandsRunOnlyOnTheGuestsNode() throws {
    let state = try TinyCluster.state()
    let migrate = run(state, ["qm", "migrate", "100", "pve3", "--online", "1"], on: "pve2")
    #expect(migrate.exitCode == 255)
    #expect(
      migrate.stderr == "Configuration file 'nodes/pve2/qemu-server/100.conf' does not exist\n")
    let disk = run(state, ["qm", "disk", "move", "100", "scsi0", "nfs-shared"], on: "pve3")
    #expect(disk.stderr == "Configuration file 'nodes/pve3/qemu-server/100.conf' does not exist\n")
    let pct = run(state, ["pct", "migrate", "110", "pve3", "--restart", "1"], on: "pve1")
    #expect(pct.stderr == "Configuration file 'nodes/pve1/lxc/110.conf' does not exist\n")
    let volume = run(state, ["pct", "move-volume", "111", "rootfs", "local-lvm"], on: "pve2")
    #expect(volume.stderr == "Configuration file 'nodes/pve2/lxc/111.conf' does not exist\n")
    // qm does not see containers, pct does not see VMs.
    let kind = run(state, ["qm", "status", "110"], on: "pve2")
    #expect(kind.stderr == "Configuration file 'nodes/pve2/qemu-server/110.conf' does not exist\n")
    #expect(!state.isModified)
  }

  @Test func targetMustDifferFromTheCurrentNode() throws {
    let state = try TinyCluster.state()
    let out = run(state, ["qm", "migrate", "101", "pve1", "--online", "1"])
    #expect(out.exitCode == 255)
    #expect(out.stderr.hasPrefix(parameterError("target", "target is local node.")))
    let unknown = run(state, ["qm", "migrate", "101", "pve9", "--online", "1"])
    #expect(unknown.stderr == "no such cluster node 'pve9'\n")
  }

  @Test func targetNeedsCoresForTheGuestsVCPUs() throws {
    let state = try TinyCluster.state()
    let out = run(state, ["qm", "migrate", "130", "pve3", "--online", "1"])
    #expect(out.exitCode == 255)
    #expect(out.stderr.contains("MAX 4 vcpus allowed per VM on this node"))
    #expect(state.resource(130)?["node"]?.stringValue == "pve1")
    #expect(!state.isModified)
  }

  @Test func haAddOfAnExistingSIDIsRefused() throws {
    let state = try TinyCluster.state()
    let out = run(state, ["ha-manager", "add", "ct:120"])
    #expect(out.exitCode == 255)
    #expect(out.stderr == "create resource failed: resource ID 'ct:120' already defined\n")
    #expect(!state.isModified)
  }

  @Test func haAddNeedsAnExistingGuestOfTheRightType() throws {
    let state = try TinyCluster.state()
    #expect(
      run(state, ["ha-manager", "add", "vm:999"]).stderr
        == "resource 'vm:999' does not exist in cluster\n")
    #expect(
      run(state, ["ha-manager", "add", "vm:110"]).stderr
        == "resource 'vm:110' - guest with ID 110 is not a VM\n")
    #expect(
      run(state, ["ha-manager", "add", "999"]).stderr
        == "unable to detect SID from VMID - VM/CT 999 does not exist\n")
  }

  @Test func rulesNameOnlyManagedResources() throws {
    let state = try TinyCluster.state()
    let out = run(
      state,
      [
        "ha-manager", "rules", "add", "node-affinity", "keep-100", "--resources", "vm:100,vm:101",
        "--nodes", "pve1",
      ])
    #expect(out.exitCode == 255)
    #expect(
      out.stderr == "create ha rule failed: cannot use unmanaged resource(s) vm:100, vm:101.\n")
    #expect(!state.isModified)
  }

  @Test func pve8HasNoRules() throws {
    let state = try TinyCluster.state(major: 8)
    let add = run(
      state,
      [
        "ha-manager", "rules", "add", "node-affinity", "r1", "--resources", "vm:114", "--nodes",
        "pve1",
      ])
    #expect(add.exitCode == 255)
    #expect(add.stderr == "unknown command 'ha-manager rules'\n")
    let get = run(state, ["pvesh", "get", "/cluster/ha/rules", "--output-format", "json"])
    #expect(get.exitCode == 255)
    #expect(get.stderr == "No 'get' handler defined for 'cluster/ha/rules'\n")
    let failback = run(state, ["ha-manager", "add", "vm:100", "--failback", "0"])
    #expect(failback.stderr.contains("failback: property is not defined in schema"))
    let conntrack = run(
      state, ["qm", "migrate", "101", "pve2", "--online", "1", "--with-conntrack-state", "1"])
    #expect(conntrack.stderr.contains("with-conntrack-state: property is not defined in schema"))
  }

  @Test func migratedPVE9RefusesGroups() throws {
    let state = try TinyCluster.state(major: 9)
    let add = run(state, ["ha-manager", "add", "vm:100", "--group", "prefer-pve1"])
    #expect(add.exitCode == 255)
    #expect(add.stderr == "invalid parameter 'group': ha groups have been migrated to rules\n")
    let groupadd = run(state, ["ha-manager", "groupadd", "g1", "--nodes", "pve1"])
    #expect(groupadd.stderr == "cannot create group: ha groups have been migrated to rules\n")
    let get = run(state, ["pvesh", "get", "/cluster/ha/groups", "--output-format", "json"])
    #expect(get.exitCode == 255)
    #expect(get.stderr == "cannot index group: ha groups have been migrated to rules\n")
    #expect(!state.isModified)
  }

  @Test func unmigratedPVE9RefusesRules() throws {
    let state = try TinyCluster.state(major: 9, unmigratedGroups: true)
    let out = run(
      state,
      [
        "ha-manager", "rules", "add", "node-affinity", "r1", "--resources", "vm:114", "--nodes",
        "pve1",
      ])
    #expect(out.exitCode == 255)
    #expect(out.stderr == "cannot create ha rule: ha groups have not been migrated yet\n")
    #expect(run(state, ["ha-manager", "add", "vm:100", "--group", "prefer-pve1"]).exitCode == 0)
  }

  @Test func pve8SetChecksTheGroupExists() throws {
    let state = try TinyCluster.state(major: 8)
    let out = run(state, ["ha-manager", "set", "vm:114", "--group", "nope"])
    #expect(out.stderr == "HA group 'nope' does not exist\n")
  }

  @Test func haMigrateNeedsAManagedResource() throws {
    let state = try TinyCluster.state()
    let out = run(state, ["ha-manager", "migrate", "vm:101", "pve2"])
    #expect(out.exitCode == 255)
    #expect(out.stderr == "resource 'vm:101' is not HA managed\n")
  }

  @Test func negativeAffinityBlocksMigration() throws {
    let state = try TinyCluster.state()
    #expect(run(state, ["ha-manager", "add", "vm:101"]).exitCode == 0)
    #expect(
      run(
        state,
        [
          "ha-manager", "rules", "add", "resource-affinity", "apart", "--resources",
          "vm:101,ct:120", "--affinity", "negative",
        ]
      ).exitCode == 0)
    let out = run(state, ["ha-manager", "migrate", "vm:101", "pve2"])
    #expect(out.exitCode == 255)
    #expect(
      out.stderr
        == "cannot migrate resource 'vm:101' to node 'pve2':\n\n- resource 'ct:120' on target node 'pve2' in negative affinity with resource 'vm:101'\n"
    )
  }

  @Test func lockedGuestsDoNotMove() throws {
    let state = try TinyCluster.state()
    state.updateGuest(101) { $0["lock"] = "backup" }
    let out = run(state, ["qm", "migrate", "101", "pve2", "--online", "1"])
    #expect(out.stderr == "VM is locked (backup)\n")
  }

  @Test func powerCommandsCheckTheGuestState() throws {
    let state = try TinyCluster.state()
    #expect(run(state, ["qm", "start", "101"]).stderr == "VM 101 already running\n")
    #expect(run(state, ["pct", "shutdown", "111"]).stderr == "CT 111 not running\n")
  }

  @Test func diskMoveRefusals() throws {
    let state = try TinyCluster.state()
    #expect(
      run(state, ["qm", "disk", "move", "101", "scsi0", "nfs-shared"]).stderr
        == "you can't move to the same storage with same format\n")
    #expect(
      run(state, ["qm", "disk", "move", "101", "ide2", "local-lvm"]).stderr
        == "you can't move a cdrom\n")
    #expect(
      run(state, ["qm", "disk", "move", "101", "scsi3", "local-lvm"]).stderr
        == "disk 'scsi3' does not exist\n")
    #expect(
      run(state, ["qm", "disk", "move", "101", "scsi0", "pbs"]).stderr
        == "storage 'pbs' does not support content-type 'images'\n")
  }

  @Test func unknownPathsAreRefused() throws {
    let state = try TinyCluster.state()
    let out = run(state, ["pvesh", "get", "/cluster/nothing", "--output-format", "json"])
    #expect(out.exitCode == 255)
    #expect(out.stderr == "No 'get' handler defined for 'cluster/nothing'\n")
    let config = run(
      state, ["pvesh", "get", "/nodes/pve2/qemu/100/config", "--output-format", "json"])
    #expect(
      config.stderr == "Configuration file 'nodes/pve2/qemu-server/100.conf' does not exist\n")
    let node = run(state, ["pvesh", "get", "/nodes/nope/status", "--output-format", "json"])
    #expect(node.stderr.hasPrefix("hostname lookup 'nope' failed"))
  }

  @Test func offlineNodesDoNotAnswer() throws {
    let state = try TinyCluster.state()
    state.updateList("/cluster/status", where: { $0["name"]?.stringValue == "pve3" }) {
      $0["online"] = .int(0)
    }
    let out = run(state, ["pvesh", "get", "/nodes/pve3/status", "--output-format", "json"])
    #expect(out.exitCode == 255)
    #expect(out.stderr == "500 Can't connect to 10.0.0.13:8006 (No route to host)\n")
  }
}
