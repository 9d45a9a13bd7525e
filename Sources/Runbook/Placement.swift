import PVEModel
import Playbook

/// Where guests come back in one scenario: survivors' load as HA leaves it, drawn down by each
/// guest brought back (vCPUs, memory, storage), in restore order.
struct Placement {
  let book: Book
  /// vCPUs and memory per surviving node (after HA's recoveries).
  var load: [String: (vcpus: Int, memory: Int64)]
  let loss: Book.Loss
  /// Bytes already restored per storage (`id`, or `id@node` for a node-local one).
  var taken: [String: Int64] = [:]

  init(book: Book, load: [String: (vcpus: Int, memory: Int64)], loss: Book.Loss) {
    self.book = book
    self.load = load
    self.loss = loss
  }

  func alive(_ node: String) -> Bool {
    (book.nodeByName[node]?.online ?? false) && !loss.nodes.contains(node)
  }

  /// Alive nodes, the one with the most memory free under the playbook's reserve first.
  var survivors: [Node] {
    // Decorated once per node: the free memory is looked up n times, not n log n.
    book.cluster.nodes.filter { alive($0.name) }.map { (free($0), $0) }.sorted {
      ($1.0, $0.1.name) < ($0.0, $1.1.name)
    }.map(\.1)
  }

  func free(_ n: Node) -> Int64 {
    n.memoryTotal - book.policy.capacity.memoryReserve - (load[n.name]?.memory ?? 0)
  }

  /// Why `g` does not fit on `n` (vCPUs, memory), nil when it fits.
  func misfit(_ g: Guest, _ n: Node) -> String? {
    if g.kind == .qemu && g.vcpus > n.cores {
      return "\(n.name): \(g.vcpus) vCPUs > \(n.cores) cores"
    }
    if g.memory > free(n) {
      return "\(n.name): \(ByteSize.binary(max(free(n), 0))) memory free under the reserve"
    }
    return nil
  }

  /// A storage on `n` for `g`'s volumes with room for `size`: its own first, then the playbook's
  /// HA pool, then the one with the most free space.
  func storage(for g: Guest, on n: Node, size: Int64) -> String? {
    let content = g.kind == .qemu ? "images" : "rootdir"
    let own = book.usedDisks(g).compactMap(\.storage)
    let rest = book.cluster.storages.sorted {
      ($0.on(n.name)?.available ?? 0, $1.id) > ($1.on(n.name)?.available ?? 0, $0.id)
    }.map(\.id)
    var seen = Set<String>()
    for id in own + [book.policy.ha.sharedStorage].compactMap({ $0 }) + rest
    where seen.insert(id).inserted {
      guard let s = book.storageByID[id], !s.disabled, s.content.contains(content),
        s.restrictedTo?.contains(n.name) ?? true, let on = s.on(n.name), on.active, on.enabled,
        !loss.lost(storage: id, node: n.name, shared: s.shared)
      else { continue }
      if on.available - (taken[key(s, n.name)] ?? 0) >= size { return id }
    }
    return nil
  }

  func key(_ s: Storage, _ node: String) -> String { s.shared ? s.id : "\(s.id)@\(node)" }

  /// Whether `n` can read `a` (a shared storage it may use, or the local storage it sits on).
  func reads(_ n: Node, _ a: BackupArchive) -> Bool {
    guard let s = book.storageByID[a.storage] else { return n.name == a.node }
    return s.shared ? (s.restrictedTo?.contains(n.name) ?? true) : n.name == a.node
  }

  /// Whether `n` reaches every volume of `g` that survives (shared pools it may use; a local
  /// volume only on the guest's own node).
  func reachesDisks(_ g: Guest, _ n: Node) -> Bool {
    book.usedDisks(g).allSatisfy { d in
      guard let id = d.storage, let s = book.storageByID[id] else { return true }
      return s.shared ? (s.restrictedTo?.contains(n.name) ?? true) : n.name == g.node
    }
  }

  static func configPath(_ g: Guest, node: String) -> String {
    "/etc/pve/nodes/\(node)/\(g.kind == .qemu ? "qemu-server" : "lxc")/\(g.vmid).conf"
  }

  /// How `g` comes back: its config on `configNode` (a failed node, or where HA left it); with
  /// `inPlace` it is restored over itself on its own node (broken guest, lost storage).
  mutating func bringBack(_ g: Guest, configNode: String, inPlace: Bool = false) -> Runbook.Restore
  {
    let entry = book.entryOf[g.sid]
    let size = book.usedDisks(g).reduce(Int64(0)) { $0 + $1.size }
    var r = Runbook.Restore(
      order: 0, sid: g.sid, vmid: g.vmid, kind: g.kind, name: g.name,
      role: book.roleOf[g.sid], level: entry?.level.rawValue,
      purpose: entry?.purpose, haManaged: g.isHAManaged, method: .none, node: nil, storage: nil,
      vcpus: g.vcpus, memory: g.memory, diskSize: size, archive: nil, lostArchives: 0,
      commands: [], problem: nil, warnings: [], measured: book.measured(g.vmid))
    let diskLost =
      inPlace
      || book.usedDisks(g).contains { d in
        d.storage.map { book.lost($0, on: g.node, loss) } ?? false
      }
    if !inPlace, !g.localDevices.isEmpty, !alive(g.node) {
      r.problem =
        "tied to host device(s) \(g.localDevices.joined(separator: ", ")) of \(g.node): it runs only there; bring \(g.node) back, or move the device and take it out of the config"
      return r
    }
    if diskLost {
      let gone = book.usedDisks(g).contains { d in
        d.storage.map { book.lost($0, on: g.node, loss) } ?? false
      }
      restore(g, configNode: configNode, volumesGone: gone, size: size, into: &r)
    } else {
      move(g, configNode: configNode, into: &r)
    }
    return r
  }

  /// Disks survive: start it where it is, or move its config to a survivor with room.
  mutating func move(_ g: Guest, configNode: String, into r: inout Runbook.Restore) {
    let configAlive = alive(configNode)
    var why: [String] = []
    var candidates = survivors.filter { reachesDisks(g, $0) }
    if configAlive, let i = candidates.firstIndex(where: { $0.name == configNode }) {
      candidates.insert(candidates.remove(at: i), at: 0)
    }
    var target: Node?
    for n in candidates {
      if let m = misfit(g, n) {
        why.append(m)
        continue
      }
      target = n
      break
    }
    guard let target else {
      r.problem =
        candidates.isEmpty
        ? "no surviving node reaches its volumes: cannot be started"
        : "no surviving node has room: \(why.joined(separator: "; "))"
      return
    }
    r.method = .moveConfig
    r.node = target.name
    let t = target.name
    let v = "\(g.vmid)"
    if r.haManaged {
      r.commands.append(
        RemoteCommand(
          node: t, argv: ["ha-manager", "set", g.sid, "--state", "disabled"], mutating: true))
    }
    if configNode != t {
      if configAlive {
        r.commands.append(
          RemoteCommand(node: configNode, argv: [g.kind.cli, "migrate", v, t], mutating: true))
      } else {
        r.commands.append(
          RemoteCommand(
            node: t,
            argv: ["mv", Self.configPath(g, node: configNode), Self.configPath(g, node: t)],
            mutating: true))
      }
    }
    r.commands.append(start(g, on: t, ha: r.haManaged))
    let l = load[t] ?? (0, 0)
    load[t] = (l.vcpus + g.vcpus, l.memory + g.memory)
  }

  /// Disks lost: its newest backup that survives the failure, restored over its VMID.
  ///
  /// Over its config with `--force 1` when its volumes are still there (a broken guest: the
  /// restore replaces them); when they are gone, its config is first moved aside to `/root`
  /// (qmrestore refuses a VMID whose config exists on another node, and `--force` would try to
  /// destroy volumes on storage that is gone), then restored as a new guest with the same VMID.
  mutating func restore(
    _ g: Guest, configNode: String, volumesGone: Bool, size: Int64, into r: inout Runbook.Restore
  ) {
    let all = book.archives(of: g)
    let usable = all.filter { a in !book.lost(a.storage, on: a.node, loss) }
    r.lostArchives = all.count - usable.count
    guard !all.isEmpty else {
      r.problem =
        book.cluster.backups.complete
        ? "no backup: cannot be restored"
        : "no backup listed (the snapshot does not list every backup storage): cannot be restored from what is known"
      return
    }
    guard !usable.isEmpty else {
      let stores = Set(all.map(\.storage)).sorted().joined(separator: ", ")
      r.problem =
        "no backup survives: all \(all.count) backup(s) on \(stores) are lost with the failure; cannot be restored"
      return
    }
    // The newest that did not fail verification (else the newest).
    let chosen = usable.first { $0.verification != "failed" } ?? usable[0]
    let age = book.collected.flatMap { now in chosen.ctime.map { now - $0 } }
    r.archive = Runbook.Archive(
      volid: chosen.volid, storage: chosen.storage, size: chosen.size, ageSeconds: age,
      pbs: chosen.isPBS, verification: chosen.verification, encrypted: chosen.encrypted)
    let newerLost = all.filter { a in
      !usable.contains(a) && (a.ctime ?? 0) > (chosen.ctime ?? 0)
    }.count
    if newerLost > 0 {
      r.warnings.append("\(newerLost) newer backup(s) are lost with the failure: this one is older")
    }
    if chosen.isPBS {
      switch chosen.verification {
      case "ok": break
      case nil:
        r.warnings.append(
          "PBS snapshot never verified: verify it on the backup server before relying on it")
      case let state?:
        r.warnings.append(
          "PBS verification \(state): the snapshot may be damaged; try an older one if the restore fails"
        )
      }
    }
    if chosen.encrypted { r.warnings.append("encrypted: the restore needs the storage's key") }
    if let age, age > 7 * 86_400 {
      r.warnings.append("the backup is \(Runbook.age(age)) old: newer data is lost")
    }
    if chosen.ctime == nil { r.warnings.append("the backup's time is not listed") }

    let configAlive = alive(configNode)
    var why: [String] = []
    var placed: (Node, String)?
    if configAlive {
      // Restored over its config where it is (`--force 1`).
      if let n = book.nodeByName[configNode] {
        if !reads(n, chosen) {
          why.append("\(n.name) cannot read \(chosen.storage)")
        } else if let s = storage(for: g, on: n, size: size) {
          placed = (n, s)
        } else {
          why.append("\(n.name): no storage with room for \(ByteSize.binary(size))")
        }
      }
    } else {
      for n in survivors where reads(n, chosen) {
        if let m = misfit(g, n) {
          why.append(m)
          continue
        }
        guard let s = storage(for: g, on: n, size: size) else {
          why.append("\(n.name): no storage with room for \(ByteSize.binary(size))")
          continue
        }
        placed = (n, s)
        break
      }
    }
    guard let (node, storage) = placed else {
      r.problem =
        why.isEmpty
        ? "no surviving node can read \(chosen.storage): cannot be restored"
        : "no surviving node can take it: \(why.joined(separator: "; "))"
      return
    }
    r.method = .restoreBackup
    r.node = node.name
    r.storage = storage
    let t = node.name
    let v = "\(g.vmid)"
    if r.haManaged {
      r.commands.append(
        RemoteCommand(
          node: t, argv: ["ha-manager", "set", g.sid, "--state", "disabled"], mutating: true))
    } else if configAlive {
      r.commands.append(
        RemoteCommand(node: configNode, argv: [g.kind.cli, "stop", v], mutating: true))
    }
    let aside = !configAlive || volumesGone
    if aside {
      let path = "/root/\(g.vmid).conf.from-\(configNode)"
      r.commands.append(
        RemoteCommand(
          node: t, argv: ["mv", Self.configPath(g, node: configNode), path], mutating: true))
      r.notes.append("its old config is kept at \(path) on \(t)")
    }
    let force = aside ? [] : ["--force", "1"]
    switch g.kind {
    case .qemu:
      r.commands.append(
        RemoteCommand(
          node: t, argv: ["qmrestore", chosen.volid, v, "--storage", storage] + force,
          mutating: true))
    case .lxc:
      r.commands.append(
        RemoteCommand(
          node: t, argv: ["pct", "restore", v, chosen.volid, "--storage", storage] + force,
          mutating: true))
    }
    r.commands.append(start(g, on: t, ha: r.haManaged))
    if let s = book.storageByID[storage] { taken[key(s, t), default: 0] += size }
    if !configAlive {
      let l = load[t] ?? (0, 0)
      load[t] = (l.vcpus + g.vcpus, l.memory + g.memory)
    }
  }

  func start(_ g: Guest, on node: String, ha: Bool) -> RemoteCommand {
    ha
      ? RemoteCommand(
        node: node, argv: ["ha-manager", "set", g.sid, "--state", "started"], mutating: true)
      : RemoteCommand(node: node, argv: [g.kind.cli, "start", "\(g.vmid)"], mutating: true)
  }
}
