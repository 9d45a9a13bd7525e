/// One backup archive on a backup storage, as `pvesh get /nodes/<node>/storage/<storage>/content
/// --content backup --output-format json` lists it (pve-storage `API2/Storage/Content.pm` `index`;
/// fields in `../shared/pve-api/endpoints.json`: `volid`, `format`, `size`, and optionally `ctime`,
/// `vmid`, `notes`, `protected`, `encrypted`, `verification {state, upid}`; real nodes also print
/// `content` and `subtype` (`qemu`/`lxc`), read when present).
package struct BackupArchive: Sendable, Hashable, Codable {
  /// `pbs01:backup/vm/114/2025-11-08T02:00:00Z`, `local:backup/vzdump-lxc-110-2025_11_08-02_00_01.tar.zst`.
  package var volid: String
  package var storage: String
  /// The node whose listing holds it: the storage's own node for a local storage; for a shared one,
  /// the node it was read from.
  package var node: String
  /// The guest it belongs to (`vmid`, else parsed from the volid); nil when neither says.
  package var vmid: Int?
  /// `qemu` or `lxc` (`subtype`, else `format` `pbs-vm`/`pbs-ct`, else the volid); nil if unknown.
  package var kind: GuestKind?
  /// Creation time, seconds since 1970; nil when not listed.
  package var ctime: Int64?
  package var size: Int64
  /// `vma.zst`, `tar.zst`, `pbs-vm`, `pbs-ct`, …
  package var format: String
  /// PBS verification state (`ok`, `failed`, …); nil when never verified (or not PBS).
  package var verification: String?
  /// First line of the notes, if any.
  package var notes: String?
  package var protected: Bool
  package var encrypted: Bool

  package init(
    volid: String, storage: String, node: String, vmid: Int?, kind: GuestKind?, ctime: Int64?,
    size: Int64, format: String, verification: String?, notes: String?, protected: Bool,
    encrypted: Bool
  ) {
    self.volid = volid
    self.storage = storage
    self.node = node
    self.vmid = vmid
    self.kind = kind
    self.ctime = ctime
    self.size = size
    self.format = format
    self.verification = verification
    self.notes = notes
    self.protected = protected
    self.encrypted = encrypted
  }

  /// Whether it lives on a Proxmox Backup Server datastore (`pbs-vm`, `pbs-ct`, …).
  package var isPBS: Bool { format.hasPrefix("pbs-") }

  /// Reads one entry of a content listing; nil for entries that are not backups (no volid).
  package init?(entry: [String: JSONValue], storage: String, node: String) {
    guard let volid = entry["volid"]?.stringValue, !volid.isEmpty else { return nil }
    if let content = entry["content"]?.stringValue, content != "backup" { return nil }
    let format = entry["format"]?.stringValue ?? ""
    let parsed = BackupArchive.parseVolid(volid)
    var kind: GuestKind?
    switch entry["subtype"]?.stringValue {
    case "qemu": kind = .qemu
    case "lxc": kind = .lxc
    default:
      switch format {
      case "pbs-vm": kind = .qemu
      case "pbs-ct": kind = .lxc
      default: kind = parsed.kind
      }
    }
    let vmid = entry["vmid"]?.intValue.map { Int(clamping: $0) } ?? parsed.vmid
    var state: String?
    if let v = entry["verification"]?.objectValue {
      state = v["state"]?.stringValue
    }
    let notes = entry["notes"]?.stringValue.flatMap {
      $0.split(separator: "\n", omittingEmptySubsequences: false).first.map(String.init)
    }
    let encrypted: Bool
    if let e = entry["encrypted"]?.stringValue {
      encrypted = !e.isEmpty && e != "0"
    } else {
      encrypted = false
    }
    self.init(
      volid: volid, storage: storage, node: node, vmid: vmid, kind: kind,
      ctime: entry["ctime"]?.intValue,
      size: max(0, entry["size"]?.intValue ?? 0), format: format, verification: state,
      notes: notes, protected: entry["protected"]?.boolValue ?? false, encrypted: encrypted)
  }

  /// The guest a volid names: `…:backup/vzdump-qemu-114-…` (vzdump's file name, pve-storage
  /// `Storage.pm` `archive_info`), `…:backup/vm/114/<time>` and `…:backup/ct/110/<time>` (PBS).
  package static func parseVolid(_ volid: String) -> (vmid: Int?, kind: GuestKind?) {
    let name = volid.split(separator: ":", maxSplits: 1).last.map(String.init) ?? volid
    let parts = name.split(separator: "/").map(String.init)
    if parts.count >= 3, parts[0] == "backup", parts[1] == "vm" || parts[1] == "ct" {
      return (Int(parts[2]), parts[1] == "vm" ? .qemu : .lxc)
    }
    let file = parts.last ?? name
    for (prefix, kind) in [("vzdump-qemu-", GuestKind.qemu), ("vzdump-lxc-", .lxc)] {
      if file.hasPrefix(prefix) {
        let digits = file.dropFirst(prefix.count).prefix(while: \.isNumber)
        return (Int(digits), kind)
      }
    }
    return (nil, nil)
  }
}

/// One content listing pvemend reads: a backup storage on a node (a shared storage on one node).
package struct BackupContentRead: Sendable, Hashable, Codable, Comparable {
  package var storage: String
  package var node: String
  package var shared: Bool

  package init(storage: String, node: String, shared: Bool) {
    self.storage = storage
    self.node = node
    self.shared = shared
  }

  /// `/nodes/<node>/storage/<storage>/content`: the snapshot key, holding what
  /// `pvesh get <path> --content backup --output-format json` printed.
  package var path: String { Snapshot.backupContentPath(node: node, storage: storage) }

  package static func < (a: Self, b: Self) -> Bool { (a.storage, a.node) < (b.storage, b.node) }
}

/// What the snapshot says about backup archives: every archive read, and which expected listings
/// were read and which were not (an older snapshot, or a storage that could not be listed).
package struct BackupInventory: Sendable, Hashable, Codable {
  /// Sorted by VMID, then newest first, then volid.
  package var archives: [BackupArchive]
  /// Listings present in the snapshot.
  package var read: [BackupContentRead]
  /// Listings expected (backup storages on online nodes) but absent.
  package var unread: [BackupContentRead]
  /// Whether the archives are all there is to know: every expected listing was read. False for a
  /// cluster built without a snapshot and for snapshots older than backup content.
  package var complete: Bool
  /// Jobs created after the listings were taken (a plan's predicted cluster): they have not run,
  /// so guests only they cover have no archive yet, and that is no finding.
  package var unrunJobs: Set<String> = []

  package init(
    archives: [BackupArchive] = [], read: [BackupContentRead] = [],
    unread: [BackupContentRead] = [], complete: Bool = false
  ) {
    self.archives = archives.sorted(by: BackupInventory.order)
    self.read = read.sorted()
    self.unread = unread.sorted()
    self.complete = complete
  }

  static func order(_ a: BackupArchive, _ b: BackupArchive) -> Bool {
    let ka = (a.vmid ?? Int.max, -(a.ctime ?? 0), a.volid, a.node)
    let kb = (b.vmid ?? Int.max, -(b.ctime ?? 0), b.volid, b.node)
    return ka < kb
  }

  /// The archives of a guest (VMID, and kind where the archive names one), newest first.
  package func archives(of guest: Guest) -> [BackupArchive] {
    archives.filter { $0.vmid == guest.vmid && ($0.kind == nil || $0.kind == guest.kind) }
  }

  /// The newest archive of a guest, if any.
  package func newest(of guest: Guest) -> BackupArchive? { archives(of: guest).first }

  /// Reads the listings of `expected` from the snapshot's API map.
  package init(api: [String: JSONValue], expected: [BackupContentRead]) {
    var archives: [BackupArchive] = []
    var read: [BackupContentRead] = []
    var unread: [BackupContentRead] = []
    for r in expected {
      guard let list = api[r.path]?.arrayValue else {
        unread.append(r)
        continue
      }
      read.append(r)
      for e in list {
        guard let o = e.objectValue,
          let a = BackupArchive(entry: o, storage: r.storage, node: r.node)
        else { continue }
        archives.append(a)
      }
    }
    self.init(archives: archives, read: read, unread: unread, complete: unread.isEmpty)
  }
}

extension Snapshot {
  /// `/nodes/<node>/storage/<storage>/content` (read with `--content backup`).
  package static func backupContentPath(node: String, storage: String) -> String {
    "/nodes/\(node)/storage/\(storage)/content"
  }

  /// The content listings `collect` reads: each enabled storage whose `/storage` definition
  /// allows `backup` content, on every online node it is defined for; a shared storage (NFS, CIFS,
  /// PBS, …: `shared` 1, which pve-storage sets for those types) on the first such node only.
  package static func backupContentReads(storage: JSONValue?, online: [String])
    -> [BackupContentRead]
  {
    var reads: [BackupContentRead] = []
    let nodes = online.sorted()
    var seen = Set<String>()
    for s in storage?.arrayValue ?? [] {
      guard let o = s.objectValue, let id = o["storage"]?.stringValue, seen.insert(id).inserted
      else { continue }
      guard Cluster.list(o["content"]?.stringValue).contains("backup"),
        o["disable"]?.boolValue != true
      else { continue }
      let restricted = o["nodes"]?.stringValue.map { Set(Cluster.list($0)) }
      let candidates = nodes.filter { restricted?.contains($0) ?? true }
      let shared = o["shared"]?.boolValue ?? (o["type"]?.stringValue == "pbs")
      if shared {
        if let first = candidates.first {
          reads.append(BackupContentRead(storage: id, node: first, shared: true))
        }
      } else {
        reads += candidates.map { BackupContentRead(storage: id, node: $0, shared: false) }
      }
    }
    return reads.sorted()
  }
}
