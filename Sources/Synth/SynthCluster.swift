import PVEModel

/// A synthetic cluster drawn from a seed: nodes, storage, guests, HA placement and backup jobs.
///
/// Everything comes from one `SplitMix64` stream (plus per-guest streams keyed by VMID for digests
/// and MAC addresses), in a fixed order, so the same arguments always give the same cluster.
struct SynthCluster: Sendable {
  /// A node-affinity rule (PVE 9) or HA group (PVE 8): nodes with priorities.
  struct Placement: Sendable {
    var id: String
    var nodes: [NodePriority]
    var restricted: Bool
    var nofailback: Bool
    var disabled: Bool
    var members: [String] = []
  }

  /// A negative resource-affinity rule (PVE 9).
  struct KeepApart: Sendable {
    var id: String
    var members: [String]
  }

  static let epoch: Int64 = 1_768_478_400
  static let collectedAt = "2026-01-15T12:00:00Z"

  static let services = [
    "web", "api", "db", "cache", "queue", "proxy", "dns", "dhcp", "ldap", "mail", "git", "ci",
    "wiki", "monitor", "logs", "metrics", "backup", "vpn", "media", "files", "auth", "search",
    "worker", "batch", "report", "erp", "crm", "shop", "chat", "registry",
  ]
  static let tagWords = [
    "prod", "dev", "test", "web", "db", "infra", "critical", "media", "monitoring", "k8s",
  ]
  static let pools = ["dev", "infra", "prod"]

  var seed: UInt64
  var pveMajor: Int
  var name: String
  var nodes: [SynthNode] = []
  var guests: [SynthGuest] = []
  var placements: [Placement] = []
  var keepApart: [KeepApart] = []
  var master = 0
  /// Storage ids in use.
  var localPool: String { pveMajor >= 9 ? "local-zfs" : "local-lvm" }
  var hasCeph: Bool { nodes.count >= 3 }
  var sharedUsed: [String: Int64] = [:]
  var excluded: [Int] = []
  var legacyVMIDs: [Int] = []

  init(nodeCount: Int, guestCount: Int, seed: UInt64, pveMajor: Int) {
    self.seed = seed
    self.pveMajor = pveMajor >= 9 ? 9 : 8
    self.name = "synth-\(seed)"
    var rng = SplitMix64(seed: seed)
    makeNodes(max(1, nodeCount), &rng)
    makeGuests(max(0, guestCount), &rng)
    makePlacements(&rng)
    makeBackupSelection(&rng)
  }

  // MARK: Nodes

  private mutating func makeNodes(_ count: Int, _ rng: inout SplitMix64) {
    let width = String(count).count
    for i in 0..<count {
      // Mixed sizes: mostly mid-size nodes, some small and some big ones.
      let roll = rng.below(100)
      let profile =
        SynthNode.profiles[roll < 15 ? 0 : roll < 40 ? 1 : roll < 75 ? 2 : roll < 92 ? 3 : 4]
      let number = String(i + 1)
      let padded = String(repeating: "0", count: width - number.count) + number
      let memory = profile.memoryGiB * ByteSize.gib - Int64(rng.int(in: 180...420)) * ByteSize.mib
      nodes.append(
        SynthNode(
          name: "pve\(padded)", nodeid: i + 1, ip: "10.20.\((i + 1) / 250).\((i + 1) % 250 + 2)",
          profile: profile, memoryTotal: memory,
          uptime: Int64(rng.int(in: 3_600...9_000_000))))
    }
    master = rng.below(count)
  }

  // MARK: Guests

  private mutating func makeGuests(_ count: Int, _ rng: inout SplitMix64) {
    // Guests land on nodes in proportion to their CPUs.
    var cumulative: [Int] = []
    var total = 0
    for n in nodes {
      total += n.profile.cpus
      cumulative.append(total)
    }
    guests.reserveCapacity(count)
    for index in 0..<count {
      let vmid = 100 + index
      let target = rng.below(total)
      var lo = 0
      var hi = cumulative.count - 1
      while lo < hi {
        let mid = (lo + hi) / 2
        if cumulative[mid] > target { hi = mid } else { lo = mid + 1 }
      }
      let node = lo
      let nodeCPUs = nodes[node].profile.cpus
      let kind: GuestKind = rng.chance(0.55) ? .lxc : .qemu
      let template = kind == .qemu && rng.chance(0.01)
      let running = !template && rng.chance(0.86)
      let onboot = !template && (running ? rng.chance(0.9) : rng.chance(0.1))
      let service = rng.pick(Self.services)
      let name = template ? "tpl-\(service)-\(vmid)" : "\(service)-\(vmid)"
      var sockets = 1
      var cores: Int
      let memory: Int64
      if kind == .qemu {
        cores = rng.pick([1, 2, 2, 4, 4, 4, 8])
        if cores >= 4, rng.chance(0.15) { sockets = 2 }
        memory = rng.pick([1024, 2048, 4096, 4096, 8192, 8192, 16384])
      } else {
        cores = rng.pick([1, 1, 2, 2, 4])
        memory = rng.pick([256, 512, 512, 1024, 2048, 4096])
      }
      cores = min(cores, max(1, nodeCPUs / sockets))

      // Storage: mostly shared, some node-local.
      let shared = rng.chance(0.65)
      let sharedPool = hasCeph && rng.chance(0.7) ? "ceph-vm" : "nas"
      var volumes: [SynthGuest.Volume] = []
      let rootGiB: Int64 =
        kind == .qemu ? Int64(rng.pick([16, 32, 32, 64, 100])) : Int64(rng.pick([4, 8, 8, 16]))
      volumes.append(
        volume(
          kind: kind, vmid: vmid, number: 0, gib: rootGiB, shared: shared,
          sharedPool: sharedPool, root: true, template: template))
      if rng.chance(0.2) {
        let dataShared = shared || rng.chance(0.3)
        volumes.append(
          volume(
            kind: kind, vmid: vmid, number: 1, gib: Int64(rng.pick([50, 100, 200, 500])),
            shared: dataShared, sharedPool: sharedPool, root: false, template: false))
      }

      var tags: [String] = []
      for _ in 0..<rng.below(3) {
        let t = rng.pick(Self.tagWords)
        if !tags.contains(t) { tags.append(t) }
      }
      if template { tags = ["template"] }
      tags.sort()
      let pool: String? = rng.chance(0.5) ? rng.pick(Self.pools) : nil
      let lock: String? = rng.chance(0.002) ? rng.pick(["backup", "snapshot", "migrate"]) : nil

      // HA: mostly guests on shared storage; a few on local storage (a classic mistake).
      var ha: SynthGuest.HA?
      let haChance = volumes.allSatisfy(\.shared) ? 0.22 : 0.03
      if !template, rng.chance(haChance) {
        ha = SynthGuest.HA(
          state: running ? "started" : "stopped", group: nil,
          maxRelocate: rng.chance(0.2) ? 2 : nil, failback: nil)
      }
      let cpu = running ? 0.002 + rng.unit() * rng.unit() * 0.4 : 0
      let memoryFraction = running ? 0.1 + rng.unit() * 0.7 : 0

      let guest = SynthGuest(
        vmid: vmid, kind: kind, name: name, node: node, running: running, onboot: onboot,
        template: template, sockets: sockets, cores: cores, memoryMiB: memory, volumes: volumes,
        tags: tags, pool: pool, lock: lock, ha: ha, cpu: cpu, memoryFraction: memoryFraction)
      if running {
        nodes[node].memoryUsed += Int64(Double(memory * ByteSize.mib) * memoryFraction)
        nodes[node].cpuBusy += cpu * Double(guest.vcpus)
        if ha != nil { nodes[node].hasHA = true }
      }
      for v in volumes {
        // Thin pools and sparse images: about 40 % of what was provisioned is written.
        let written = v.bytes / 10 * 4
        if v.shared {
          sharedUsed[String(v.value.prefix { $0 != ":" }), default: 0] += written
        } else {
          nodes[node].localUsed += written
        }
      }
      guests.append(guest)
    }
    for i in nodes.indices {
      let base = 2 * ByteSize.gib + nodes[i].memoryTotal / 50
      nodes[i].memoryUsed = min(nodes[i].memoryUsed + base, nodes[i].memoryTotal / 100 * 97)
    }
  }

  private func volume(
    kind: GuestKind, vmid: Int, number: Int, gib: Int64, shared: Bool, sharedPool: String,
    root: Bool, template: Bool
  ) -> SynthGuest.Volume {
    let storage = shared ? sharedPool : localPool
    let prefix = template ? "base" : "vm"
    let volname: String
    if storage == "nas" {
      volname = "\(vmid)/\(prefix)-\(vmid)-disk-\(number).\(kind == .qemu ? "qcow2" : "raw")"
    } else if kind == .lxc, storage == "local-zfs" {
      volname = "subvol-\(vmid)-disk-\(number)"
    } else {
      volname = "\(prefix)-\(vmid)-disk-\(number)"
    }
    let key: String
    let options: String
    if kind == .qemu {
      key = "scsi\(number)"
      options = ",iothread=1"
    } else {
      key = root ? "rootfs" : "mp\(number - 1)"
      options = root ? "" : ",mp=/srv/data,backup=1"
    }
    return SynthGuest.Volume(
      key: key, value: "\(storage):\(volname)\(options),size=\(gib)G", bytes: gib * ByteSize.gib,
      shared: shared)
  }

  // MARK: HA placement

  private mutating func makePlacements(_ rng: inout SplitMix64) {
    let haIndices = guests.indices.filter { guests[$0].ha != nil }
    guard !haIndices.isEmpty else { return }
    let count = nodes.count >= 2 ? max(1, nodes.count / 4) : 0
    for k in 0..<count {
      let size = min(nodes.count, rng.int(in: 2...4))
      let start = (k * 4) % nodes.count
      var members: [NodePriority] = []
      for j in 0..<size {
        let node = nodes[(start + j) % nodes.count].name
        members.append(NodePriority(node: node, priority: j == 0 ? 2 : (j == 1 ? 1 : 0)))
      }
      let id = pveMajor >= 9 ? "ha-rule-\(rng.hex(8))-\(rng.hex(4))" : "group-\(k + 1)"
      placements.append(
        Placement(
          id: id, nodes: members.sorted(), restricted: k % 3 == 1, nofailback: k % 3 == 2,
          disabled: false))
    }
    if pveMajor >= 9, placements.count >= 3 { placements[placements.count - 1].disabled = true }

    var free: [Int] = []
    for i in haIndices {
      let nodeName = nodes[guests[i].node].name
      let fitting = placements.indices.filter { p in
        placements[p].nodes.contains { $0.node == nodeName }
      }
      if !fitting.isEmpty, rng.chance(0.6) {
        let p = rng.pick(fitting)
        placements[p].members.append(guests[i].sid)
        if pveMajor >= 9 {
          if placements[p].nofailback { guests[i].ha?.failback = false }
        } else {
          guests[i].ha?.group = placements[p].id
        }
      } else {
        free.append(i)
      }
    }
    // PVE 9: keep some pairs of unplaced HA guests on different nodes apart.
    guard pveMajor >= 9, nodes.count >= 2 else { return }
    var pairs = max(1, nodes.count / 8)
    var i = 0
    while pairs > 0, i + 1 < free.count {
      let a = guests[free[i]]
      let b = guests[free[i + 1]]
      if a.node != b.node {
        keepApart.append(
          KeepApart(id: "keep-apart-\(keepApart.count + 1)", members: [a.sid, b.sid]))
        pairs -= 1
        i += 2
      } else {
        i += 1
      }
    }
  }

  // MARK: Backup

  private mutating func makeBackupSelection(_ rng: inout SplitMix64) {
    guard !guests.isEmpty else { return }
    for _ in 0..<min(3, guests.count) {
      let vmid = guests[rng.below(guests.count)].vmid
      if !excluded.contains(vmid) { excluded.append(vmid) }
    }
    excluded.sort()
    for _ in 0..<min(2, guests.count) {
      let vmid = guests[rng.below(guests.count)].vmid
      if !legacyVMIDs.contains(vmid) { legacyVMIDs.append(vmid) }
    }
    legacyVMIDs.sort()
  }
}
