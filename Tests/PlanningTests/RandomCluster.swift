import PVEMendTestSupport
import PVEModel
import Playbook

/// Random but reproducible clusters and policies for the planner's property tests.
struct RandomCluster {
  /// SplitMix64: the same seed gives the same cluster on every platform.
  struct Generator {
    var state: UInt64
    mutating func next() -> UInt64 {
      state &+= 0x9E37_79B9_7F4A_7C15
      var z = state
      z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
      z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
      return z ^ (z >> 31)
    }
    mutating func int(_ range: ClosedRange<Int>) -> Int {
      range.lowerBound + Int(next() % UInt64(range.count))
    }
    mutating func pick<T>(_ list: [T]) -> T { list[int(0...(list.count - 1))] }
    mutating func chance(_ percent: Int) -> Bool { int(1...100) <= percent }
  }

  let cluster: Cluster
  let policy: Policy

  init(seed: UInt64, nodes: Int? = nil, guests: Int? = nil) {
    var r = Generator(state: seed)
    let major = r.chance(50) ? 9 : 8
    var b = TestCluster.planner(major: major)
    let nodeCount = nodes ?? r.int(2...7)
    var cores: [String: Int] = [:]
    for i in 1...nodeCount {
      let name = "pve\(i)"
      let c = r.pick([4, 4, 8, 8, 16, 32])
      cores[name] = c
      b.addNode(
        name, cores: c, memoryGiB: Int64(r.pick([16, 32, 32, 64, 128])),
        localGiB: Int64(r.pick([200, 400, 800, 1600])), online: i == 1 || !r.chance(8))
    }
    b.sharedPool("nfs", totalGiB: Int64(r.pick([300, 1000, 3000])), usedGiB: Int64(r.int(0...200)))
    b.sharedPool("bk", totalGiB: 4000, content: ["backup"])
    let names = b.nodes.map(\.name)
    let guestCount = guests ?? r.int(6...90)
    for i in 0..<guestCount {
      let vmid = 100 + i
      let node = r.pick(names)
      let kind: GuestKind = r.chance(55) ? .lxc : .qemu
      let maxCores = cores[node] ?? 4
      let vcpus = min(r.pick([1, 1, 2, 2, 4, 8]), maxCores)
      let memory = Double(r.pick([1, 1, 2, 4, 8])) / (r.chance(30) ? 2 : 1)
      let local = r.chance(60)
      let size = Int64(r.pick([4, 8, 32, 64, 120]))
      var disks = [(kind == .qemu ? "scsi0" : "rootfs", local ? "local-lvm" : "nfs", size)]
      if r.chance(10) {
        disks.append((kind == .qemu ? "scsi1" : "mp0", "nfs", Int64(r.pick([50, 200]))))
      }
      b.addGuest(
        kind, vmid, on: node, vcpus: vcpus, memoryGiB: memory, disks: disks,
        running: r.chance(80), onboot: r.chance(30), name: "g\(vmid)",
        tags: r.chance(15) ? ["critical"] : [])
      if r.chance(12) { b.addHA(b.guests[b.guests.count - 1].sid) }
    }
    if r.chance(30) {
      let job = BackupJob(
        id: "pinned", enabled: true, all: true, vmids: [], exclude: [], pool: nil,
        node: names[0], storage: "bk", schedule: "21:00", mode: "snapshot", compress: "zstd",
        pruneBackups: [:], comment: nil)
      b.backupJobs = [job]
    }
    cluster = b.cluster

    var p = Policy(name: "random")
    p.critical = [CriticalEntry(selector: GuestSelector(tag: "critical"), level: .critical)]
    p.capacity.vcpuPerCore = Double(r.pick([2, 3, 4]))
    p.capacity.memoryReserve = Int64(r.pick([2, 4])) * ByteSize.gib
    p.capacity.shareTolerance = Double(r.pick([10, 15, 25])) / 100
    p.migration.maxMoves = 10_000
    p.migration.allowContainerRestart = r.chance(80)
    if r.chance(30) { p.migration.neverMove = [GuestSelector(vmid: 100 + r.int(0...5))] }
    if r.chance(40) { p.actions["node.imbalance"] = .ignore }
    if r.chance(50), guestCount > 4 {
      p.keepApart = [
        KeepApartSet(
          name: "pair", guests: [GuestSelector(vmid: 100), GuestSelector(vmid: 101)])
      ]
    }
    p.ha.spread = r.chance(70)
    policy = p
  }
}
