import Foundation
import PVEModel
import Testing

/// Proxmox's real quirks: 0/1 booleans, numbers as strings, absent fields, unordered lists, sizes,
/// property strings, and shared storage listed once per node.
@Suite struct QuirksTests {
  @Test func booleansAreZeroOrOne() throws {
    let cluster = try MiniSnapshot().cluster()
    #expect(cluster.quorum.quorate)
    #expect(cluster.guest(vmid: 100)?.onboot == true)
    #expect(cluster.guest(vmid: 101)?.onboot == false)
    #expect(cluster.guest(vmid: 101)?.template == false)
    #expect(cluster.storage("nas")?.shared == true)
    #expect(cluster.storage("local-lvm")?.shared == false)
    #expect(JSONValue.int(1).boolValue == true && JSONValue.int(0).boolValue == false)
    #expect(JSONValue.string("1").boolValue == true && JSONValue.bool(false).boolValue == false)
    #expect(JSONValue.string("maybe").boolValue == nil)
  }

  @Test func numbersMayArriveAsStrings() throws {
    var mini = MiniSnapshot()
    #expect(try mini.cluster().guest(vmid: 101)?.memory == 8 * ByteSize.gib)
    mini.edit("/nodes/pve1/qemu/101/config") { $0["memory"] = .int(4096) }
    #expect(try mini.cluster().guest(vmid: 101)?.memory == 4 * ByteSize.gib)
    mini.edit("/nodes/pve1/qemu/101/config") { $0["memory"] = .string("current=2048") }
    #expect(try mini.cluster().guest(vmid: 101)?.memory == 2 * ByteSize.gib)
    mini.edit("/nodes/pve1/qemu/101/config") {
      $0["cores"] = .string("3")
      $0["sockets"] = .string("1")
    }
    mini.edit("/cluster/status", id: "cluster") { $0["version"] = .string("7") }
    mini.edit("/nodes/pve1/status") { $0["cpu"] = .string("0.25") }
    let cluster = try mini.cluster()
    #expect(cluster.guest(vmid: 101)?.vcpus == 3)
    #expect(cluster.quorum.configVersion == 7)
    #expect(cluster.node("pve1")?.cpuUsage == 0.25)
    #expect(JSONValue.string(" 8192 ").intValue == 8192)
    #expect(JSONValue.double(8192.0).intValue == 8192)
    #expect(JSONValue.string("8G").intValue == nil)
  }

  @Test func vcpusAreSocketsTimesCoresForVMs() throws {
    let cluster = try MiniSnapshot().cluster()
    #expect(cluster.guest(vmid: 101)?.vcpus == 4)
    #expect(cluster.guest(vmid: 100)?.vcpus == 2)
  }

  @Test func absentFieldsTakeProxmoxDefaults() throws {
    var mini = MiniSnapshot()
    mini.edit("/nodes/pve1/qemu/101/config") {
      $0["memory"] = nil
      $0["cores"] = nil
      $0["sockets"] = nil
      $0["onboot"] = nil
    }
    mini.edit("/nodes/pve1/lxc/100/config") { $0["cores"] = nil }
    mini.edit("/cluster/resources", id: "lxc/100") {
      $0["maxcpu"] = nil
      $0["hastate"] = nil
      $0["tags"] = nil
    }
    let cluster = try mini.cluster()
    let vm = try #require(cluster.guest(vmid: 101))
    #expect(vm.vcpus == 1 && vm.memory == 512 * ByteSize.mib && !vm.onboot)
    #expect(vm.haState == nil && vm.pool == nil && vm.lock == nil)
    let ct = try #require(cluster.guest(vmid: 100))
    // A container without `cores` may use every CPU of its node.
    #expect(ct.vcpus == 8)
    // hastate comes from /cluster/ha/status/current when /cluster/resources lacks it.
    #expect(ct.haState == "started" && ct.isHAManaged)
    // Tags come from the config when /cluster/resources lacks them.
    #expect(ct.tags == ["critical", "web"])
    let ha = try #require(cluster.haResource("ct:100"))
    #expect(ha.maxRestart == 1 && ha.maxRelocate == 1 && ha.group == nil && ha.failback == nil)
  }

  @Test func ignoredHAResourcesAreNotManaged() throws {
    var mini = MiniSnapshot()
    mini.edit("/cluster/resources", id: "lxc/100") { $0["hastate"] = .string("ignored") }
    let guest = try #require(try mini.cluster().guest(vmid: 100))
    #expect(guest.haState == "ignored")
    #expect(!guest.isHAManaged)
  }

  @Test func listOrderDoesNotMatter() throws {
    let mini = MiniSnapshot()
    var reversed = mini
    for path in ["/cluster/resources", "/cluster/status", "/cluster/ha/status/current", "/storage"]
    {
      if case .array(let items) = reversed.api[path] {
        reversed.api[path] = .array(items.reversed())
      }
    }
    #expect(try mini.cluster() == reversed.cluster())
    // Node lists of groups and rules are sets: Proxmox reorders them on write.
    #expect(
      NodePriority.parseList("pve2:1,pve1:2,pve3") == NodePriority.parseList("pve3,pve1:2,pve2:1"))
    #expect(NodePriority.parseList("pve1:2,pve3").map(\.text) == ["pve1:2", "pve3"])
    #expect(Cluster.list("rootdir,images, backup") == ["backup", "images", "rootdir"])
  }

  static let sizeCases: [(String, Int64)] = [
    ("32G", 34_359_738_368), ("3325654K", 3_405_469_696), ("4M", 4_194_304), ("528K", 540_672),
    ("1T", 1_099_511_627_776), ("1073741824", 1_073_741_824), ("1.5G", 1_610_612_736),
    ("8GiB", 8_589_934_592), ("512m", 536_870_912),
  ]

  @Test(arguments: sizeCases)
  func sizes(text: String, bytes: Int64) {
    #expect(ByteSize.parse(text) == bytes)
  }

  @Test(arguments: ["", "G", "abc", "12X", "-4G", "1,5G"])
  func notSizes(text: String) {
    #expect(ByteSize.parse(text) == nil)
  }

  @Test func disksOfAConfig() throws {
    let cluster = try MiniSnapshot().cluster()
    let ct = try #require(cluster.guest(vmid: 100))
    #expect(ct.disks.map(\.key) == ["mp0", "rootfs"])
    #expect(ct.disks.map(\.storage) == ["nas", "local-lvm"])
    #expect(ct.disks.map(\.size) == [3_325_654 * 1024, 8 * ByteSize.gib])
    let vm = try #require(cluster.guest(vmid: 101))
    // The CD-ROM is not a disk; the unused volume is, with no size.
    #expect(vm.disks.map(\.key) == ["efidisk0", "scsi0", "unused0"])
    #expect(vm.disks.first { $0.isUnused }?.size == 0)
    #expect(vm.disks.first { $0.key == "efidisk0" }?.size == 4 * ByteSize.mib)
  }

  @Test func volumeKeysBindMountsAndPassthrough() {
    let config: [String: JSONValue] = [
      "rootfs": .string("volume=local-zfs:subvol-120-disk-0,size=8G"),
      "mp0": .string("/mnt/media,mp=/media,ro=1"),
      "mp1": .string("mp=/srv,volume=nas:120/vm-120-disk-1.raw,size=16G"),
      "unused0": .string("local-zfs:subvol-120-disk-2"),
      "dev0": .string("/dev/ttyUSB0,mode=0666"),
      "hostname": .string("x"),
    ]
    let disks = Cluster.disks(kind: .lxc, config: config)
    #expect(disks.map(\.key) == ["mp0", "mp1", "rootfs", "unused0"])
    #expect(disks.map(\.storage) == [nil, "nas", "local-zfs", "local-zfs"])
    #expect(disks.map(\.volid)[1] == "nas:120/vm-120-disk-1.raw")
    let vm: [String: JSONValue] = [
      "scsi0": .string("file=ceph-vm:vm-130-disk-0,iothread=1,size=32G"),
      "ide2": .string("local-lvm:vm-130-cloudinit,media=cdrom"),
      "ide0": .string("none,media=cdrom"),
      "sata0": .string("/dev/disk/by-id/ata-WDC_WD40EFRX,size=3907018584K"),
      "scsihw": .string("virtio-scsi-single"),
      "virtiofs0": .string("share,cache=auto"),
    ]
    let vmDisks = Cluster.disks(kind: .qemu, config: vm)
    #expect(vmDisks.map(\.key) == ["sata0", "scsi0"])
    #expect(vmDisks.map(\.storage) == [nil, "ceph-vm"])
    #expect(vmDisks[0].size == 3_907_018_584 * 1024)
  }

  @Test func sharedStorageCountsOnceInTheReferenceCluster() throws {
    let cluster = try Loading.cluster("homelab-cluster.json")
    let total = cluster.storages.reduce(Int64(0)) { $0 + $1.total }
    let used = cluster.storages.reduce(Int64(0)) { $0 + $1.used }
    // 4.42 TB and 0.846 TB, not the seed report's 9.45 TB / 2.31 TB.
    #expect(total == 4_420_000_000_000)
    #expect(used == 846_000_000_000)
    #expect(ByteSize.decimal(total) == "4.42 TB")
    #expect(ByteSize.decimal(used) == "846 GB")
    // /cluster/resources lists each NFS pool once per node: summing those entries is the mistake.
    let snapshot = try Loading.example("homelab-cluster.json")
    let entries = snapshot.api["/cluster/resources"]?.arrayValue?.filter {
      $0["type"]?.stringValue == "storage"
    }
    #expect(entries?.count == 9)
    let naive = entries?.reduce(Int64(0)) { $0 + ($1["maxdisk"]?.intValue ?? 0) }
    #expect(naive == 9_298_000_000_000)
    #expect(cluster.storage("TrueNas_NVMe")?.perNode.count == 3)
  }

  @Test func sharedFlagFromTheDefinitionOrTheNode() throws {
    var mini = MiniSnapshot()
    // A dir storage is shared only when the definition says so.
    mini.append("/storage", ["storage": .string("san"), "type": .string("lvm"), "shared": .int(1)])
    let cluster = try mini.cluster()
    #expect(cluster.storage("san")?.shared == true)
    #expect(cluster.storage("san")?.perNode.isEmpty == true)
  }

  @Test func optionsPropertyStringsAreFlattened() throws {
    var mini = MiniSnapshot()
    mini.api["/cluster/options"] = .object([
      "keyboard": .string("de"),
      "crs": .object(["ha": .string("static"), "ha-rebalance-on-start": .int(1)]),
    ])
    let options = try mini.cluster().options
    #expect(options["keyboard"] == "de")
    #expect(options["crs"] == "ha=static,ha-rebalance-on-start=1")
  }

  @Test func versions() {
    #expect(
      PVEVersion(parsing: "pve-manager/8.4.14/b502d23c55afcba1")
        == PVEVersion(major: 8, minor: 4, patch: 14))
    #expect(
      PVEVersion(parsing: "pve-manager/7.4-3/9002ab8a") == PVEVersion(major: 7, minor: 4, patch: 3))
    #expect(PVEVersion(parsing: "9.1") == PVEVersion(major: 9, minor: 1, patch: 0))
    #expect(PVEVersion(parsing: "garbage") == nil)
  }

  @Test func backupJobQuirks() throws {
    var mini = MiniSnapshot()
    mini.api["/cluster/backup"] = .array([
      .object([
        "id": .string("a"), "type": .string("vzdump"), "exclude": .string("101"),
        "prune-backups": .object(["keep-last": .int(3), "keep-daily": .string("7")]),
        "enabled": .int(1), "schedule": .string("21:00"), "storage": .string("nas"),
      ]),
      .object(["id": .string("b"), "type": .string("vzdump"), "vmid": .string("100, 101")]),
      .object(["id": .string("sync"), "type": .string("realm-sync")]),
    ])
    let cluster = try mini.cluster()
    #expect(cluster.backupJobs.map(\.id) == ["a", "b"])
    let a = cluster.backupJobs[0]
    // `exclude` without `pool` implies `all`; prune values may be numbers or strings.
    #expect(a.all && a.exclude == [101])
    #expect(a.pruneBackups == ["keep-daily": "7", "keep-last": "3"])
    #expect(cluster.backupJobs[1].vmids == [100, 101] && cluster.backupJobs[1].enabled)
  }
}
