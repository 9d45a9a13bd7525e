import Crypto
import Foundation
import PVEModel

/// The cluster file system a Proxmox node mounts at `/etc/pve`, rendered from the state in
/// Proxmox's own formats: guest configs, `.vmlist`, `.members`, `ha/*.cfg`, `ha/manager_status`,
/// `jobs.cfg`, `storage.cfg`, `datacenter.cfg`. The state stays the single truth; these files are
/// derived from it after every change. Formats and their sources: docs/sandbox-pmxcfs.md.
package enum PmxcfsFiles {
  /// What the files of a state are: relative path → bytes, or nil where the file must not exist.
  package struct Rendering: Sendable {
    /// Files under the pmxcfs root (`nodes/pve1/qemu-server/100.conf`, `ha/resources.cfg`, …).
    package var files: [String: [UInt8]?] = [:]
    /// Each node's own `.members` (its `nodename`), bound over `/etc/pve/.members` in that node's
    /// mount namespace; nil when `/cluster/status` did not change.
    package var members: [String: [UInt8]]?

    /// Sets a file's bytes, or nil: the file must not exist (a plain subscript assignment of nil
    /// would drop the entry instead).
    mutating func set(_ file: String, _ bytes: [UInt8]?) {
      files.updateValue(bytes, forKey: file)
    }
  }

  /// The API paths each cluster-wide file is derived from.
  static let sources: [(file: String, path: String)] = [
    (".vmlist", "/cluster/resources"),
    (".members", "/cluster/status"),
    ("ha/resources.cfg", "/cluster/ha/resources"),
    ("ha/groups.cfg", Snapshot.haGroupsPath),
    ("ha/rules.cfg", Snapshot.haRulesPath),
    ("ha/manager_status", "/cluster/ha/status/current"),
    ("jobs.cfg", "/cluster/backup"),
    ("storage.cfg", "/storage"),
    ("datacenter.cfg", "/cluster/options"),
  ]

  /// A stand-in for "the pending HA moves changed" in a set of changed paths.
  static let pendingMarker = "sandbox:pendingHA"

  /// The files that depend on `changed` API paths (every file when nil). `vmlistVersion` is the
  /// version the new `.vmlist` gets; `previousVMList` the per-guest versions of the old one.
  static func render(
    _ state: ClusterState, changed: Set<String>?, vmlistVersion: Int,
    previousVMList: [Int: VMListEntry]
  ) -> Rendering {
    var out = Rendering()
    let all = changed == nil
    let changed = changed ?? []
    // Guest configs: one file per config path held.
    let configPaths =
      all ? state.paths.filter { GuestConfigLocation(apiPath: $0) != nil } : Array(changed)
    for path in configPaths {
      guard let location = GuestConfigLocation(apiPath: path) else { continue }
      out.set(
        location.file,
        state.object(path).map { GuestConfigText.bytes($0, kind: location.kind) })
    }
    func wanted(_ path: String) -> Bool { all || changed.contains(path) }
    let haTouched =
      wanted(ClusterState.haResourcesPath) || wanted(Snapshot.haGroupsPath)
      || wanted(Snapshot.haRulesPath)
    if wanted("/cluster/resources") {
      out.files[".vmlist"] = Array(
        vmlist(state, version: vmlistVersion, previous: previousVMList).utf8)
    }
    if wanted("/cluster/status") {
      var members: [String: [UInt8]] = [:]
      for node in state.nodeNames() { members[node] = Array(self.members(state, node: node).utf8) }
      out.members = members
      let local = localNode(state)
      out.files[".members"] = Array(self.members(state, node: local).utf8)
    }
    if haTouched {
      out.files["ha/resources.cfg"] = Array(haResources(state).utf8)
      // PVE 8 and unmigrated PVE 9 keep groups.cfg; after the migration it is deleted and the
      // rules live in rules.cfg (pve-ha-manager Manager::try_persistent_group_migration).
      let migrated = state.haGroupsMigrated
      out.set("ha/groups.cfg", migrated ? nil : Array(haGroups(state).utf8))
      out.set(
        "ha/rules.cfg", migrated && state.clusterMajor >= 9 ? Array(haRules(state).utf8) : nil)
    }
    if wanted("/cluster/ha/status/current") || wanted(pendingMarker) {
      out.set("ha/manager_status", managerStatus(state).map { Array($0.utf8) })
    }
    if wanted("/cluster/backup") { out.files["jobs.cfg"] = Array(jobs(state).utf8) }
    if wanted("/storage") { out.files["storage.cfg"] = Array(storage(state).utf8) }
    if wanted("/cluster/options") {
      out.files["datacenter.cfg"] = Array(datacenter(state.object("/cluster/options") ?? [:]).utf8)
    }
    return out
  }

  /// The node `/cluster/status` marks `local`, else the first online node, else the first.
  static func localNode(_ state: ClusterState) -> String {
    let nodes = state.list("/cluster/status").filter { $0["type"]?.stringValue == "node" }
    if let local = nodes.first(where: { $0["local"]?.boolValue == true })?["name"]?.stringValue {
      return local
    }
    let names = state.nodeNames()
    return names.first(where: state.isOnline) ?? names.first ?? "localhost"
  }

  // MARK: .vmlist and .members (pve-cluster src/pmxcfs/status.c)

  /// One guest of `.vmlist`.
  package struct VMListEntry: Sendable, Hashable {
    var node: String
    var type: String
    var version: Int
  }

  /// `cfs_create_vmlist_msg`: `{`, `"version": N,`, `"ids": {`, one
  /// `"<vmid>": { "node": "…", "type": "qemu|lxc", "version": N }` per guest joined by `,\n`,
  /// `}`, a blank line, `}`. Guests come from `/cluster/resources` (which pmxcfs builds from this
  /// list), sorted by VMID; a guest keeps its version until its node or type changes.
  static func vmlist(_ state: ClusterState, version: Int, previous: [Int: VMListEntry]) -> String {
    let guests = state.guests().sorted { $0.vmid < $1.vmid }
    guard !guests.isEmpty else { return "{\n\"version\": \(version)\n\n}\n" }
    var text = "{\n\"version\": \(version),\n\"ids\": {\n"
    text += guests.map { g in
      let type = g.kind.rawValue
      let old = previous[g.vmid]
      let v = old.map { $0.node == g.node && $0.type == type ? $0.version : version } ?? version
      return "\"\(g.vmid)\": { \"node\": \"\(g.node)\", \"type\": \"\(type)\", \"version\": \(v) }"
    }.joined(separator: ",\n")
    return text + "}\n\n}\n"
  }

  /// The per-guest entries of a `.vmlist` text (for versions), and its version.
  static func parseVMList(_ bytes: [UInt8]) -> (version: Int, entries: [Int: VMListEntry]) {
    guard let value = try? JSONText.parse(bytes) else { return (0, [:]) }
    var entries: [Int: VMListEntry] = [:]
    for (key, v) in value["ids"]?.objectValue ?? [:] {
      if let vmid = Int(key), let node = v["node"]?.stringValue, let type = v["type"]?.stringValue {
        entries[vmid] = VMListEntry(
          node: node, type: type, version: Int(v["version"]?.intValue ?? 0))
      }
    }
    return (Int(value["version"]?.intValue ?? 0), entries)
  }

  /// `cfs_create_memberlist_msg` as `node` sees it: `nodename`, `version`, the `cluster` line
  /// (name, config version, node count, quorate) and `nodelist` (`id`, `online`, `ip`), or only
  /// `nodename` and `version` on a node that is not in a cluster.
  static func members(_ state: ClusterState, node: String) -> String {
    let status = state.list("/cluster/status")
    let cluster = status.first { $0["type"]?.stringValue == "cluster" }
    let version = Int(cluster?["version"]?.intValue ?? 1)
    let nodes = status.filter { $0["type"]?.stringValue == "node" }.sorted {
      ($0["nodeid"]?.intValue ?? 0, $0["name"]?.stringValue ?? "")
        < ($1["nodeid"]?.intValue ?? 0, $1["name"]?.stringValue ?? "")
    }
    var text = "{\n\"nodename\": \"\(node)\",\n"
    guard let cluster, !nodes.isEmpty else { return text + "\"version\": \(version)\n}\n" }
    text += "\"version\": \(version),\n"
    text +=
      "\"cluster\": { \"name\": \"\(cluster["name"]?.stringValue ?? "")\", \"version\": \(version), "
      + "\"nodes\": \(nodes.count), \"quorate\": \(cluster["quorate"]?.boolValue == false ? 0 : 1) },\n"
    text += "\"nodelist\": {\n"
    text += nodes.map { n in
      var line =
        "  \"\(n["name"]?.stringValue ?? "")\": { \"id\": \(n["nodeid"]?.intValue ?? 0), "
        + "\"online\": \(n["online"]?.boolValue == true ? 1 : 0)"
      if let ip = n["ip"]?.stringValue, !ip.isEmpty { line += ", \"ip\": \"\(ip)\"" }
      return line + "}"
    }.joined(separator: ",\n")
    return text + "\n  }\n}\n"
  }

  // MARK: HA (pve-ha-manager src/PVE/HA/{Resources,Groups,Rules}.pm, Config.pm)

  /// `ha/resources.cfg`: `vm: 100` / `ct: 101` sections; options state, group, comment, failback,
  /// max_restart, max_relocate (all optional), in the state's list order.
  static func haResources(_ state: ClusterState) -> String {
    let options: Set<String> = [
      "state", "group", "comment", "failback", "max_restart", "max_relocate",
    ]
    return state.list(ClusterState.haResourcesPath).map { r in
      let sid = r["sid"]?.stringValue ?? ""
      let parts = sid.split(separator: ":", maxSplits: 1).map(String.init)
      let header = parts.count == 2 ? "\(parts[0]): \(parts[1])" : "vm: \(sid)"
      return SectionConfigText.section(
        header: header, r.compactMapValues(SectionConfigText.scalar), required: [],
        optional: options)
    }.joined()
  }

  /// `ha/groups.cfg`: `group: <id>` sections; `nodes` required, comment, nofailback, restricted.
  static func haGroups(_ state: ClusterState) -> String {
    state.list(Snapshot.haGroupsPath).map { g in
      SectionConfigText.section(
        header: "group: \(g["group"]?.stringValue ?? "")",
        g.compactMapValues(SectionConfigText.scalar), required: ["nodes"],
        optional: ["comment", "nofailback", "restricted"])
    }.joined()
  }

  /// `ha/rules.cfg`: `node-affinity: <id>` (resources, nodes required; strict) and
  /// `resource-affinity: <id>` (resources, affinity required) in `order`; resources sorted, nodes
  /// sorted by name as `node[:priority]`, the comment through `encode_text`.
  static func haRules(_ state: ClusterState) -> String {
    let rules = state.list(Snapshot.haRulesPath).enumerated().sorted {
      ($0.element["order"]?.intValue ?? Int64($0.offset), $0.offset)
        < ($1.element["order"]?.intValue ?? Int64($1.offset), $1.offset)
    }.map(\.element)
    return rules.map { rule in
      let type = rule["type"]?.stringValue ?? "node-affinity"
      var values = rule.compactMapValues(SectionConfigText.scalar)
      if let comment = values["comment"] {
        values["comment"] = SectionConfigText.encodeText(comment)
      }
      if let resources = values["resources"] {
        values["resources"] = list(resources).sorted().joined(separator: ",")
      }
      if let nodes = values["nodes"] {
        values["nodes"] = list(nodes).map { entry -> (String, String) in
          let parts = entry.split(separator: ":", maxSplits: 1).map(String.init)
          let priority = parts.count == 2 ? (Int(parts[1]) ?? 0) : 0
          return (parts[0], priority > 0 ? "\(parts[0]):\(priority)" : parts[0])
        }.sorted { $0.0 < $1.0 }.map(\.1).joined(separator: ",")
      }
      let required: Set<String> =
        type == "resource-affinity" ? ["resources", "affinity"] : ["resources", "nodes"]
      return SectionConfigText.section(
        header: "\(type): \(rule["rule"]?.stringValue ?? "")", values, required: required,
        optional: ["strict", "comment", "disable"])
    }.joined()
  }

  static func list(_ text: String) -> [String] {
    text.split(whereSeparator: { $0 == "," || $0 == ";" || $0 == " " }).map(String.init)
  }

  /// `ha/manager_status`: the CRM master's JSON (`json_writer` = `encode_json`: compact, no
  /// newline): `master_node`, `node_status`, `service_status` (node, state, uid, running, target
  /// for a queued move) and `timestamp`; nil (no file) when no CRM master is listed.
  static func managerStatus(_ state: ClusterState) -> String? {
    let status = state.list("/cluster/ha/status/current")
    guard let master = status.first(where: { $0["type"]?.stringValue == "master" }) else {
      return nil
    }
    var nodes: [String: JSONValue] = [:]
    for lrm in status where lrm["type"]?.stringValue == "lrm" {
      if let node = lrm["node"]?.stringValue {
        nodes[node] = .string(
          !state.isOnline(node)
            ? "unknown" : NodeMaintenance.enabled(node, state) ? "maintenance" : "online")
      }
    }
    var services: [String: JSONValue] = [:]
    for s in status where s["type"]?.stringValue == "service" {
      guard let sid = s["sid"]?.stringValue else { continue }
      let node = s["node"]?.stringValue ?? ""
      var crm = s["crm_state"]?.stringValue ?? s["state"]?.stringValue ?? "started"
      var entry: [String: JSONValue] = ["node": .string(node)]
      if let move = state.pending.first(where: { $0.sid == sid }) {
        crm = move.command
        entry["target"] = .string(move.target)
      }
      entry["state"] = .string(crm)
      if crm == "started" { entry["running"] = .int(1) }
      entry["uid"] = .string(uid(sid, node, crm))
      services[sid] = .object(entry)
    }
    var object: [String: JSONValue] = [
      "master_node": master["node"] ?? .string(""), "node_status": .object(nodes),
      "service_status": .object(services),
    ]
    if let t = master["timestamp"] { object["timestamp"] = t }
    return JSONText.compact(.object(object))
  }

  /// A 22-character uid like the CRM's (`compute_new_uuid`: base64 of an MD5), derived from the
  /// service's placement so it is stable.
  static func uid(_ sid: String, _ node: String, _ state: String) -> String {
    let digest = Insecure.SHA1.hash(data: Data("\(sid)/\(node)/\(state)".utf8))
    return String(
      Data(digest).base64EncodedString().replacingOccurrences(of: "/", with: "_")
        .replacingOccurrences(of: "+", with: "-").prefix(22))
  }

  // MARK: jobs.cfg, storage.cfg, datacenter.cfg

  /// `jobs.cfg`: one `vzdump: <id>` section per backup job (pve-guest-common
  /// `PVE::VZDump::JobBase`): `schedule` required, every other option optional; the property
  /// strings (`prune-backups`, `fleecing` with default key `enabled`, `performance`) printed by
  /// `print_property_string`.
  static func jobs(_ state: ClusterState) -> String {
    let defaultKeys: [String: String] = ["fleecing": "enabled"]
    return state.list("/cluster/backup").filter {
      ($0["type"]?.stringValue ?? "vzdump") == "vzdump"
    }
    .map { job in
      var values: [String: String] = [:]
      for (key, value) in job where !["id", "type", "next-run", "digest"].contains(key) {
        if let object = value.objectValue {
          values[key] = SectionConfigText.propertyString(object, defaultKey: defaultKeys[key])
        } else if let s = SectionConfigText.scalar(value) {
          values[key] = s
        }
      }
      return SectionConfigText.section(
        header: "vzdump: \(job["id"]?.stringValue ?? "")", values, required: ["schedule"],
        optional: Set(values.keys))
    }.joined()
  }

  /// Storage types whose `shared` flag pve-storage sets on reading (`@SHARED_STORAGE`), so it is
  /// not in the file.
  static let alwaysShared: Set<String> = [
    "iscsi", "nfs", "cifs", "rbd", "cephfs", "iscsidirect", "zfs", "drbd", "pbs",
  ]
  /// The non-optional (`fixed`) options of each storage plugin's `options`.
  static let storageRequired: [String: Set<String>] = [
    "dir": ["path"], "btrfs": ["path"], "cephfs": ["path"], "cifs": ["path", "server", "share"],
    "nfs": ["path", "server", "export"], "pbs": ["server", "datastore"],
    "lvm": ["vgname"], "lvmthin": ["thinpool", "vgname"], "zfspool": ["pool"],
    "iscsi": ["portal", "target"], "iscsidirect": ["portal", "target"],
    "zfs": ["portal", "target", "pool", "blocksize", "iscsiprovider"],
    "esxi": ["server", "username"],
  ]

  /// `storage.cfg`: `<type>: <id>` sections (pve-storage `PVE::Storage::Plugin`, SectionConfig).
  static func storage(_ state: ClusterState) -> String {
    state.list("/storage").map { s in
      let type = s["type"]?.stringValue ?? "dir"
      var values: [String: String] = [:]
      for (key, value) in s where !["storage", "type", "digest"].contains(key) {
        if key == "shared" && alwaysShared.contains(type) { continue }
        if let object = value.objectValue {
          values[key] = SectionConfigText.propertyString(object)
        } else if let s = SectionConfigText.scalar(value) {
          values[key] = s
        }
      }
      let required = storageRequired[type] ?? []
      return SectionConfigText.section(
        header: "\(type): \(s["storage"]?.stringValue ?? "")", values, required: required,
        optional: Set(values.keys).subtracting(required))
    }.joined()
  }

  /// The default keys of datacenter.cfg's property strings (pve-cluster `DataCenterConfig.pm`).
  static let datacenterDefaultKeys: [String: String] = ["migration": "type", "replication": "type"]

  /// `datacenter.cfg` (pve-cluster `write_datacenter_config`): the description as `#` lines
  /// (`encode_text`), an empty line, then `key: value` lines sorted by key (`dump_config`);
  /// objects as property strings, the default MAC prefix left out.
  static func datacenter(_ options: [String: JSONValue]) -> String {
    var text = ""
    if let description = options["description"]?.stringValue {
      // Perl's split(/\n/): inner empty lines kept, trailing ones dropped.
      var lines = description.split(separator: "\n", omittingEmptySubsequences: false)
      while lines.last?.isEmpty == true { lines.removeLast() }
      for line in lines { text += "#" + SectionConfigText.encodeText(String(line)) + "\n" }
    }
    text += "\n"
    for key in options.keys.sorted() where key != "description" {
      guard let value = options[key] else { continue }
      if key == "mac_prefix", value.stringValue?.uppercased() == "BC:24:11" { continue }
      let rendered: String?
      switch value {
      case .object(let o):
        rendered = SectionConfigText.propertyString(o, defaultKey: datacenterDefaultKeys[key])
      case .array(let a): rendered = a.compactMap(\.stringValue).sorted().joined(separator: ";")
      default: rendered = SectionConfigText.scalar(value)
      }
      if let rendered { text += "\(key): \(rendered)\n" }
    }
    return text
  }
}

/// Where a guest config lives: the API path `/nodes/<n>/<qemu|lxc>/<vmid>/config` and the file
/// `nodes/<n>/<qemu-server|lxc>/<vmid>.conf` under `/etc/pve`.
package struct GuestConfigLocation: Hashable, Sendable {
  package var node: String
  package var kind: GuestKind
  package var vmid: Int

  package init?(apiPath: String) {
    let parts = apiPath.split(separator: "/", omittingEmptySubsequences: false)
    guard parts.count == 6, parts[0].isEmpty, parts[1] == "nodes", parts[5] == "config",
      let kind = GuestKind(rawValue: String(parts[3])), let vmid = Int(parts[4])
    else { return nil }
    self.node = String(parts[2])
    self.kind = kind
    self.vmid = vmid
  }

  /// Relative to `/etc/pve`.
  package var file: String { GuestRecord.configFile(node: node, kind: kind, vmid: vmid) }
}
