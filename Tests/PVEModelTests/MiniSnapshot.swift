import Foundation
import PVEModel

/// A small, valid snapshot written by hand (one PVE 8 node, a container and a VM), for tests that
/// change one thing and look at the result.
struct MiniSnapshot {
  var api: [String: JSONValue]

  init() {
    // The text is valid JSON; a failure here is a broken test, reported by the first #expect.
    api = (try? JSONDecoder().decode([String: JSONValue].self, from: Data(Self.text.utf8))) ?? [:]
  }

  var snapshot: Snapshot {
    Snapshot(collectedAt: "2025-11-09T10:00:00Z", source: "test", api: api)
  }

  func cluster() throws(SnapshotError) -> Cluster {
    try Cluster(snapshot: snapshot, file: "mini.json")
  }

  /// Changes one entry of an array response (`/cluster/resources`) selected by its `id`.
  mutating func edit(_ path: String, id: String, _ change: (inout [String: JSONValue]) -> Void) {
    guard case .array(var items) = api[path] else { return }
    for i in items.indices {
      guard case .object(var o) = items[i], o["id"]?.stringValue == id else { continue }
      change(&o)
      items[i] = .object(o)
    }
    api[path] = .array(items)
  }

  /// Changes an object response (a guest config, a node status).
  mutating func edit(_ path: String, _ change: (inout [String: JSONValue]) -> Void) {
    guard case .object(var o) = api[path] else { return }
    change(&o)
    api[path] = .object(o)
  }

  /// Appends an entry to an array response.
  mutating func append(_ path: String, _ entry: [String: JSONValue]) {
    guard case .array(var items) = api[path] else { return }
    items.append(.object(entry))
    api[path] = .array(items)
  }

  static let text = """
    {
      "/version": {"release": "8.4", "repoid": "b502d23c55afcba1", "version": "8.4.14"},
      "/cluster/status": [
        {"id": "cluster", "name": "mini", "nodes": 1, "quorate": 1, "type": "cluster", "version": 2},
        {"id": "node/pve1", "ip": "10.0.0.11", "level": "", "local": 1, "name": "pve1", "nodeid": 1,
         "online": 1, "type": "node"}
      ],
      "/cluster/resources": [
        {"id": "lxc/100", "vmid": 100, "node": "pve1", "type": "lxc", "name": "web", "status": "running",
         "template": 0, "maxcpu": 2, "maxmem": 1073741824, "mem": 268435456, "maxdisk": 8589934592,
         "tags": "critical;web", "hastate": "started"},
        {"id": "qemu/101", "vmid": 101, "node": "pve1", "type": "qemu", "name": "db", "status": "stopped",
         "template": 0, "maxcpu": 4, "maxmem": 8589934592, "mem": 0, "maxdisk": 34359738368},
        {"id": "node/pve1", "node": "pve1", "type": "node", "status": "online", "maxcpu": 8,
         "maxmem": 33285996544, "mem": 5325759447, "cpu": 0.05, "uptime": 3600, "level": ""},
        {"id": "storage/pve1/local-lvm", "storage": "local-lvm", "node": "pve1", "type": "storage",
         "plugintype": "lvmthin", "shared": 0, "content": "images,rootdir", "status": "available",
         "maxdisk": 100000000000, "disk": 20000000000},
        {"id": "storage/pve1/nas", "storage": "nas", "node": "pve1", "type": "storage",
         "plugintype": "nfs", "shared": 1, "content": "images,rootdir,backup", "status": "available",
         "maxdisk": 1000000000000, "disk": 400000000000}
      ],
      "/cluster/ha/resources": [
        {"sid": "ct:100", "type": "ct", "state": "started", "digest": "0b5cbe4b3c2f7b8e6a1d9c0f3e2d1c4b5a6f7e8d"}
      ],
      "/cluster/ha/status/current": [
        {"id": "quorum", "node": "pve1", "quorate": 1, "status": "OK", "type": "quorum"},
        {"id": "master", "node": "pve1", "status": "pve1 (active, Sun Nov  9 09:59:57 2025)",
         "timestamp": 1762682397, "type": "master"},
        {"id": "lrm:pve1", "node": "pve1", "status": "pve1 (active, Sun Nov  9 09:59:58 2025)",
         "timestamp": 1762682398, "type": "lrm"},
        {"crm_state": "started", "id": "service:ct:100", "max_relocate": 1, "max_restart": 1,
         "node": "pve1", "request_state": "started", "sid": "ct:100", "state": "started",
         "status": "ct:100 (pve1, started)", "type": "service"}
      ],
      "/cluster/ha/groups": [],
      "/cluster/backup": [],
      "/storage": [
        {"storage": "local-lvm", "type": "lvmthin", "content": "rootdir,images", "thinpool": "data",
         "vgname": "pve", "digest": "2f7c"},
        {"storage": "nas", "type": "nfs", "content": "images,rootdir,backup", "server": "10.0.0.50",
         "export": "/export/pve", "path": "/mnt/pve/nas", "shared": 1, "digest": "2f7c"}
      ],
      "/cluster/options": {"keyboard": "en-us"},
      "/nodes/pve1/status": {
        "cpu": 0.05, "cpuinfo": {"cores": 4, "cpus": 8, "sockets": 1, "model": "Intel(R) Xeon(R) E-2288G",
        "mhz": "3700.000"}, "memory": {"total": 33285996544, "used": 5325759447, "free": 27960237097},
        "pveversion": "pve-manager/8.4.14/b502d23c55afcba1", "kversion": "Linux 6.8.12-15-pve",
        "uptime": 3600, "loadavg": ["0.10", "0.20", "0.30"]
      },
      "/nodes/pve1/storage": [
        {"storage": "local-lvm", "type": "lvmthin", "content": "images,rootdir", "shared": 0, "active": 1,
         "enabled": 1, "total": 100000000000, "used": 20000000000, "avail": 80000000000},
        {"storage": "nas", "type": "nfs", "content": "images,rootdir,backup", "shared": 1, "active": 1,
         "enabled": 1, "total": 1000000000000, "used": 400000000000, "avail": 600000000000}
      ],
      "/nodes/pve1/lxc/100/config": {
        "hostname": "web", "memory": 1024, "cores": 2, "swap": 512, "onboot": 1, "unprivileged": 1,
        "rootfs": "local-lvm:vm-100-disk-0,size=8G", "mp0": "nas:100/vm-100-disk-1.raw,mp=/data,size=3325654K",
        "tags": "critical;web", "digest": "9a1b"
      },
      "/nodes/pve1/qemu/101/config": {
        "name": "db", "memory": "8192", "cores": 2, "sockets": 2, "onboot": 0,
        "scsi0": "nas:101/vm-101-disk-0.qcow2,iothread=1,size=32G",
        "efidisk0": "nas:101/vm-101-disk-1.qcow2,efitype=4m,size=4M",
        "ide2": "none,media=cdrom", "unused0": "local-lvm:vm-101-disk-2", "digest": "5d0c"
      }
    }
    """
}
