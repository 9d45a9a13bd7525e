import Foundation
import PVEMendTestSupport
import PVEModel
import SandboxCore
import Testing

/// Every mutating command the stand-ins accept in the tests is also accepted by Proxmox's own
/// schema: the accepted argv go through `../shared/tools/pve-argv-check` (PVE 8 and 9).
@Suite struct SchemaAgreementTests {
  /// (node, argv) in order; each must be accepted on the tiny cluster of that version.
  static func corpus(major: Int) -> [(String, [String])] {
    var list: [(String, [String])] = [
      ("pve1", ["qm", "migrate", "100", "pve2", "--online", "1", "--with-local-disks", "1"]),
      ("pve2", ["qm", "migrate", "102", "pve1", "--targetstorage", "nfs-shared"]),
      ("pve1", ["qm", "migrate", "101", "pve3", "--online", "1", "--bwlimit", "102400"]),
      ("pve2", ["pct", "migrate", "110", "pve1", "--restart", "1", "--timeout", "120"]),
      ("pve1", ["pct", "migrate", "111", "pve3", "--target-storage", "nfs-shared"]),
      ("pve2", ["qm", "disk", "move", "100", "scsi0", "nfs-shared", "--delete", "1"]),
      ("pve1", ["qm", "move-disk", "102", "scsi0", "local-lvm", "--format", "raw"]),
      ("pve3", ["pct", "move-volume", "111", "rootfs", "local-lvm", "--delete", "1"]),
      ("pve1", ["qm", "shutdown", "130", "--timeout", "60"]),
      ("pve1", ["qm", "start", "130"]),
      ("pve1", ["pct", "stop", "110"]),
      ("pve1", ["pct", "start", "110"]),
      (
        "pve1",
        [
          "ha-manager", "add", "vm:130", "--state", "started", "--max_restart", "2",
          "--max_relocate", "2",
        ]
      ),
      ("pve1", ["ha-manager", "add", "ct:110", "--state", "stopped", "--comment", "db container"]),
      ("pve1", ["ha-manager", "set", "ct:110", "--state", "started"]),
      ("pve1", ["ha-manager", "migrate", "vm:114", "pve2"]),
      ("pve1", ["ha-manager", "relocate", "ct:120", "pve3"]),
      ("pve1", ["ha-manager", "remove", "vm:130"]),
      (
        "pve1",
        [
          "pvesh", "create", "/cluster/backup", "--id", "pvemend-nightly", "--schedule", "21:00",
          "--storage",
          "pbs", "--mode", "snapshot", "--vmid", "100,114", "--compress", "zstd", "--prune-backups",
          "keep-daily=7,keep-weekly=4,keep-monthly=6", "--notes-template", "{{guestname}}",
          "--notification-mode", "notification-system", "--enabled", "1", "--comment",
          "created by pvemend",
        ]
      ),
      (
        "pve1",
        [
          "pvesh", "create", "/cluster/backup", "--id", "weekly-all", "--schedule", "sun 03:00",
          "--all", "1",
          "--exclude", "130", "--storage", "pbs", "--fleecing", "enabled=1,storage=local-lvm",
        ]
      ),
    ]
    // A restore test's commands (issue 15).
    list += [
      (
        "pve1",
        [
          "qmrestore", "pbs:backup/vm/100/2025-11-12T21:00:02Z", "9100", "--storage", "local-lvm",
          "--unique", "1",
        ]
      ),
      (
        "pve1",
        [
          "qm", "set", "9100", "--net0", "virtio=BC:24:11:00:00:01,bridge=vmbr0,link_down=1",
          "--name", "restore-test-100", "--tags", "pvemend-restore-test", "--onboot", "0",
        ]
      ),
      ("pve1", ["qm", "start", "9100"]),
      ("pve1", ["qm", "stop", "9100"]),
      ("pve1", ["qm", "destroy", "9100", "--purge", "1"]),
      (
        "pve2",
        [
          "pct", "restore", "9110", "local:backup/vzdump-lxc-110-2025_11_01-02_00_01.tar.zst",
          "--storage", "local-lvm", "--unique", "1", "--net0",
          "name=eth0,bridge=vmbr0,link_down=1", "--hostname", "restore-test-110", "--tags",
          "pvemend-restore-test", "--onboot", "0",
        ]
      ),
      ("pve2", ["pct", "set", "9110", "--net0", "name=eth0,bridge=vmbr0,link_down=1,firewall=1"]),
      ("pve2", ["pct", "destroy", "9110", "--purge", "1"]),
    ]
    if major >= 9 {
      list += [
        ("pve1", ["ha-manager", "add", "vm:101", "--failback", "0"]),
        (
          "pve1",
          [
            "ha-manager", "rules", "add", "node-affinity", "ct110-home", "--resources", "ct:110",
            "--nodes", "pve1:2,pve2", "--strict", "0",
          ]
        ),
        (
          "pve1",
          [
            "ha-manager", "rules", "add", "resource-affinity", "apart", "--resources",
            "vm:101,ct:110", "--affinity", "negative",
          ]
        ),
        ("pve3", ["qm", "migrate", "101", "pve2", "--online", "1", "--with-conntrack-state", "1"]),
      ]
    } else {
      list += [
        (
          "pve1",
          [
            "ha-manager", "groupadd", "prefer-pve1", "--nodes", "pve1:2,pve2:1", "--restricted",
            "0", "--nofailback", "1",
          ]
        ),
        ("pve1", ["ha-manager", "add", "vm:101", "--group", "prefer-pve1"]),
        ("pve1", ["ha-manager", "set", "ct:110", "--group", "prefer-pve1"]),
        (
          "pve1",
          [
            "pvesh", "create", "/cluster/backup", "--id", "legacy", "--schedule", "daily", "--vmid",
            "101", "--notification-policy", "failure",
          ]
        ),
      ]
    }
    return list
  }

  @Test(arguments: [8, 9])
  func acceptedCommandsPassProxmoxsSchema(_ major: Int) throws {
    let state = try TinyCluster.state(major: major)
    var accepted: [[String]] = []
    for (i, (node, argv)) in Self.corpus(major: major).enumerated() {
      let out = run(state, argv, on: node, at: TinyCluster.now + Double(i))
      #expect(out.exitCode == 0, "PVE \(major) refused \(argv): \(out.stderr)")
      accepted.append(argv)
    }
    guard let shared = Fixtures.shared else {
      print("skipped: ../shared is absent, so pve-argv-check and endpoints.json cannot be read")
      return
    }
    let tool = shared.appendingPathComponent("tools/pve-argv-check")
    let input = FileManager.default.temporaryDirectory.appendingPathComponent(
      "argv-\(UUID().uuidString).json")
    defer { try? FileManager.default.removeItem(at: input) }
    try JSONEncoder().encode(accepted).write(to: input)
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = ["python3", tool.path, "--pve", String(major), input.path]
    let pipe = Pipe()
    process.standardOutput = pipe
    process.standardError = pipe
    try process.run()
    let output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
    process.waitUntilExit()
    #expect(process.terminationStatus == 0, "pve-argv-check refused some commands:\n\(output)")
    #expect(
      output.contains("\(accepted.count) commands checked, 0 refused, 0 unchecked"), "\(output)")
  }
}
