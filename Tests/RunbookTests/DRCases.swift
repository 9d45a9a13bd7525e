import Foundation
import PVEMendTestSupport
import PVEModel
import Playbook

/// The case clusters of the runbook goldens: three nodes, node-local `local-lvm` and `local`
/// (backup) storage, an NFS server `10.0.0.9` with a guest pool and a backup pool, and a PBS at
/// `10.0.0.20`. The same guests in every case; only the backups differ.
enum DRCases {
  static let names = ["no-backups", "own-storage", "pbs-unverified"]

  static let gib = ByteSize.gib
  /// 2025-11-09T10:00:00Z, TestCluster's collectedAt.
  static let now: Int64 = 1_762_682_400

  static let playbook = """
    name: dr-case
    critical:
      - { vmid: 101, level: critical, purpose: DNS resolver }
      - { vmid: 102, level: high, purpose: DHCP server }
      - { vmid: 110, level: critical, purpose: Reverse proxy (all external access) }
      - { vmid: 120, level: critical, purpose: Home automation hub }
      - { vmid: 130, level: high, purpose: Database }
    capacity:
      memory_reserve: 2GiB
    """

  static func policy() throws -> Policy {
    try PlaybookDecoder.decode(playbook, file: "dr-case.yaml")
  }

  /// `names` overrides guest names by VMID (the hostile-text test).
  static func base(names: [Int: String] = [:]) -> TestCluster {
    func n(_ vmid: Int, _ name: String) -> String { names[vmid] ?? name }
    var c = TestCluster()
      .node("pve1", cores: 8, memoryGiB: 32)
      .node("pve2", cores: 8, memoryGiB: 32)
      .node("pve3", cores: 4, memoryGiB: 16)
      .localStorage(
        "local-lvm", perNode: [("pve1", 400, 100), ("pve2", 400, 50), ("pve3", 200, 20)]
      )
      .localStorage(
        "local", type: "dir", content: ["backup", "iso", "vztmpl"],
        perNode: [("pve1", 100, 10), ("pve2", 100, 10), ("pve3", 100, 10)]
      )
      .sharedStorage(
        "nas-vm", server: "10.0.0.9", totalGB: 2000, usedGB: 500,
        nodes: ["pve1", "pve2", "pve3"]
      )
      .sharedStorage(
        "nas-backup", server: "10.0.0.9", content: ["backup"], totalGB: 4000, usedGB: 1000,
        nodes: ["pve1", "pve2", "pve3"]
      )
      .sharedStorage(
        "pbs", server: "10.0.0.20", type: "pbs", content: ["backup"], totalGB: 4000,
        usedGB: 800, nodes: ["pve1", "pve2", "pve3"]
      )
      .guest(101, on: "pve1", name: n(101, "dns-1"), disks: [TestCluster.disk("local-lvm", gib: 4)])
      .guest(102, on: "pve1", name: n(102, "dhcp-1"), disks: [TestCluster.disk("nas-vm", gib: 4)])
      .guest(
        110, on: "pve1", name: n(110, "proxy"), kind: .qemu, vcpus: 2, memoryGiB: 2,
        disks: [TestCluster.disk("local-lvm", gib: 16, key: "scsi0")]
      )
      .guest(
        120, on: "pve2", name: n(120, "hub"), kind: .qemu, vcpus: 2, memoryGiB: 4,
        disks: [TestCluster.disk("nas-vm", gib: 32, key: "scsi0")]
      )
      .guest(
        130, on: "pve2", name: n(130, "db"), vcpus: 2, memoryGiB: 4,
        disks: [TestCluster.disk("local-lvm", gib: 20)]
      )
      .guest(140, on: "pve3", name: n(140, "wiki"), disks: [TestCluster.disk("nas-vm", gib: 8)])
      .guest(
        150, on: "pve3", name: n(150, "media"), kind: .qemu, vcpus: 6, memoryGiB: 8,
        disks: [TestCluster.disk("local-lvm", gib: 64, key: "scsi0")]
      )
      .ha("vm:120")
    c.guests = c.guests.map { g in
      var g = g
      if g.vmid == 120 { g.haState = "started" }
      return g
    }
    return c
  }

  static func archive(
    _ vmid: Int, _ kind: GuestKind, storage: String, node: String, hoursAgo: Int64,
    verification: String? = nil
  ) -> BackupArchive {
    let t = now - hoursAgo * 3600
    let pbs = storage == "pbs"
    let volid =
      pbs
      ? "pbs:backup/\(kind == .qemu ? "vm" : "ct")/\(vmid)/2025-11-0\(9 - hoursAgo / 24)T02:00:00Z"
      : "\(storage):backup/vzdump-\(kind.rawValue)-\(vmid)-2025_11_0\(9 - hoursAgo / 24)-02_00_00.\(kind == .qemu ? "vma" : "tar").zst"
    return BackupArchive(
      volid: volid, storage: storage, node: node, vmid: vmid, kind: kind, ctime: t,
      size: 2 * gib,
      format: pbs ? (kind == .qemu ? "pbs-vm" : "pbs-ct") : "\(kind == .qemu ? "vma" : "tar").zst",
      verification: verification, notes: nil, protected: false, encrypted: false)
  }

  static func cluster(_ name: String, names: [Int: String] = [:]) -> Cluster {
    var c = base(names: names)
    switch name {
    case "no-backups":
      c.backups = BackupInventory(archives: [], complete: true)
    case "own-storage":
      // Each guest's backups where its disks are: node-local ones on that node's `local`, NFS
      // ones on the NFS server's backup pool.
      var list: [BackupArchive] = []
      for g in c.guests {
        let onNAS = g.disks.contains { $0.storage == "nas-vm" }
        for h in [8 as Int64, 32] {
          list.append(
            archive(
              g.vmid, g.kind, storage: onNAS ? "nas-backup" : "local", node: g.node, hoursAgo: h))
        }
      }
      c.backups = BackupInventory(archives: list, complete: true)
    default:
      // PBS: the newest of 110 never verified, 130's newest failed verification (an older one
      // passed), the rest verified; 150 has no backup at all.
      var list: [BackupArchive] = []
      for g in c.guests where g.vmid != 150 {
        let newest: String? =
          g.vmid == 110 ? nil : g.vmid == 130 ? "failed" : "ok"
        list.append(
          archive(g.vmid, g.kind, storage: "pbs", node: "pve1", hoursAgo: 8, verification: newest))
        list.append(
          archive(g.vmid, g.kind, storage: "pbs", node: "pve1", hoursAgo: 200, verification: "ok"))
      }
      c.backups = BackupInventory(archives: list, complete: true)
    }
    return c.cluster
  }

  /// Restore tests of two guests (the PBS case): one passed, one failed.
  static func records(_ name: String) -> [RestoreRecord] {
    guard name == "pbs-unverified" else { return [] }
    return [
      RestoreRecord(
        vmid: 101, kind: .lxc, name: "dns-1", backupVolid: "pbs:backup/ct/101/2025-11-01T02:00:00Z",
        backupTime: now - 8 * 86_400, backupSize: 2 * gib, node: "pve2", scratchVMID: 9001,
        testedAt: "2025-11-02T03:00:00Z", restoreSeconds: 41.6, bootSeconds: 7.2, verdict: .passed,
        detail: nil),
      RestoreRecord(
        vmid: 120, kind: .qemu, name: "hub", backupVolid: "pbs:backup/vm/120/2025-11-01T02:00:00Z",
        backupTime: now - 8 * 86_400, backupSize: 2 * gib, node: "pve2", scratchVMID: 9002,
        testedAt: "2025-11-02T03:10:00Z", restoreSeconds: 312, bootSeconds: nil, verdict: .failed,
        detail: "the guest agent did not answer within 300 s"),
    ]
  }
}
