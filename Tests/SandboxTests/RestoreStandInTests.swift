import Foundation
import PVEModel
import SandboxCore
import Testing

/// The restore test's stand-ins: qmrestore, pct restore, set, destroy, agent ping, and backup
/// content through pvesh, with Proxmox's refusals (issue 15 part 5).
@Suite struct RestoreStandInTests {
  static let vmArchive = "pbs:backup/vm/100/2025-11-12T21:00:02Z"
  static let ctArchive = "local:backup/vzdump-lxc-110-2025_11_01-02_00_01.tar.zst"

  @Test func backupContentThroughPvesh() throws {
    let state = try TinyCluster.state()
    // The shared PBS listing is seen from every node; a node's local listing only there.
    for node in ["pve1", "pve3"] {
      let out = run(
        state,
        [
          "pvesh", "get", "/nodes/\(node)/storage/pbs/content", "--content", "backup",
          "--output-format", "json",
        ], on: node)
      #expect(out.exitCode == 0, "\(out.stderr)")
      #expect(out.stdout.contains(Self.vmArchive))
    }
    let vmid = run(
      state,
      [
        "pvesh", "get", "/nodes/pve1/storage/pbs/content", "--vmid", "114", "--output-format",
        "json",
      ])
    #expect(!vmid.stdout.contains("/vm/100/") && vmid.stdout.contains("/vm/114/"))
    let local = run(
      state, ["pvesh", "get", "/nodes/pve1/storage/local/content", "--output-format", "json"])
    #expect(local.stdout == "[]\n")
    let missing = run(
      state, ["pvesh", "get", "/nodes/pve1/storage/nope/content", "--output-format", "json"])
    #expect(missing.exitCode != 0 && missing.stderr == "storage 'nope' does not exist\n")
  }

  @Test func vmRestoreToAScratchVMIDThenDestroy() throws {
    let state = try TinyCluster.state()
    let original = state.object("/nodes/pve1/qemu/100/config")
    let used = state.storageUsed("local-lvm", on: "pve1")
    let restore = run(
      state, ["qmrestore", Self.vmArchive, "9100", "--storage", "local-lvm", "--unique", "1"])
    #expect(restore.exitCode == 0, "\(restore.stderr)")
    let config = try #require(state.object("/nodes/pve1/qemu/9100/config"))
    #expect(config["scsi0"]?.stringValue?.hasPrefix("local-lvm:vm-9100-disk-0,") == true)
    #expect(state.resource(9100)?["status"]?.stringValue == "stopped")
    #expect(state.storageUsed("local-lvm", on: "pve1") > used)
    #expect(state.object("/nodes/pve1/qemu/100/config") == original)

    let set = run(
      state,
      [
        "qm", "set", "9100", "--net0", "virtio=BC:24:11:00:00:01,bridge=vmbr0,link_down=1",
        "--name", "restore-test-100", "--tags", "pvemend-restore-test", "--onboot", "0",
      ])
    #expect(set.exitCode == 0, "\(set.stderr)")
    #expect(
      state.object("/nodes/pve1/qemu/9100/config")?["net0"]?.stringValue?.contains("link_down=1")
        == true)
    #expect(state.resource(9100)?["name"]?.stringValue == "restore-test-100")
    #expect(run(state, ["qm", "start", "9100"]).exitCode == 0)
    // No agent configured: Proxmox says so.
    let ping = run(state, ["qm", "agent", "9100", "ping"])
    #expect(ping.stderr == "No QEMU guest agent configured\n")
    let running = run(state, ["qm", "destroy", "9100", "--purge", "1"])
    #expect(running.stderr == "VM 9100 is running - destroy failed\n")
    #expect(run(state, ["qm", "stop", "9100"]).exitCode == 0)
    let destroy = run(state, ["qm", "destroy", "9100", "--purge", "1"])
    #expect(destroy.exitCode == 0, "\(destroy.stderr)")
    #expect(state.object("/nodes/pve1/qemu/9100/config") == nil && state.resource(9100) == nil)
    #expect(state.storageUsed("local-lvm", on: "pve1") == used)
  }

  @Test func agentPingAnswersWhenConfiguredAndRunning() throws {
    let state = try TinyCluster.state()
    var config = try #require(state.object("/nodes/pve1/qemu/100/config"))
    config["agent"] = .string("1,fstrim_cloned_disks=1")
    state["/nodes/pve1/qemu/100/config"] = .object(config)
    #expect(run(state, ["qm", "agent", "100", "ping"]).exitCode == 0)
    #expect(run(state, ["qm", "guest", "cmd", "100", "ping"]).exitCode == 0)
    #expect(run(state, ["qm", "agent", "100", "ping"], on: "pve2").exitCode != 0)
  }

  @Test func containerRestoreCutsTheNetworkAtRestoreTime() throws {
    let state = try TinyCluster.state()
    let out = run(
      state,
      [
        "pct", "restore", "9110", Self.ctArchive, "--storage", "local-lvm", "--unique", "1",
        "--net0", "name=eth0,bridge=vmbr0,link_down=1", "--hostname", "restore-test-110",
        "--onboot", "0",
      ], on: "pve2")
    #expect(out.exitCode == 0, "\(out.stderr)")
    let config = try #require(state.object("/nodes/pve2/lxc/9110/config"))
    #expect(config["net0"]?.stringValue == "name=eth0,bridge=vmbr0,link_down=1")
    #expect(config["hostname"]?.stringValue == "restore-test-110")
    #expect(config["rootfs"]?.stringValue?.hasPrefix("local-lvm:vm-9110-disk-0") == true)
    #expect(run(state, ["pct", "destroy", "9110", "--purge", "1"], on: "pve2").exitCode == 0)
  }

  @Test func refusals() throws {
    let state = try TinyCluster.state()
    func refused(_ argv: [String], on node: String = "pve1") -> String {
      let out = run(state, argv, on: node)
      #expect(out.exitCode != 0, "\(argv) was accepted")
      return out.stderr
    }
    // VMID in use, here and on another node.
    #expect(
      refused(["qmrestore", Self.vmArchive, "100"])
        == "unable to restore vm 100 - config file already exists\n")
    #expect(
      refused(["qmrestore", Self.vmArchive, "110"])
        == "unable to restore vm 110 - already existing on cluster node 'pve2'\n")
    // Storage without images content.
    #expect(
      refused(["qmrestore", Self.vmArchive, "9100", "--storage", "local"])
        == "content type 'images' is not available on storage 'local'\n")
    // Archive missing (and a node-local archive seen from another node).
    #expect(
      refused(["qmrestore", "pbs:backup/vm/100/2020-01-01T00:00:00Z", "9100"])
        == "volume 'pbs:backup/vm/100/2020-01-01T00:00:00Z' does not exist\n")
    #expect(
      refused(["pct", "restore", "9110", Self.ctArchive], on: "pve1")
        == "volume '\(Self.ctArchive)' does not exist\n")
    // A VM archive is not a container backup.
    #expect(refused(["pct", "restore", "9110", Self.vmArchive]).contains("is a VM backup"))
    // qmrestore takes no network options (qemu-server's qmrestore.pm).
    #expect(
      refused(["qmrestore", Self.vmArchive, "9100", "--net0", "virtio,link_down=1"]).contains(
        "net0: property is not defined in schema"))
    // Nothing changed.
    #expect(state.resource(9100) == nil && state.resource(9110) == nil)
    // Destroy an HA-managed guest without purge.
    #expect(run(state, ["qm", "shutdown", "114"]).exitCode == 0)
    #expect(
      refused(["qm", "destroy", "114"]).contains("used in HA resources and purge parameter not set")
        || refused(["qm", "destroy", "114"]).contains("is running"))
  }
}
