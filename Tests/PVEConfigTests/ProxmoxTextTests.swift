import Foundation
import PVEConfig
import PVEModel
import Testing

/// Hand-written configs in the form Proxmox writes them: text → model → text gives the same bytes,
/// and `pveshConfig()` is what pvesh prints for them.
@Suite struct ProxmoxTextTests {
  static let vmText = """
    #Production web server%3A nginx + php
    #
    #Owner%3A ops team, 100%25 on call
    agent: 1,fstrim_cloned_disks=1
    boot: order=scsi0;ide2;net0
    cipassword: $5$0123456789abcdef$hash
    ciuser: debian
    cores: 4
    cpu: x86-64-v2-AES
    ide0: local-lvm:vm-101-cloudinit,media=cdrom
    ide2: none,media=cdrom
    ipconfig0: ip=dhcp
    memory: 4096
    meta: creation-qemu=9.0.2,ctime=1718000000
    name: web01
    net0: virtio=BC:24:11:AA:BB:CC,bridge=vmbr0,firewall=1
    numa: 0
    onboot: 1
    ostype: l26
    parent: daily
    scsi0: local-lvm:vm-101-disk-0,discard=on,iothread=1,size=32G
    scsihw: virtio-scsi-single
    smbios1: uuid=3f1c2b7e-8a9d-4c1e-9b2f-6d5e4c3b2a10
    sockets: 1
    tags: prod;web
    unused0: local-lvm:vm-101-disk-1
    vmgenid: 0ed487b1-b735-4847-a8df-28cdb7d2bea7

    [PENDING]
    cores: 8
    delete: tags,!unused0;numa
    memory: 8192
    net1: virtio=BC:24:11:AA:BB:CD,bridge=vmbr1

    [special:cloudinit]
    cipassword: $5$0123456789abcdef$hash
    ciuser: debian
    ipconfig0: ip=dhcp
    name: web01

    [before-upgrade]
    #Before the Debian 13 upgrade
    boot: order=scsi0;ide2;net0
    cores: 4
    memory: 4096
    name: web01
    net0: virtio=BC:24:11:AA:BB:CC,bridge=vmbr0,firewall=1
    ostype: l26
    runningcpu: kvm64,enforce,+kvm_pv_eoi,+kvm_pv_unhalt,+lahf_lm,+sep
    runningmachine: pc-i440fx-9.0+pve0
    scsi0: local-lvm:vm-101-disk-0,discard=on,iothread=1,size=32G
    snaptime: 1718100000
    sockets: 1
    vmstate: local-lvm:vm-101-state-before-upgrade

    [daily]
    boot: order=scsi0;ide2;net0
    cores: 4
    memory: 4096
    name: web01
    net0: virtio=BC:24:11:AA:BB:CC,bridge=vmbr0,firewall=1
    ostype: l26
    parent: before-upgrade
    scsi0: local-lvm:vm-101-disk-0,discard=on,iothread=1,size=32G
    snaptime: 1718200000
    sockets: 1

    """

  static let vmFile = "/etc/pve/nodes/pve1/qemu-server/101.conf"

  @Test func vmTextModelText() throws {
    let file = try GuestConfigFile.parse(Data(Self.vmText.utf8), kind: .qemu, file: Self.vmFile)
    #expect(file.warnings.isEmpty, "\(file.warnings)")
    #expect(String(decoding: file.raw(), as: UTF8.self) == Self.vmText)
    #expect(file.snapshots.keys.sorted() == ["before-upgrade", "daily"])
    #expect(file.snapshots["daily"]?.values["parent"] == .string("before-upgrade"))
    #expect(file.snapshots["daily"]?.values["snaptime"] == .int(1_718_200_000))
    #expect(file.snapshots["before-upgrade"]?.description == "Before the Debian 13 upgrade")
    #expect(
      file.snapshots["before-upgrade"]?.values["vmstate"]
        == .string("local-lvm:vm-101-state-before-upgrade"))
    #expect(file.special["cloudinit"]?.values["name"] == .string("web01"))
    #expect(file.pending?.values["delete"] == .string("tags,!unused0;numa"))
  }

  @Test func vmPveshConfig() throws {
    let file = try GuestConfigFile.parse(Data(Self.vmText.utf8), kind: .qemu, file: Self.vmFile)
    let c = file.pveshConfig()
    // Pending values applied; deleted keys gone, except `numa: 0`: Perl's `delete ... if $conf->{$opt}`.
    #expect(c["cores"] == .int(8))
    #expect(c["memory"] == .string("8192"))
    #expect(c["net1"] == .string("virtio=BC:24:11:AA:BB:CD,bridge=vmbr1"))
    #expect(c["tags"] == nil)
    #expect(c["unused0"] == nil)
    #expect(c["numa"] == .int(0))
    #expect(c["delete"] == nil)
    // Typing: booleans and integers are numbers, the rest strings.
    #expect(c["onboot"] == .int(1))
    #expect(c["sockets"] == .int(1))
    #expect(c["agent"] == .string("1,fstrim_cloned_disks=1"))
    #expect(c["parent"] == .string("daily"))
    // Description decoded, password hidden, digest of the bytes, no snapshot or special values.
    #expect(
      c["description"]
        == .string("Production web server: nginx + php\n\nOwner: ops team, 100% on call"))
    #expect(c["cipassword"] == .string("**********"))
    #expect(c["digest"] == .string(RoundTripTests.sha1(Self.vmText)))
    #expect(c["snaptime"] == nil && c["vmstate"] == nil && c["runningmachine"] == nil)
    #expect(Set(c.keys).count == 25)
  }

  static let ctText = """
    #Pi-hole DNS
    #  second line, with %25 and %3A
    arch: amd64
    cores: 2
    cpulimit: 1.5
    features: nesting=1,keyctl=1
    hostname: pihole
    memory: 1024
    mp0: local-lvm:vm-105-disk-1,mp=/srv/data,backup=1,size=16G
    mp1: /mnt/bulk,mp=/bulk
    net0: name=eth0,bridge=vmbr0,firewall=1,hwaddr=BC:24:11:5A:1E:3F,ip=dhcp,type=veth
    onboot: 1
    ostype: debian
    parent: pre-update
    rootfs: local-lvm:vm-105-disk-0,size=8G
    swap: 512
    tags: dns
    unprivileged: 1
    lxc.cgroup2.devices.allow: c 188:* rwm
    lxc.mount.entry: /dev/ttyUSB0 dev/ttyUSB0 none bind,optional,create=file

    [pve:pending]
    delete: tags,!mp1
    memory: 2048

    [pre-update]
    #Pi-hole DNS
    arch: amd64
    cores: 2
    hostname: pihole
    memory: 1024
    net0: name=eth0,bridge=vmbr0,firewall=1,hwaddr=BC:24:11:5A:1E:3F,ip=dhcp,type=veth
    ostype: debian
    rootfs: local-lvm:vm-105-disk-0,size=8G
    snaptime: 1718000000
    swap: 512
    unprivileged: 1
    lxc.cgroup2.devices.allow: c 188:* rwm

    """

  static let ctFile = "/etc/pve/nodes/pve2/lxc/105.conf"

  @Test func containerTextModelText() throws {
    let file = try GuestConfigFile.parse(Data(Self.ctText.utf8), kind: .lxc, file: Self.ctFile)
    #expect(file.warnings.isEmpty, "\(file.warnings)")
    #expect(String(decoding: file.raw(), as: UTF8.self) == Self.ctText)
    #expect(file.snapshots["pre-update"]?.values["snaptime"] == .int(1_718_000_000))
    #expect(file.snapshots["pre-update"]?.lxc.count == 1)
    #expect(file.snapshots["pre-update"]?.description == "Pi-hole DNS\n")
  }

  @Test func containerPveshConfig() throws {
    let file = try GuestConfigFile.parse(Data(Self.ctText.utf8), kind: .lxc, file: Self.ctFile)
    let c = file.pveshConfig()
    #expect(c["memory"] == .int(2048))
    #expect(c["tags"] == nil && c["mp1"] == nil)
    #expect(c["unprivileged"] == .int(1) && c["swap"] == .int(512) && c["cores"] == .int(2))
    #expect(c["features"] == .string("nesting=1,keyctl=1"))
    // `number` values stay text (check_type returns them unchanged).
    #expect(c["cpulimit"] == .string("1.5"))
    // Container descriptions keep the newline of every `#` line.
    #expect(c["description"] == .string("Pi-hole DNS\n  second line, with % and :\n"))
    #expect(
      c["lxc"]
        == .array([
          .array([.string("lxc.cgroup2.devices.allow"), .string("c 188:* rwm")]),
          .array([
            .string("lxc.mount.entry"),
            .string("/dev/ttyUSB0 dev/ttyUSB0 none bind,optional,create=file"),
          ]),
        ]))
    #expect(c["digest"] == .string(RoundTripTests.sha1(Self.ctText)))
    #expect(c["snaptime"] == nil)
  }

  /// `render` writes what `write_vm_config` writes for the main section.
  @Test func renderMatchesTheWriter() {
    let text = GuestConfigFile.render(
      [
        "name": .string("web01"), "cores": .int(2), "onboot": .int(1), "memory": .string("2048"),
        "description": .string("line one\nline: two"), "digest": .string("ignored"),
        "sockets": .null,
      ], kind: .qemu)
    #expect(text == "#line one\n#line%3A two\ncores: 2\nmemory: 2048\nname: web01\nonboot: 1\n")
  }

  @Test func renderContainer() throws {
    let config: [String: JSONValue] = [
      "hostname": .string("ct"), "memory": .int(512), "env": .string("A=1\u{0}B=2"),
      "lxc": .array([.array([.string("lxc.apparmor.profile"), .string("unconfined")])]),
      "description": .string(" leading blank, no newline at the end "),
    ]
    let text = GuestConfigFile.render(config, kind: .lxc)
    #expect(
      text == """
        description: %20leading blank, no newline at the end%20
        hostname: ct
        memory: 512
        lxc.environment.runtime: A=1
        lxc.environment.runtime: B=2
        lxc.apparmor.profile: unconfined

        """)
    var back = try GuestConfigFile.parse(Data(text.utf8), kind: .lxc, file: "105.conf")
      .pveshConfig()
    back["digest"] = nil
    #expect(back == config)
  }

  /// A pending description set to nothing is written as a bare `#` and read back as "".
  @Test func pendingEmptyDescription() throws {
    let text = "name: a\n\n[PENDING]\n#\n"
    let file = try GuestConfigFile.parse(Data(text.utf8), kind: .qemu, file: "101.conf")
    #expect(file.pending?.description == "")
    #expect(file.pveshConfig()["description"] == .string(""))
    #expect(String(decoding: file.raw(), as: UTF8.self) == text)
  }

  /// The writer's own fix-ups: `cdrom` → `ide2`, `smp` → `sockets`, unused volumes still in use.
  @Test func writerFixups() throws {
    var file = GuestConfigFile(kind: .qemu, file: "101.conf")
    file.main.values = [
      "cdrom": .string("none,media=cdrom"), "smp": .int(4), "cores": .int(2),
      "scsi0": .string("local-lvm:vm-101-disk-0,size=8G"),
      "unused0": .string("local-lvm:vm-101-disk-0"), "unused1": .string("local-lvm:vm-101-disk-9"),
    ]
    #expect(
      String(decoding: file.raw(), as: UTF8.self)
        == "ide2: none,media=cdrom\nscsi0: local-lvm:vm-101-disk-0,size=8G\nsockets: 4\n"
        + "unused1: local-lvm:vm-101-disk-9\n")
  }

  /// `[special:cloudinit]` is written only while a cloud-init drive exists.
  @Test func cloudinitSectionNeedsADrive() throws {
    let text = "ide2: local-lvm:vm-101-cloudinit,media=cdrom\n\n[special:cloudinit]\nname: a\n"
    let file = try GuestConfigFile.parse(Data(text.utf8), kind: .qemu, file: "101.conf")
    #expect(String(decoding: file.raw(), as: UTF8.self) == text)
    var without = file
    without.main.values["ide2"] = .string("none,media=cdrom")
    #expect(String(decoding: without.raw(), as: UTF8.self) == "ide2: none,media=cdrom\n")
  }

  @Test func paths() {
    #expect(
      GuestConfigPath.file(node: "pve1", kind: .qemu, vmid: 101)
        == "/etc/pve/nodes/pve1/qemu-server/101.conf")
    #expect(
      GuestConfigPath.file(node: "pve2", kind: .lxc, vmid: 105)
        == "/etc/pve/nodes/pve2/lxc/105.conf")
    let p = GuestConfigPath.parse("/etc/pve/nodes/pve2/lxc/105.conf")
    #expect(p?.node == "pve2" && p?.kind == .lxc && p?.vmid == 105)
    let q = GuestConfigPath.parse("nodes/pve1/qemu-server/101.conf")
    #expect(q?.node == "pve1" && q?.kind == .qemu && q?.vmid == 101)
    for bad in [
      "/etc/pve/nodes/pve1/qemu-server/101.conf.tmp", "/etc/pve/nodes/pve1/openvz/101.conf",
      "/etc/pve/nodes//lxc/101.conf", "/etc/pve/nodes/pve1/lxc/abc.conf",
      "/etc/pve/nodes/pve1/lxc/0101.conf", "/etc/pve/qemu-server/101.conf", "",
    ] {
      #expect(GuestConfigPath.parse(bad) == nil, "\(bad)")
    }
  }
}
