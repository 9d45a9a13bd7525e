import Foundation
import PVEModel
import SandboxCore

/// A small cluster for the refusal tests, in the shapes `pvesh get` prints:
/// pve1 and pve2 with 16 cores, pve3 with 4; local-lvm on each node, shared nfs-shared, a PBS
/// backup store; HA-managed vm:114 and ct:120.
///
/// | guest | node | state | vCPUs | volumes |
/// |---|---|---|---|---|
/// | VM 100 | pve1 | running | 4 | local-lvm 32G |
/// | VM 101 | pve1 | running | 2 | nfs-shared 16G |
/// | VM 102 | pve2 | stopped | 2 | local-lvm 10G |
/// | CT 110 | pve2 | running | 2 | local-lvm 8G |
/// | CT 111 | pve1 | stopped | 1 | nfs-shared 4G |
/// | VM 114 | pve1 | running, HA | 2 | nfs-shared 20G |
/// | CT 120 | pve2 | running, HA | 1 | nfs-shared 8G |
/// | VM 130 | pve1 | running | 8 | nfs-shared 40G |
enum TinyCluster {
  static let gib: Int64 = 1024 * 1024 * 1024
  static let mib: Int64 = 1024 * 1024
  static let now: Double = 1_763_000_000

  /// `major` 8 or 9; `groups` gives a PVE 9 cluster whose HA groups are not migrated yet.
  static func snapshot(major: Int = 9, unmigratedGroups: Bool = false) -> Snapshot {
    let version = major >= 9 ? "9.1.1" : "8.4.14"
    let repoid = major >= 9 ? "42db4a6cf33dac83" : "b502d23c55afcba1"
    let nodes: [(String, Int, Int64)] = [
      ("pve1", 16, 64 * gib), ("pve2", 16, 64 * gib), ("pve3", 4, 16 * gib),
    ]
    typealias Guest = (
      kind: String, vmid: Int, node: String, running: Bool, cores: Int, mem: Int64, disk: String,
      size: Int64
    )
    let guests: [Guest] = [
      ("qemu", 100, "pve1", true, 4, 4 * gib, "local-lvm", 32),
      ("qemu", 101, "pve1", true, 2, 2 * gib, "nfs-shared", 16),
      ("qemu", 102, "pve2", false, 2, 2 * gib, "local-lvm", 10),
      ("lxc", 110, "pve2", true, 2, 1 * gib, "local-lvm", 8),
      ("lxc", 111, "pve1", false, 1, 512 * mib, "nfs-shared", 4),
      ("qemu", 114, "pve1", true, 2, 8 * gib, "nfs-shared", 20),
      ("lxc", 120, "pve2", true, 1, 1 * gib, "nfs-shared", 8),
      ("qemu", 130, "pve1", true, 8, 16 * gib, "nfs-shared", 40),
    ]
    var api: [String: JSONValue] = [:]
    var resources: [JSONValue] = []
    var usedMemory: [String: Int64] = [:]
    var localUsed: [String: Int64] = [:]
    var sharedUsed: Int64 = 500 * gib
    for g in guests {
      if g.running { usedMemory[g.node, default: 0] += g.mem }
      if g.disk == "local-lvm" {
        localUsed[g.node, default: 0] += g.size * gib
      } else {
        sharedUsed += g.size * gib
      }
      var r: [String: JSONValue] = [
        "id": .string("\(g.kind)/\(g.vmid)"), "vmid": .int(Int64(g.vmid)), "node": .string(g.node),
        "type": .string(g.kind), "status": .string(g.running ? "running" : "stopped"),
        "name": .string("guest-\(g.vmid)"), "maxcpu": .int(Int64(g.cores)), "maxmem": .int(g.mem),
        "mem": .int(g.running ? g.mem : 0), "cpu": g.running ? .double(0.02) : .int(0),
        "template": .int(0),
        "uptime": .int(g.running ? 3600 : 0), "maxdisk": .int(g.size * gib), "disk": .int(0),
      ]
      if g.vmid == 114 || g.vmid == 120 { r["hastate"] = .string("started") }
      resources.append(.object(r))
      let volume: String
      if g.disk == "local-lvm" {
        volume = "local-lvm:vm-\(g.vmid)-disk-0,size=\(g.size)G"
      } else {
        volume = "nfs-shared:\(g.vmid)/vm-\(g.vmid)-disk-0.raw,size=\(g.size)G"
      }
      var config: [String: JSONValue]
      if g.kind == "qemu" {
        config = [
          "name": .string("guest-\(g.vmid)"), "cores": .int(Int64(g.cores)), "sockets": .int(1),
          "memory": .string(String(g.mem / mib)), "scsi0": .string(volume + ",iothread=1"),
          "ide2": .string("none,media=cdrom"), "onboot": .int(1),
        ]
      } else {
        config = [
          "hostname": .string("guest-\(g.vmid)"), "cores": .int(Int64(g.cores)),
          "memory": .int(g.mem / mib), "rootfs": .string(volume), "onboot": .int(1),
        ]
      }
      config["digest"] = .string(String(repeating: "ab", count: 20))
      api["/nodes/\(g.node)/\(g.kind)/\(g.vmid)/config"] = .object(config)
    }
    var status: [JSONValue] = [
      .object([
        "id": "cluster", "name": "tiny", "nodes": .int(3), "quorate": .int(1), "type": "cluster",
        "version": .int(3),
      ])
    ]
    for (i, (name, cores, memory)) in nodes.enumerated() {
      status.append(
        .object([
          "id": .string("node/\(name)"), "name": .string(name), "nodeid": .int(Int64(i + 1)),
          "online": .int(1), "local": .int(i == 0 ? 1 : 0), "type": "node",
          "ip": .string("10.0.0.1\(i + 1)"), "level": "",
        ]))
      let used = usedMemory[name, default: 0] + 2 * gib
      resources.append(
        .object([
          "id": .string("node/\(name)"), "node": .string(name), "type": "node", "status": "online",
          "maxcpu": .int(Int64(cores)), "maxmem": .int(memory), "mem": .int(used),
          "cpu": .double(0.05), "uptime": .int(100_000), "level": "", "hastate": "online",
        ]))
      api["/nodes/\(name)/status"] = .object([
        "cpuinfo": .object([
          "cpus": .int(Int64(cores)), "cores": .int(Int64(cores)), "sockets": .int(1),
        ]),
        "memory": .object(["total": .int(memory), "used": .int(used), "free": .int(memory - used)]),
        "pveversion": .string("pve-manager/\(version)/\(repoid)"),
        "current-kernel": .object([
          "release": .string(major >= 9 ? "6.17.2-1-pve" : "6.8.12-15-pve")
        ]),
        "uptime": .int(100_000), "cpu": .double(0.05),
      ])
      let local = localUsed[name, default: 0] + 20 * gib
      let localTotal = 400 * gib
      let sharedTotal = 4000 * gib
      api["/nodes/\(name)/storage"] = .array([
        .object([
          "storage": "local", "type": "dir", "content": "backup,iso,vztmpl", "shared": .int(0),
          "active": .int(1), "enabled": .int(1), "total": .int(100 * gib), "used": .int(10 * gib),
          "avail": .int(90 * gib), "used_fraction": .double(0.1),
        ]),
        .object([
          "storage": "local-lvm", "type": "lvmthin", "content": "images,rootdir", "shared": .int(0),
          "active": .int(1), "enabled": .int(1), "total": .int(localTotal), "used": .int(local),
          "avail": .int(localTotal - local),
          "used_fraction": .double(Double(local) / Double(localTotal)),
        ]),
        .object([
          "storage": "nfs-shared", "type": "nfs", "content": "images,rootdir", "shared": .int(1),
          "active": .int(1), "enabled": .int(1), "total": .int(sharedTotal),
          "used": .int(sharedUsed),
          "avail": .int(sharedTotal - sharedUsed),
          "used_fraction": .double(Double(sharedUsed) / Double(sharedTotal)),
        ]),
        .object([
          "storage": "pbs", "type": "pbs", "content": "backup", "shared": .int(1),
          "active": .int(1),
          "enabled": .int(1), "total": .int(8000 * gib), "used": .int(1000 * gib),
          "avail": .int(7000 * gib), "used_fraction": .double(0.125),
        ]),
      ])
      for (id, type, shared, used, total) in [
        ("local-lvm", "lvmthin", 0, local, localTotal),
        ("nfs-shared", "nfs", 1, sharedUsed, sharedTotal),
      ] {
        resources.append(
          .object([
            "id": .string("storage/\(name)/\(id)"), "storage": .string(id), "node": .string(name),
            "type": "storage", "plugintype": .string(type), "shared": .int(Int64(shared)),
            "status": "available", "content": "images,rootdir", "disk": .int(used),
            "maxdisk": .int(total),
          ]))
      }
    }
    api["/cluster/status"] = .array(status)
    api["/cluster/resources"] = .array(resources)
    api["/version"] = .object([
      "version": .string(version), "release": .string(String(version.prefix(3))),
      "repoid": .string(repoid),
    ])
    api["/storage"] = .array([
      .object([
        "storage": "local", "type": "dir", "content": "backup,iso,vztmpl", "path": "/var/lib/vz",
      ]),
      .object([
        "storage": "local-lvm", "type": "lvmthin", "content": "images,rootdir", "vgname": "pve",
      ]),
      .object([
        "storage": "nfs-shared", "type": "nfs", "content": "images,rootdir", "shared": .int(1),
        "server": "10.0.0.50", "export": "/export/pve",
      ]),
      .object([
        "storage": "pbs", "type": "pbs", "content": "backup", "shared": .int(1),
        "datastore": "main",
      ]),
    ])
    // Backup content: PBS (shared, listed once, from pve1) and each node's `local`.
    func archive(_ volid: String, _ vmid: Int, _ format: String, ctime: Int, verified: Bool?)
      -> JSONValue
    {
      var e: [String: JSONValue] = [
        "volid": .string(volid), "content": "backup", "format": .string(format),
        "size": .int(2 * gib), "ctime": .int(Int64(ctime)), "vmid": .int(Int64(vmid)),
      ]
      if let verified {
        e["verification"] = .object([
          "state": .string(verified ? "ok" : "failed"),
          "upid": "UPID:pbs:1:2:3:4:verify:x:root@pam:",
        ])
      }
      return .object(e)
    }
    api["/nodes/pve1/storage/pbs/content"] = .array([
      archive(
        "pbs:backup/ct/120/2025-11-12T21:00:04Z", 120, "pbs-ct", ctime: 1_762_981_204, verified: nil
      ),
      archive(
        "pbs:backup/vm/100/2025-11-12T21:00:02Z", 100, "pbs-vm", ctime: 1_762_981_202,
        verified: true),
      archive(
        "pbs:backup/vm/114/2025-11-11T21:00:03Z", 114, "pbs-vm", ctime: 1_762_894_803,
        verified: true),
      archive(
        "pbs:backup/vm/114/2025-11-12T21:00:03Z", 114, "pbs-vm", ctime: 1_762_981_203,
        verified: true),
    ])
    api["/nodes/pve1/storage/local/content"] = .array([])
    api["/nodes/pve2/storage/local/content"] = .array([
      archive(
        "local:backup/vzdump-lxc-110-2025_11_01-02_00_01.tar.zst", 110, "tar.zst",
        ctime: 1_761_962_401, verified: nil)
    ])
    api["/nodes/pve3/storage/local/content"] = .array([])
    api["/cluster/options"] = .object(["keyboard": "en-us"])
    api["/cluster/backup"] = .array([])
    let haDigest = "0b5cbe4b3c2f7b8e6a1d9c0f3e2d1c4b5a6f7e8d"
    api["/cluster/ha/resources"] = .array([
      .object(["sid": "vm:114", "type": "vm", "state": "started", "digest": .string(haDigest)]),
      .object(["sid": "ct:120", "type": "ct", "state": "started", "digest": .string(haDigest)]),
    ])
    var haStatus: [JSONValue] = [
      .object([
        "id": "quorum", "node": "pve1", "quorate": .int(1), "status": "OK", "type": "quorum",
      ]),
      .object([
        "id": "master", "node": "pve1", "status": "pve1 (active, Thu Nov 13 02:13:20 2025)",
        "timestamp": .int(1_763_000_000), "type": "master",
      ]),
    ]
    for (name, _, _) in nodes {
      haStatus.append(
        .object([
          "id": .string("lrm:\(name)"), "node": .string(name), "type": "lrm",
          "status": .string("\(name) (active, Thu Nov 13 02:13:20 2025)"),
          "timestamp": .int(1_763_000_000),
        ]))
    }
    for (sid, node) in [("ct:120", "pve2"), ("vm:114", "pve1")] {
      var s: [String: JSONValue] = [
        "id": .string("service:\(sid)"), "sid": .string(sid), "node": .string(node),
        "type": "service",
        "state": "started", "crm_state": "started", "request_state": "started",
        "status": .string("\(sid) (\(node), started)"), "max_restart": .int(1),
        "max_relocate": .int(1),
      ]
      if major >= 9 { s["failback"] = .int(1) }
      haStatus.append(.object(s))
    }
    api["/cluster/ha/status/current"] = .array(haStatus)
    if major >= 9 && !unmigratedGroups {
      api["/cluster/ha/rules"] = .array([
        .object([
          "rule": "prefer-pve1", "type": "node-affinity", "resources": "vm:114",
          "nodes": "pve1:2,pve2:1",
          "strict": .int(0), "order": .int(1), "digest": .string(haDigest),
        ])
      ])
    } else if unmigratedGroups {
      api["/cluster/ha/groups"] = .array([
        .object([
          "group": "prefer-pve1", "nodes": "pve1:2,pve2:1", "type": "group",
          "digest": .string(haDigest),
        ])
      ])
    } else {
      api["/cluster/ha/groups"] = .array([])
    }
    return Snapshot(collectedAt: "2025-11-13T02:13:20Z", source: "tiny test cluster", api: api)
  }

  /// The cluster as a state in memory.
  static func state(major: Int = 9, unmigratedGroups: Bool = false) throws -> ClusterState {
    try ClusterState(snapshot: snapshot(major: major, unmigratedGroups: unmigratedGroups))
  }
}

extension JSONValue: ExpressibleByStringLiteral {
  package init(stringLiteral value: String) { self = .string(value) }
}
