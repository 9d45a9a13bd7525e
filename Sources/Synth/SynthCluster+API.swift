import PVEModel

/// The synthetic cluster written as the responses `pvesh get <path> --output-format json` prints.
extension SynthCluster {
  private typealias J = JSONValue

  var pveVersion: String { pveMajor >= 9 ? "9.1.7" : "8.4.14" }
  var repoid: String { pveMajor >= 9 ? "7f3c0e1a9b2d4c58" : "b502d23c55afcba1" }
  var kernel: String { pveMajor >= 9 ? "6.17.2-1-pve" : "6.8.12-15-pve" }

  /// Every API path of the snapshot.
  func api() -> [String: JSONValue] {
    var api: [String: JSONValue] = [:]
    api["/version"] = .object([
      "release": .text(pveMajor >= 9 ? "9.1" : "8.4"), "repoid": .text(repoid),
      "version": .text(pveVersion),
    ])
    api["/cluster/status"] = clusterStatus()
    api["/cluster/resources"] = resources()
    api["/cluster/ha/resources"] = haResources()
    api["/cluster/ha/status/current"] = haStatus()
    if pveMajor >= 9 {
      api["/cluster/ha/rules"] = haRules()
    } else {
      api["/cluster/ha/groups"] = haGroups()
    }
    api["/cluster/backup"] = backupJobs()
    api["/storage"] = storageConfig()
    api["/cluster/options"] = .object([
      "keyboard": .text("en-us"), "console": .text("xtermjs"),
      "crs": .object(["ha": .text("static")]),
    ])
    for n in nodes {
      api["/nodes/\(n.name)/status"] = nodeStatus(n)
      api["/nodes/\(n.name)/storage"] = nodeStorage(n)
    }
    for g in guests {
      api["/nodes/\(nodes[g.node].name)/\(g.kind.rawValue)/\(g.vmid)/config"] = config(g)
    }
    for read in Snapshot.backupContentReads(storage: api["/storage"], online: nodes.map(\.name)) {
      api[read.path] = backupContent(read)
    }
    return api
  }

  // MARK: Cluster

  private func clusterStatus() -> JSONValue {
    var out: [JSONValue] = [
      .object([
        "id": .text("cluster"), "name": .text(name), "nodes": .num(nodes.count),
        "quorate": .flag(true), "type": .text("cluster"), "version": .num(3 + nodes.count * 2),
      ])
    ]
    for n in nodes {
      out.append(
        .object([
          "id": .text("node/\(n.name)"), "ip": .text(n.ip), "level": .text(""),
          "local": .flag(n.nodeid == 1), "name": .text(n.name), "nodeid": .num(n.nodeid),
          "online": .flag(true), "type": .text("node"),
        ]))
    }
    return .array(out)
  }

  private func resources() -> JSONValue {
    var out: [JSONValue] = []
    out.reserveCapacity(guests.count + nodes.count * 6 + 3)
    for g in guests {
      let node = nodes[g.node]
      let maxmem = g.memoryMiB * ByteSize.mib
      var e: [String: JSONValue] = [
        "id": .text("\(g.kind.rawValue)/\(g.vmid)"), "vmid": .num(g.vmid), "node": .text(node.name),
        "type": .text(g.kind.rawValue), "name": .text(g.name),
        "status": .text(g.running ? "running" : "stopped"), "template": .flag(g.template),
        "maxcpu": .num(g.vcpus), "maxmem": .num(maxmem), "maxdisk": .num(g.maxdisk),
        "cpu": g.running ? .fraction(g.cpu * Double(g.vcpus)) : .num(0),
        "mem": .num(g.running ? Int64(Double(maxmem) * g.memoryFraction) / 4096 * 4096 : 0),
        "disk": .num(g.kind == .lxc && g.running ? g.maxdisk / 10 * 3 : 0),
        "netin": .num(g.running ? g.vmid * 7919 % 900_000_000 : 0),
        "netout": .num(g.running ? g.vmid * 6007 % 400_000_000 : 0),
        "diskread": .num(g.running ? g.vmid * 104_729 % 2_000_000_000 : 0),
        "diskwrite": .num(g.running ? g.vmid * 130_003 % 3_000_000_000 : 0),
        "uptime": .num(g.running ? max(60, node.uptime - Int64(g.vmid % 5000)) : 0),
      ]
      if !g.tags.isEmpty { e["tags"] = .text(g.tags.joined(separator: ";")) }
      if let lock = g.lock { e["lock"] = .text(lock) }
      if let pool = g.pool { e["pool"] = .text(pool) }
      if let ha = g.ha { e["hastate"] = .text(ha.state) }
      out.append(.object(e))
    }
    for n in nodes {
      out.append(
        .object([
          "id": .text("node/\(n.name)"), "node": .text(n.name), "type": .text("node"),
          "status": .text("online"), "level": .text(""), "cgroup-mode": .num(2),
          "maxcpu": .num(n.profile.cpus), "maxmem": .num(n.memoryTotal),
          "maxdisk": .num(100_861_726_720), "cpu": .fraction(n.cpuUsage),
          "mem": .num(n.memoryUsed), "disk": .num(11_811_160_064 + Int64(n.nodeid) * 7_340_033),
          "uptime": .num(n.uptime), "hastate": .text("online"),
        ]))
      for s in storages(on: n) {
        out.append(
          .object([
            "id": .text("storage/\(n.name)/\(s.id)"), "storage": .text(s.id),
            "node": .text(n.name), "type": .text("storage"), "plugintype": .text(s.type),
            "shared": .flag(s.shared), "content": .text(s.content), "status": .text("available"),
            "maxdisk": .num(s.total), "disk": .num(s.used),
          ]))
      }
    }
    for p in Self.pools {
      out.append(.object(["id": .text("/pool/\(p)"), "pool": .text(p), "type": .text("pool")]))
    }
    return .array(out)
  }

  // MARK: Nodes

  private func nodeStatus(_ n: SynthNode) -> JSONValue {
    let free = n.memoryTotal - n.memoryUsed
    let load = n.cpuUsage * Double(n.profile.cpus)
    let loadavg = [1.0, 0.93, 0.9].map { J.text(String(format2(load * $0))) }
    let release = kernel
    let build =
      "#1 SMP PREEMPT_DYNAMIC PMX \(release.hasSuffix("-pve") ? String(release.dropLast(4)) : release)"
    return .object([
      "boot-info": .object(["mode": .text("efi"), "secureboot": .num(0)]),
      "cpu": .fraction(n.cpuUsage),
      "cpuinfo": .object([
        "cores": .num(n.profile.cores), "cpus": .num(n.profile.cpus), "hvm": .text("1"),
        "mhz": .text(n.profile.mhz), "model": .text(n.profile.model), "sockets": .num(1),
        "user_hz": .num(100), "flags": .text("fpu vme de pse tsc msr pae mce cx8 apic sep"),
      ]),
      "current-kernel": .object([
        "machine": .text("x86_64"), "release": .text(release), "sysname": .text("Linux"),
        "version": .text(build),
      ]),
      "idle": .num(0), "ksm": .object(["shared": .num(0)]),
      "kversion": .text("Linux \(release) \(build)"),
      "loadavg": .array(loadavg),
      "memory": .object([
        "total": .num(n.memoryTotal), "used": .num(n.memoryUsed), "free": .num(free),
        "available": .num(free + n.memoryTotal / 20),
      ]),
      "pveversion": .text("pve-manager/\(pveVersion)/\(repoid)"),
      "rootfs": .object([
        "total": .num(100_861_726_720), "used": .num(11_811_160_064),
        "avail": .num(89_050_566_656), "free": .num(89_050_566_656),
      ]),
      "swap": .object(["total": .num(8_589_930_496), "used": .num(0), "free": .num(8_589_930_496)]),
      "uptime": .num(n.uptime), "wait": .fraction(0.0012),
    ])
  }

  /// Two decimals, as `/proc/loadavg` prints them.
  private func format2(_ value: Double) -> String {
    let hundredths = Int((value * 100).rounded())
    let frac = hundredths % 100
    return "\(hundredths / 100).\(frac < 10 ? "0" : "")\(frac)"
  }

  // MARK: Storage

  /// A storage pool as one node sees it.
  struct PoolView {
    var id: String
    var type: String
    var content: String
    var shared: Bool
    var total: Int64
    var used: Int64
  }

  func storages(on n: SynthNode) -> [PoolView] {
    var out = [
      PoolView(
        id: "local", type: "dir", content: "iso,vztmpl,backup", shared: false,
        total: 100_861_726_720, used: 11_811_160_064),
      PoolView(
        id: localPool, type: pveMajor >= 9 ? "zfspool" : "lvmthin", content: "images,rootdir",
        shared: false, total: n.profile.localStorage,
        used: min(n.localUsed, n.profile.localStorage / 100 * 95)),
      sharedPool("nas", type: "nfs", content: "images,iso,rootdir", total: 48_000_000_000_000),
      sharedPool("pbs", type: "pbs", content: "backup", total: 64_000_000_000_000),
    ]
    if hasCeph {
      out.insert(
        sharedPool(
          "ceph-vm", type: "rbd", content: "images,rootdir",
          total: Int64(nodes.count) * 7_681_511_964_672 / 3),
        at: 0)
    }
    return out
  }

  private func sharedPool(_ id: String, type: String, content: String, total: Int64) -> PoolView {
    // Grow the pool when the guests would not fit, as an operator would have.
    let used = sharedUsed[id] ?? (id == "pbs" ? total / 3 : 0)
    let size = max(total, used / 7 * 10)
    return PoolView(id: id, type: type, content: content, shared: true, total: size, used: used)
  }

  private func nodeStorage(_ n: SynthNode) -> JSONValue {
    .array(
      storages(on: n).map { s in
        var e: [String: JSONValue] = [
          "storage": .text(s.id), "type": .text(s.type), "content": .text(s.content),
          "shared": .flag(s.shared), "enabled": .flag(true), "active": .flag(true),
          "total": .num(s.total), "used": .num(s.used), "avail": .num(s.total - s.used),
        ]
        if s.total > 0 { e["used_fraction"] = .fraction(Double(s.used) / Double(s.total)) }
        return .object(e)
      })
  }

  private func storageConfig() -> JSONValue {
    var rng = SplitMix64(seed: seed ^ 0x5354_4F52_4147_4543)
    let digest = J.text(rng.hex(40))
    var out: [JSONValue] = []
    if hasCeph {
      out.append(
        .object([
          "storage": .text("ceph-vm"), "type": .text("rbd"), "content": .text("images,rootdir"),
          "pool": .text("vm-pool"), "krbd": .num(0), "shared": .flag(true), "digest": digest,
        ]))
    }
    out.append(
      .object([
        "storage": .text("local"), "type": .text("dir"), "content": .text("iso,vztmpl,backup"),
        "path": .text("/var/lib/vz"), "digest": digest,
      ]))
    if pveMajor >= 9 {
      out.append(
        .object([
          "storage": .text("local-zfs"), "type": .text("zfspool"),
          "content": .text("images,rootdir"), "pool": .text("rpool/data"), "sparse": .num(1),
          "digest": digest,
        ]))
    } else {
      out.append(
        .object([
          "storage": .text("local-lvm"), "type": .text("lvmthin"),
          "content": .text("rootdir,images"), "thinpool": .text("data"), "vgname": .text("pve"),
          "digest": digest,
        ]))
    }
    out.append(
      .object([
        "storage": .text("nas"), "type": .text("nfs"), "content": .text("images,iso,rootdir"),
        "server": .text("10.20.250.10"), "export": .text("/export/pve"),
        "path": .text("/mnt/pve/nas"), "options": .text("vers=4.2"), "shared": .flag(true),
        "digest": digest,
      ]))
    out.append(
      .object([
        "storage": .text("pbs"), "type": .text("pbs"), "content": .text("backup"),
        "server": .text("10.20.250.20"), "datastore": .text("main"),
        "username": .text("backup@pbs"), "shared": .flag(true), "digest": digest,
      ]))
    return .array(out)
  }

  // MARK: Guests

  private func config(_ g: SynthGuest) -> JSONValue {
    var rng = SplitMix64(seed: seed ^ (UInt64(g.vmid) &* 0x9E37_79B9_7F4A_7C15))
    let digest = rng.hex(40)
    let mac = "BC:24:11:\(rng.hex(2)):\(rng.hex(2)):\(rng.hex(2))".uppercased()
    var c: [String: JSONValue] = ["digest": .text(digest)]
    switch g.kind {
    case .qemu:
      c["name"] = .text(g.name)
      c["memory"] = .text(String(g.memoryMiB))
      c["cores"] = .num(g.cores)
      c["sockets"] = .num(g.sockets)
      c["cpu"] = .text(pveMajor >= 9 ? "host" : "x86-64-v2-AES")
      c["ostype"] = .text("l26")
      c["scsihw"] = .text("virtio-scsi-single")
      c["numa"] = .num(g.sockets > 1 ? 1 : 0)
      c["agent"] = .text("1")
      c["net0"] = .text("virtio=\(mac),bridge=vmbr0,firewall=1")
      c["boot"] = .text("order=scsi0;net0")
      c["smbios1"] = .text("uuid=\(uuid(&rng))")
      c["vmgenid"] = .text(uuid(&rng))
      c["meta"] = .text(
        "creation-qemu=\(pveMajor >= 9 ? "10.0.2" : "8.1.5"),ctime=\(1_700_000_000 + g.vmid % 60_000_000)"
      )
      if g.template { c["template"] = .num(1) }
    case .lxc:
      c["hostname"] = .text(g.name)
      c["memory"] = .num(g.memoryMiB)
      c["swap"] = .num(512)
      c["cores"] = .num(g.cores)
      c["arch"] = .text("amd64")
      c["ostype"] = .text("debian")
      c["unprivileged"] = .num(1)
      c["features"] = .text("nesting=1")
      c["net0"] = .text(
        "name=eth0,bridge=vmbr0,firewall=1,hwaddr=\(mac),ip=dhcp,type=veth")
    }
    if g.onboot { c["onboot"] = .num(1) }
    if !g.tags.isEmpty { c["tags"] = .text(g.tags.joined(separator: ";")) }
    if let lock = g.lock { c["lock"] = .text(lock) }
    for v in g.volumes { c[v.key] = .text(v.value) }
    return .object(c)
  }

  private func uuid(_ rng: inout SplitMix64) -> String {
    let h = rng.hex(32)
    let chars = Array(h)
    func part(_ a: Int, _ b: Int) -> String { String(chars[a..<b]) }
    return "\(part(0, 8))-\(part(8, 12))-4\(part(13, 16))-a\(part(17, 20))-\(part(20, 32))"
  }

  // MARK: HA

  private func haResources() -> JSONValue {
    var rng = SplitMix64(seed: seed ^ 0x4841_5245_534F_5552)
    let digest = J.text(rng.hex(40))
    var out: [JSONValue] = []
    for g in guests {
      guard let ha = g.ha else { continue }
      var e: [String: JSONValue] = [
        "sid": .text(g.sid), "type": .text(g.kind.haType), "digest": digest,
        "state": .text(ha.state),
      ]
      if let group = ha.group { e["group"] = .text(group) }
      if let r = ha.maxRelocate { e["max_relocate"] = .num(r) }
      if let f = ha.failback { e["failback"] = .flag(f) }
      out.append(.object(e))
    }
    return .array(out)
  }

  private func haStatus() -> JSONValue {
    let t0 = Self.epoch
    var out: [JSONValue] = [
      .object([
        "id": .text("quorum"), "node": .text(nodes[0].name), "quorate": .flag(true),
        "status": .text("OK"), "type": .text("quorum"),
      ])
    ]
    let services = guests.filter { $0.ha != nil }.sorted { $0.sid < $1.sid }
    guard !services.isEmpty else { return .array(out) }
    let master = nodes[self.master].name
    out.append(
      .object([
        "id": .text("master"), "node": .text(master),
        "status": .text("\(master) (active, \(Self.ctime(t0 - 3)))"), "timestamp": .num(t0 - 3),
        "type": .text("master"),
      ]))
    let watchdog = pveMajor >= 9
    if watchdog {
      out.append(
        .object([
          "armed-state": .text("armed"), "id": .text("fencing"), "node": .text(master),
          "status": .text("armed (CRM watchdog active)"), "type": .text("fencing"),
        ]))
    }
    for n in nodes {
      let ts = t0 - 1 - Int64(n.nodeid % 7)
      let state = n.hasHA ? "active" : "idle"
      let text =
        watchdog
        ? "\(n.name) (\(state), watchdog \(n.hasHA ? "active" : "standby"), \(Self.ctime(ts)))"
        : "\(n.name) (\(state), \(Self.ctime(ts)))"
      out.append(
        .object([
          "id": .text("lrm:\(n.name)"), "node": .text(n.name), "status": .text(text),
          "timestamp": .num(ts), "type": .text("lrm"),
        ]))
    }
    for g in services {
      guard let ha = g.ha else { continue }
      let node = nodes[g.node].name
      var e: [String: JSONValue] = [
        "crm_state": .text(ha.state), "id": .text("service:\(g.sid)"),
        "max_relocate": .num(ha.maxRelocate ?? 1), "max_restart": .num(1), "node": .text(node),
        "request_state": .text(ha.state), "sid": .text(g.sid), "state": .text(ha.state),
        "status": .text("\(g.sid) (\(node), \(ha.state))"), "type": .text("service"),
      ]
      if pveMajor >= 9 { e["failback"] = .flag(ha.failback ?? true) }
      if let group = ha.group { e["group"] = .text(group) }
      out.append(.object(e))
    }
    return .array(out)
  }

  private func haGroups() -> JSONValue {
    let digest = J.text(SplitMix64(seed: seed ^ 0x4752_4F55_5053).hexDigest())
    return .array(
      placements.map { p in
        var e: [String: JSONValue] = [
          "group": .text(p.id), "type": .text("group"), "digest": digest,
          "nodes": .text(p.nodes.map(\.text).joined(separator: ",")),
        ]
        if p.restricted { e["restricted"] = .num(1) }
        if p.nofailback { e["nofailback"] = .num(1) }
        return .object(e)
      })
  }

  private func haRules() -> JSONValue {
    let digest = J.text(SplitMix64(seed: seed ^ 0x5255_4C45_53).hexDigest())
    var out: [JSONValue] = []
    var order = 1
    for p in placements where !p.members.isEmpty {
      var e: [String: JSONValue] = [
        "rule": .text(p.id), "type": .text("node-affinity"), "digest": digest,
        "nodes": .text(p.nodes.map(\.text).joined(separator: ",")),
        "resources": .text(p.members.joined(separator: ",")), "strict": .flag(p.restricted),
        "order": .num(order),
      ]
      if p.disabled { e["disable"] = .num(1) }
      out.append(.object(e))
      order += 1
    }
    for k in keepApart {
      out.append(
        .object([
          "rule": .text(k.id), "type": .text("resource-affinity"), "digest": digest,
          "resources": .text(k.members.joined(separator: ",")), "affinity": .text("negative"),
          "order": .num(order),
        ]))
      order += 1
    }
    return .array(out)
  }

  // MARK: Backup

  private func backupJobs() -> JSONValue {
    var out: [JSONValue] = []
    guard !guests.isEmpty else { return .array(out) }
    out.append(
      .object([
        "id": .text("prod-nightly"), "type": .text("vzdump"), "pool": .text("prod"),
        "schedule": .text("21:00"), "storage": .text("pbs"), "mode": .text("snapshot"),
        "compress": .text("zstd"), "enabled": .num(1), "next-run": .num(Self.epoch + 32_400),
        "notes-template": .text("{{guestname}}"),
        "prune-backups": .object(["keep-daily": .text("7"), "keep-weekly": .text("4")]),
      ]))
    out.append(
      .object([
        "id": .text("weekly-\(nodes[0].name)"), "type": .text("vzdump"), "all": .num(1),
        "node": .text(nodes[0].name),
        "exclude": .text(excluded.map(String.init).joined(separator: ",")),
        "schedule": .text("sat 02:00"), "storage": .text("pbs"), "mode": .text("snapshot"),
        "compress": .text("zstd"), "enabled": .num(1), "next-run": .num(Self.epoch + 309_600),
        "prune-backups": .object(["keep-last": .num(3), "keep-monthly": .text("6")]),
        "fleecing": .object(["enabled": .text("0")]), "repeat-missed": .num(0),
      ]))
    out.append(
      .object([
        "id": .text("legacy"), "type": .text("vzdump"),
        "vmid": .text(legacyVMIDs.map(String.init).joined(separator: ",")),
        "schedule": .text("sun 01:00"), "storage": .text("local"), "mode": .text("stop"),
        "compress": .text("lzo"), "enabled": .num(0),
        "prune-backups": .object(["keep-all": .text("1")]),
        "comment": .text("replaced by prod-nightly"),
      ]))
    return .array(out)
  }

  /// The archives on one backup storage listing, as `pvesh get … --content backup` prints them.
  /// Derived from each guest's VMID only (no PRNG draw, so nothing else shifts): guests of the
  /// `prod` pool have their last three nightly PBS backups; every 11th of them stopped three weeks
  /// ago (stale); every 7th PBS snapshot was never verified and every 13th failed verification;
  /// guests on the first node have a weekly PBS backup; the legacy job's guests have one old
  /// archive on their node's `local`. The rest were never backed up.
  private func backupContent(_ read: BackupContentRead) -> JSONValue {
    var out: [(Int64, String, [String: JSONValue])] = []
    for g in guests where !g.template {
      let type = g.kind == .qemu ? "vm" : "ct"
      let size = max(1, g.maxdisk / 5)
      if read.storage == "pbs" {
        var times: [Int64] = []
        if g.pool == "prod" {
          // 21:00 UTC on the three days before the snapshot (12:00 UTC).
          let stale: Int64 = g.vmid % 11 == 0 ? 21 * 86_400 : 0
          times += (1...3).map { Self.epoch - 15 * 3600 - Int64($0 - 1) * 86_400 - stale }
        }
        if g.node == 0 { times.append(Self.epoch - 4 * 86_400 - 10 * 3600 + Int64(g.vmid % 600)) }
        for t in times {
          let volid = "pbs:backup/\(type)/\(g.vmid)/\(Self.isoTime(t))"
          var e: [String: JSONValue] = [
            "volid": .text(volid), "content": .text("backup"), "ctime": .num(t),
            "format": .text("pbs-\(type)"), "size": .num(size), "vmid": .num(Int64(g.vmid)),
            "subtype": .text(g.kind.rawValue), "notes": .text(g.name),
          ]
          if g.vmid % 13 == 0 {
            e["verification"] = .object([
              "state": .text("failed"), "upid": .text(Self.verifyUPID(t)),
            ])
          } else if g.vmid % 7 != 0 {
            e["verification"] = .object(["state": .text("ok"), "upid": .text(Self.verifyUPID(t))])
          }
          out.append((t, volid, e))
        }
      } else if read.storage == "local", legacyVMIDs.contains(g.vmid),
        nodes[g.node].name == read.node
      {
        let t = Self.epoch - 60 * 86_400 - 11 * 3600
        let (ext, word) = g.kind == .qemu ? ("vma.lzo", "qemu") : ("tar.lzo", "lxc")
        let volid =
          "local:backup/vzdump-\(word)-\(g.vmid)-\(Self.vzdumpTime(t)).\(ext)"
        out.append(
          (
            t, volid,
            [
              "volid": .text(volid), "content": .text("backup"), "ctime": .num(t),
              "format": .text(ext), "size": .num(size), "vmid": .num(Int64(g.vmid)),
              "subtype": .text(word), "protected": .num(1),
            ]
          ))
      }
    }
    return .array(out.sorted { ($0.1) < ($1.1) }.map { .object($0.2) })
  }

  static func verifyUPID(_ t: Int64) -> String {
    let hex = String(UInt64(t + 3600), radix: 16, uppercase: true)
    return "UPID:pbs:00001A2B:0001F3C4:00000000:\(hex):verificationjob:pbs-daily:root@pam:"
  }

  // MARK: Time

  /// RFC 3339 UTC: `2026-01-14T21:00:00Z` (PBS snapshot names).
  static func isoTime(_ epoch: Int64) -> String { UTCDate(epoch: epoch).rfc3339 }

  /// vzdump's file-name time: `2025_11_16_01_00_00` (UTC here).
  static func vzdumpTime(_ epoch: Int64) -> String {
    let t = UTCDate(epoch: epoch)
    let two = UTCDate.two
    return
      "\(t.year)_\(two(t.month))_\(two(t.day))-\(two(t.hour))_\(two(t.minute))_\(two(t.second))"
  }

  /// Perl `scalar localtime` in UTC: `Thu Jan 15 11:59:57 2026`, day padded with a space.
  static func ctime(_ epoch: Int64) -> String {
    let t = UTCDate(epoch: epoch)
    let names = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"]
    let months = [
      "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ]
    let two = UTCDate.two
    let dayText = t.day < 10 ? " \(t.day)" : "\(t.day)"
    return
      "\(names[t.weekday]) \(months[Int(t.month) - 1]) \(dayText) \(two(t.hour)):\(two(t.minute)):\(two(t.second)) \(t.year)"
  }
}

extension SplitMix64 {
  /// A 40-hex-digit digest from a fresh stream.
  fileprivate func hexDigest() -> String {
    var copy = self
    return copy.hex(40)
  }
}
