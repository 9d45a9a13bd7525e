import PVEModel

/// `pvesh`: `get` prints exactly the stored response of every collected path (compact JSON, sorted
/// keys), a storage's content listing filtered as asked (`BackupContent`);
/// `create|set|delete /cluster/backup…` manage backup jobs; `set /cluster/options` the HA
/// scheduler (`ClusterOptions`).
enum Pvesh {
  static func run(_ args: [String], _ ctx: Context) throws(CommandFailure) -> Outcome {
    guard let sub = args.first else {
      throw CommandFailure("400 not enough arguments\n\npvesh <COMMAND> [ARGS] [OPTIONS]")
    }
    let rest = Array(args.dropFirst())
    let rawPath = rest.first { !$0.hasPrefix("-") } ?? ""
    let path = normalize(rawPath)
    switch sub {
    case "get":
      let arguments = try CommandSchemas.pveshGet(path: path).parse(rest)
      var value = try get(path, arguments, ctx)
      if path == "/cluster/resources", let type = arguments.options["type"],
        let items = value.arrayValue
      {
        let wanted: Set<String> = type == "vm" ? ["qemu", "lxc"] : [type]
        value = .array(items.filter { wanted.contains($0["type"]?.stringValue ?? "") })
      }
      return Outcome(stdout: render(value, format: arguments.options["output-format"]))
    case "create":
      guard path == "/cluster/backup" else { throw noHandler("create", path) }
      let arguments = try CommandSchemas.backupJob(major: ctx.major, update: false).parse(rest)
      try BackupJobs.create(arguments.options, ctx)
      return Outcome()
    case "set":
      if path == "/cluster/options" {
        try ClusterOptions.set(CommandSchemas.clusterOptions(major: ctx.major).parse(rest), ctx)
        return Outcome()
      }
      guard let id = jobID(path) else { throw noHandler("set", path) }
      let arguments = try CommandSchemas.backupJob(major: ctx.major, update: true).parse(rest)
      try BackupJobs.update(id: id, arguments.options, ctx)
      return Outcome()
    case "delete":
      guard let id = jobID(path) else { throw noHandler("delete", path) }
      _ = try CommandSchemas.pveshDelete.parse(rest)
      try BackupJobs.delete(id: id, ctx)
      return Outcome()
    default:
      throw CommandFailure("unknown command 'pvesh \(sub)'")
    }
  }

  static func normalize(_ path: String) -> String {
    var p = path.hasPrefix("/") ? path : "/" + path
    while p.count > 1 && p.hasSuffix("/") { p.removeLast() }
    return p
  }

  static func jobID(_ path: String) -> String? {
    let prefix = "/cluster/backup/"
    guard path.hasPrefix(prefix), path.count > prefix.count else { return nil }
    let id = String(path.dropFirst(prefix.count))
    return id.contains("/") ? nil : id
  }

  static func noHandler(_ method: String, _ path: String) -> CommandFailure {
    CommandFailure("No '\(method)' handler defined for '\(path.dropFirst())'")
  }

  /// `--output-format json` (what pvemend uses) is exact; the table formats are shown as
  /// `json-pretty`.
  static func render(_ value: JSONValue, format: String?) -> String {
    switch format {
    case "json": return JSONText.compact(value) + "\n"
    default: return JSONText.pretty(value) + "\n"
    }
  }

  /// The response for a path, with Proxmox's errors for paths it cannot answer.
  static func get(_ path: String, _ arguments: Arguments, _ ctx: Context) throws(CommandFailure)
    -> JSONValue
  {
    let state = ctx.state
    let parts = path.split(separator: "/").map(String.init)
    if parts.first == "nodes", parts.count >= 2 {
      let node = parts[1]
      guard state.nodeExists(node) else {
        throw CommandFailure(
          "hostname lookup '\(node)' failed - failed to get address info for: \(node): Name or service not known"
        )
      }
      guard state.isOnline(node) else {
        throw CommandFailure(
          "500 Can't connect to \(state.nodeIP(node) ?? node):8006 (No route to host)")
      }
    }
    switch path {
    case Snapshot.haGroupsPath:
      if state.haGroupsMigrated {
        throw CommandFailure("cannot index group: ha groups have been migrated to rules")
      }
      return state[path] ?? .array([])
    case Snapshot.haRulesPath:
      guard state.clusterMajor >= 9 else { throw noHandler("get", path) }
      return state[path] ?? .array([])
    default: break
    }
    if parts.count == 5, parts[0] == "nodes", parts[2] == "storage", parts[4] == "content" {
      return try BackupContent.list(node: parts[1], storage: parts[3], arguments, state)
    }
    if let stored = state[path] { return stored }
    // Members of the collected lists and the guest status the executor polls.
    if parts.count == 3, parts[0] == "cluster", parts[1] == "backup" {
      if let job = state.list("/cluster/backup").first(where: { $0["id"]?.stringValue == parts[2] })
      {
        return .object(job)
      }
      throw CommandFailure("job '\(parts[2])' does not exist")
    }
    if parts.count == 4, parts[0] == "cluster", parts[1] == "ha" {
      let (list, key) =
        switch parts[2] {
        case "resources": (ClusterState.haResourcesPath, "sid")
        case "groups": (Snapshot.haGroupsPath, "group")
        default: (Snapshot.haRulesPath, "rule")
        }
      if let item = state.list(list).first(where: { $0[key]?.stringValue == parts[3] }) {
        return .object(item)
      }
      throw CommandFailure(
        parts[2] == "resources"
          ? "no such resource '\(parts[3])'" : "no such ha \(key) '\(parts[3])'")
    }
    if parts.count >= 4, parts[0] == "nodes", let kind = GuestKind(rawValue: parts[2]),
      let vmid = Int(parts[3])
    {
      let guest = state.guest(vmid: vmid)
      guard let guest, guest.kind == kind, guest.node == parts[1], parts.last != "config" else {
        throw CommandFailure(
          "Configuration file '\(GuestRecord.configFile(node: parts[1], kind: kind, vmid: vmid))' does not exist"
        )
      }
      if parts.count == 6, parts[4] == "status", parts[5] == "current" {
        return currentStatus(guest, state)
      }
    }
    throw noHandler("get", path)
  }

  /// `GET /nodes/<n>/{qemu,lxc}/<vmid>/status/current`, built from `/cluster/resources`.
  static func currentStatus(_ guest: GuestRecord, _ state: ClusterState) -> JSONValue {
    var o: [String: JSONValue] = [
      "vmid": .int(Int64(guest.vmid)), "status": .string(guest.status),
      "cpus": .int(Int64(state.vcpus(of: guest))),
    ]
    for key in [
      "name", "maxmem", "mem", "maxdisk", "disk", "uptime", "cpu", "lock", "tags", "template",
    ] {
      if let v = guest.entry[key] { o[key] = v }
    }
    if guest.kind == .qemu { o["qmpstatus"] = .string(guest.status) }
    if let r = state.haResource(guest.sid) {
      var ha: [String: JSONValue] = ["managed": .int(r["state"]?.stringValue == "ignored" ? 0 : 1)]
      if let s = guest.entry["hastate"] ?? r["state"] { ha["state"] = s }
      o["ha"] = .object(ha)
    } else {
      o["ha"] = .object(["managed": .int(0)])
    }
    return .object(o)
  }
}
