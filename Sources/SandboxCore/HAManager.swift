import PVEModel

/// `ha-manager`: resources, groups (PVE 8 and unmigrated 9), rules (PVE 9), status and queued
/// migrate/relocate requests, with pve-ha-manager's checks and wording.
enum HAManager {
  static func run(_ args: [String], _ ctx: Context) throws(CommandFailure) -> Outcome {
    guard let sub = args.first else {
      throw CommandFailure("400 not enough arguments\n\nha-manager <COMMAND> [ARGS] [OPTIONS]")
    }
    let rest = Array(args.dropFirst())
    switch sub {
    case "add": return try add(rest, ctx)
    case "set": return try set(rest, ctx)
    case "remove": return try remove(rest, ctx)
    case "migrate", "relocate": return try move(sub, rest, ctx)
    case "crm-command":
      if rest.first == "node-maintenance" {
        return try NodeMaintenance.run(Array(rest.dropFirst()), ctx)
      }
      guard let command = rest.first, command == "migrate" || command == "relocate" else {
        throw CommandFailure(
          "pve-standin: 'ha-manager crm-command \(rest.first ?? "")' is not simulated by the sandbox"
        )
      }
      return try move(command, Array(rest.dropFirst()), ctx)
    case "status": return try status(rest, ctx)
    case "config": return try config(rest, ctx)
    case "groupadd": return try groupAdd(rest, ctx)
    case "groupremove": return try groupRemove(rest, ctx)
    case "groupconfig": return try groupConfig(rest, ctx)
    case "rules":
      guard ctx.major >= 9 else { throw CommandFailure("unknown command 'ha-manager rules'") }
      return try rules(rest, ctx)
    default:
      throw CommandFailure("unknown command 'ha-manager \(sub)'")
    }
  }

  /// `vm:114`, or a bare VMID resolved from the cluster's guests.
  static func resolveSID(_ text: String, _ state: ClusterState) throws(CommandFailure) -> String {
    if text.contains(":") { return text }
    guard let vmid = Int(text), let g = state.guest(vmid: vmid) else {
      throw CommandFailure("unable to detect SID from VMID - VM/CT \(text) does not exist")
    }
    return g.sid
  }

  static func groupsMigratedRefusal(_ what: String) -> CommandFailure {
    CommandFailure("cannot \(what) group: ha groups have been migrated to rules")
  }

  // MARK: resources

  static func add(_ args: [String], _ ctx: Context) throws(CommandFailure) -> Outcome {
    let state = ctx.state
    let a = try CommandSchemas.haAdd(major: ctx.major).parse(args)
    try ctx.checkQuorum()
    let sid = try resolveSID(a["sid"] ?? "", state)
    guard let (kind, vmid) = Cluster.parseSID(sid) else {
      throw CommandFailure("unable to parse service id '\(sid)'")
    }
    if let type = a.options["type"], type != kind.haType {
      throw CommandFailure("types does not match")
    }
    guard let guest = state.guest(vmid: vmid) else {
      throw CommandFailure("resource '\(sid)' does not exist in cluster")
    }
    if guest.kind != kind, ctx.major >= 9 {
      throw CommandFailure(
        "resource '\(sid)' - guest with ID \(vmid) is not a \(kind == .qemu ? "VM" : "CT")")
    }
    if a.options["group"] != nil, state.haGroupsMigrated {
      throw CommandFailure("invalid parameter 'group': ha groups have been migrated to rules")
    }
    var resources = state.list(ClusterState.haResourcesPath)
    if resources.contains(where: { $0["sid"]?.stringValue == sid }) {
      throw CommandFailure("create resource failed: resource ID '\(sid)' already defined")
    }
    var resource: [String: JSONValue] = ["sid": .string(sid), "type": .string(kind.haType)]
    for key in ["state", "group", "comment"] {
      if let v = a.options[key] { resource[key] = .string(v) }
    }
    for key in ["max_restart", "max_relocate", "failback"] {
      if let v = a.int(key) { resource[key] = .int(Int64(v)) }
    }
    resources.append(resource)
    state.setHAResources(resources)
    state.putService(state.serviceEntry(sid: sid, resource: resource, node: guest.node))
    state.applyRequestedState(sid, a.options["state"] ?? "started")
    return Outcome()
  }

  static func set(_ args: [String], _ ctx: Context) throws(CommandFailure) -> Outcome {
    let state = ctx.state
    let a = try CommandSchemas.haSet(major: ctx.major).parse(args)
    let sid = try resolveSID(a["sid"] ?? "", state)
    if let group = a.options["group"] {
      if state.haGroupsMigrated {
        throw CommandFailure("invalid parameter 'group': ha groups have been migrated to rules")
      }
      if !state.list(Snapshot.haGroupsPath).contains(where: { $0["group"]?.stringValue == group }) {
        throw CommandFailure("HA group '\(group)' does not exist")
      }
    }
    if state.service(sid)?["state"]?.stringValue == "error", a.options["state"] != "disabled" {
      throw CommandFailure("service '\(sid)' in error state, must be disabled and fixed first")
    }
    var resources = state.list(ClusterState.haResourcesPath)
    guard let index = resources.firstIndex(where: { $0["sid"]?.stringValue == sid }) else {
      throw CommandFailure("update resource failed: no such resource '\(sid)'")
    }
    var resource = resources[index]
    for key in ["state", "group", "comment"] {
      if let v = a.options[key] { resource[key] = .string(v) }
    }
    for key in ["max_restart", "max_relocate", "failback"] {
      if let v = a.int(key) { resource[key] = .int(Int64(v)) }
    }
    let deletable: Set<String> = [
      "comment", "group", "max_relocate", "max_restart", "state", "failback",
    ]
    for key in (a.options["delete"] ?? "").split(separator: ",").map(String.init) {
      guard deletable.contains(key) else {
        throw CommandFailure("update resource failed: no such option '\(key)'")
      }
      resource[key] = nil
    }
    resources[index] = resource
    state.setHAResources(resources)
    let node = state.guest(sid: sid)?.node ?? state.service(sid)?["node"]?.stringValue ?? ""
    var entry = state.serviceEntry(sid: sid, resource: resource, node: node)
    if let old = state.service(sid) {
      for key in ["state", "crm_state", "request_state", "status"] { entry[key] = old[key] }
    }
    state.putService(entry)
    if a.options["state"] != nil || a.options["delete"]?.contains("state") == true {
      state.applyRequestedState(sid, resource["state"]?.stringValue ?? "started")
    }
    return Outcome()
  }

  static func remove(_ args: [String], _ ctx: Context) throws(CommandFailure) -> Outcome {
    let state = ctx.state
    let a = try CommandSchemas.haRemove(major: ctx.major).parse(args)
    let sid = try resolveSID(a["sid"] ?? "", state)
    let resources = state.list(ClusterState.haResourcesPath)
    guard resources.contains(where: { $0["sid"]?.stringValue == sid }) else {
      throw CommandFailure("cannot delete service '\(sid)', not HA managed!")
    }
    state.setHAResources(resources.filter { $0["sid"]?.stringValue != sid })
    state.removeService(sid)
    state.pending.removeAll { $0.sid == sid }
    if ctx.major >= 9, a.options["purge"] != "0", state[Snapshot.haRulesPath] != nil {
      var rules: [[String: JSONValue]] = []
      for var rule in state.list(Snapshot.haRulesPath) {
        let members = Cluster.list(rule["resources"]?.stringValue)
        guard members.contains(sid) else {
          rules.append(rule)
          continue
        }
        let left = members.filter { $0 != sid }
        if left.isEmpty { continue }
        rule["resources"] = .string(left.joined(separator: ","))
        rules.append(rule)
      }
      setRules(rules, state)
    }
    return Outcome()
  }

  static func move(_ command: String, _ args: [String], _ ctx: Context) throws(CommandFailure)
    -> Outcome
  {
    let state = ctx.state
    let a = try CommandSchemas.haMove(command).parse(args)
    let sid = try resolveSID(a["sid"] ?? "", state)
    let target = a["node"] ?? ""
    guard state.isHAManaged(sid) else {
      throw CommandFailure("resource '\(sid)' is not HA managed")
    }
    if state.service(sid)?["state"]?.stringValue == "error" {
      throw CommandFailure("service '\(sid)' in error state, must be disabled and fixed first")
    }
    var lines: [String] = []
    var together: [String] = []
    if ctx.major >= 9 {
      var blocking: [String] = []
      for rule in state.list(Snapshot.haRulesPath)
      where rule["type"]?.stringValue == "resource-affinity" && rule["disable"]?.boolValue != true {
        let members = Cluster.list(rule["resources"]?.stringValue)
        guard members.contains(sid) else { continue }
        for other in members where other != sid {
          let otherNode = state.guest(sid: other)?.node
          if rule["affinity"]?.stringValue == "negative", otherNode == target {
            blocking.append(
              "- resource '\(other)' on target node '\(target)' in negative affinity with resource '\(sid)'"
            )
          } else if rule["affinity"]?.stringValue == "positive", otherNode != target,
            state.isHAManaged(other)
          {
            together.append(other)
          }
        }
      }
      if !blocking.isEmpty {
        throw CommandFailure(
          "cannot \(command) resource '\(sid)' to node '\(target)':\n\n"
            + blocking.sorted().joined(separator: "\n"))
      }
      for other in together.sorted() {
        lines.append(
          "also \(command) resource '\(other)' in positive affinity with resource '\(sid)' to target node '\(target)'"
        )
      }
    }
    for member in [sid] + together.sorted() {
      state.pending.removeAll { $0.sid == member }
      state.queueMove(sid: member, target: target, command: command, due: ctx.now + ctx.haDelay)
    }
    return .lines(lines)
  }

  static func status(_ args: [String], _ ctx: Context) throws(CommandFailure) -> Outcome {
    _ = try CommandSchemas.haStatus.parse(args)
    let lines = ctx.state.list(ClusterState.haStatusPath).compactMap { e -> String? in
      guard let type = e["type"]?.stringValue, let status = e["status"]?.stringValue else {
        return nil
      }
      return "\(type) \(status)"
    }
    return .lines(lines.isEmpty ? ["quorum OK"] : lines)
  }

  static func config(_ args: [String], _ ctx: Context) throws(CommandFailure) -> Outcome {
    let a = try CommandSchemas.haConfig.parse(args)
    var out = ""
    let resources = ctx.state.list(ClusterState.haResourcesPath).sorted {
      ($0["sid"]?.stringValue ?? "") < ($1["sid"]?.stringValue ?? "")
    }
    for r in resources {
      if let type = a.options["type"], r["type"]?.stringValue != type { continue }
      out += section(
        header: r["sid"]?.stringValue ?? "", r, skip: ["digest", "sid", "type", "errors"])
    }
    return Outcome(stdout: out)
  }

  /// `<header>` then tab-indented `key value` lines (keys sorted), then a blank line.
  static func section(header: String, _ o: [String: JSONValue], skip: Set<String>) -> String {
    var text = header + "\n"
    for key in o.keys.sorted() where !skip.contains(key) {
      text += "\t\(key) \(o[key]?.stringValue ?? JSONText.compact(o[key] ?? .null))\n"
    }
    return text + "\n"
  }

  // MARK: groups

  static func groupAdd(_ args: [String], _ ctx: Context) throws(CommandFailure) -> Outcome {
    let state = ctx.state
    let a = try CommandSchemas.haGroupAdd.parse(args)
    if state.haGroupsMigrated { throw groupsMigratedRefusal("create") }
    let id = a["group"] ?? ""
    var groups = state.list(Snapshot.haGroupsPath)
    if groups.contains(where: { $0["group"]?.stringValue == id }) {
      throw CommandFailure("create ha group failed: ha group ID '\(id)' already defined")
    }
    var group: [String: JSONValue] = [
      "group": .string(id), "type": .string("group"), "nodes": .string(a.options["nodes"] ?? ""),
    ]
    if let c = a.options["comment"] { group["comment"] = .string(c) }
    for key in ["restricted", "nofailback"] {
      if let v = a.int(key) { group[key] = .int(Int64(v)) }
    }
    groups.append(group)
    setGroups(groups, state)
    return Outcome()
  }

  static func groupRemove(_ args: [String], _ ctx: Context) throws(CommandFailure) -> Outcome {
    let state = ctx.state
    let a = try CommandSchemas.haGroupRemove.parse(args)
    if state.haGroupsMigrated { throw groupsMigratedRefusal("delete") }
    let id = a["group"] ?? ""
    setGroups(state.list(Snapshot.haGroupsPath).filter { $0["group"]?.stringValue != id }, state)
    return Outcome()
  }

  static func groupConfig(_ args: [String], _ ctx: Context) throws(CommandFailure) -> Outcome {
    _ = try CommandSchemas.haGroupConfig.parse(args)
    if ctx.state.haGroupsMigrated { throw groupsMigratedRefusal("index") }
    var out = ""
    for g in ctx.state.list(Snapshot.haGroupsPath).sorted(by: {
      ($0["group"]?.stringValue ?? "") < ($1["group"]?.stringValue ?? "")
    }) {
      out += section(
        header: "group: \(g["group"]?.stringValue ?? "")", g, skip: ["digest", "group", "type"])
    }
    return Outcome(stdout: out)
  }

  static func setGroups(_ groups: [[String: JSONValue]], _ state: ClusterState) {
    state.setList(Snapshot.haGroupsPath, restamped(groups, sortKey: "group"))
  }

  static func setRules(_ rules: [[String: JSONValue]], _ state: ClusterState) {
    state.setList(Snapshot.haRulesPath, restamped(rules, sortKey: "rule"))
  }

  /// One file digest for every section, as SectionConfig reports it.
  static func restamped(_ items: [[String: JSONValue]], sortKey: String) -> [[String: JSONValue]] {
    let plain = items.map { i -> [String: JSONValue] in
      var c = i
      c["digest"] = nil
      return c
    }.sorted { ($0[sortKey]?.stringValue ?? "") < ($1[sortKey]?.stringValue ?? "") }
    let digest = ConfigDigest.of(.array(plain.map { .object($0) }))
    return plain.map { i in
      var c = i
      c["digest"] = .string(digest)
      return c
    }
  }

  // MARK: rules (PVE 9)

  static func rules(_ args: [String], _ ctx: Context) throws(CommandFailure) -> Outcome {
    let state = ctx.state
    guard let sub = args.first else {
      throw CommandFailure(
        "400 not enough arguments\n\nha-manager rules <COMMAND> [ARGS] [OPTIONS]")
    }
    let rest = Array(args.dropFirst())
    switch sub {
    case "add":
      let a = try CommandSchemas.haRulesAdd.parse(rest)
      let type = a["type"] ?? ""
      let id = a["rule"] ?? ""
      let allowed: Set<String> =
        type == "node-affinity"
        ? ["resources", "nodes", "strict", "comment", "disable"]
        : ["resources", "affinity", "comment", "disable"]
      var errors: [String: String] = [:]
      for key in a.options.keys where !allowed.contains(key) {
        errors[key] =
          "property is not defined in schema and the schema does not allow additional properties"
      }
      if type == "node-affinity", a.options["nodes"] == nil {
        errors["nodes"] = "property is missing and it is not optional"
      }
      if type == "resource-affinity", a.options["affinity"] == nil {
        errors["affinity"] = "property is missing and it is not optional"
      }
      if !errors.isEmpty {
        throw CommandFailure.parameters(errors, usage: CommandSchemas.haRulesAdd.usage)
      }
      try ctx.checkQuorum()
      if !state.haGroupsMigrated {
        throw CommandFailure("cannot create ha rule: ha groups have not been migrated yet")
      }
      var rules = state.list(Snapshot.haRulesPath)
      if rules.contains(where: { $0["rule"]?.stringValue == id }) {
        throw CommandFailure("create ha rule failed: HA rule '\(id)' already defined")
      }
      let members = Cluster.list(a.options["resources"])
      let configured = Set(
        state.list(ClusterState.haResourcesPath).compactMap { $0["sid"]?.stringValue })
      let unmanaged = members.filter { !configured.contains($0) }
      if !unmanaged.isEmpty {
        throw CommandFailure(
          "create ha rule failed: cannot use unmanaged resource(s) \(unmanaged.joined(separator: ", "))."
        )
      }
      if let nodes = a.options["nodes"] {
        let missing = Set(NodePriority.parseList(nodes).map(\.node)).filter {
          !state.nodeExists($0) && $0 != ctx.node
        }.sorted()
        if !missing.isEmpty {
          throw CommandFailure(
            "create ha rule failed: cannot use non-existant node(s) \(missing.joined(separator: ", "))."
          )
        }
      }
      var problems: [String] = []
      if type == "resource-affinity", members.count < 2 {
        problems.append("resources: rule must specify at least two resources")
      }
      if type == "node-affinity" {
        for other in rules where other["type"]?.stringValue == "node-affinity" {
          let shared = Set(Cluster.list(other["resources"]?.stringValue)).intersection(members)
          if !shared.isEmpty {
            problems.append(
              "resources: at least one resource is already used in another node affinity rule ('\(other["rule"]?.stringValue ?? "")')"
            )
          }
        }
      }
      if !problems.isEmpty {
        throw CommandFailure(
          "create ha rule failed: Rule '\(id)' is invalid.\n" + problems.joined(separator: "\n"))
      }
      var rule: [String: JSONValue] = [
        "rule": .string(id), "type": .string(type),
        "resources": .string(members.joined(separator: ",")),
        "order": .int(Int64((rules.compactMap { $0["order"]?.intValue }.max() ?? 0) + 1)),
      ]
      if let nodes = a.options["nodes"] { rule["nodes"] = .string(nodes) }
      if type == "node-affinity" { rule["strict"] = .int(Int64(a.int("strict") ?? 0)) }
      if let affinity = a.options["affinity"] { rule["affinity"] = .string(affinity) }
      if let comment = a.options["comment"] { rule["comment"] = .string(comment) }
      if a.flag("disable") { rule["disable"] = .int(1) }
      rules.append(rule)
      setRules(rules, state)
      return Outcome()
    case "set":
      return try setRule(rest, ctx)
    case "remove":
      let a = try CommandSchemas.haRulesRemove.parse(rest)
      let id = a["rule"] ?? ""
      setRules(state.list(Snapshot.haRulesPath).filter { $0["rule"]?.stringValue != id }, state)
      return Outcome()
    case "config", "list":
      let a = try CommandSchemas.haRulesConfig.parse(rest)
      var rules = state.list(Snapshot.haRulesPath)
      if let type = a.options["type"] { rules = rules.filter { $0["type"]?.stringValue == type } }
      if let sid = a.options["resource"] {
        rules = rules.filter { Cluster.list($0["resources"]?.stringValue).contains(sid) }
      }
      switch a.options["output-format"] {
      case "json", "json-pretty":
        return Outcome(
          stdout: Pvesh.render(
            .array(rules.map { .object($0) }), format: a.options["output-format"]))
      default:
        var out = ""
        for r in rules {
          out += section(
            header: "\(r["type"]?.stringValue ?? ""): \(r["rule"]?.stringValue ?? "")", r,
            skip: ["digest", "rule", "type", "order"])
        }
        return Outcome(stdout: out)
      }
    default:
      throw CommandFailure("unknown command 'ha-manager rules \(sub)'")
    }
  }

  /// `ha-manager rules set <type> <rule>`: PUT /cluster/ha/rules/{rule}; `--resources` replaces the
  /// whole list.
  static func setRule(_ args: [String], _ ctx: Context) throws(CommandFailure) -> Outcome {
    let state = ctx.state
    let a = try CommandSchemas.haRulesSet.parse(args)
    let type = a["type"] ?? ""
    let id = a["rule"] ?? ""
    let allowed: Set<String> =
      type == "node-affinity"
      ? ["resources", "nodes", "strict", "comment", "disable", "delete", "digest"]
      : ["resources", "affinity", "comment", "disable", "delete", "digest"]
    var errors: [String: String] = [:]
    for key in a.options.keys where !allowed.contains(key) {
      errors[key] =
        "property is not defined in schema and the schema does not allow additional properties"
    }
    if !errors.isEmpty {
      throw CommandFailure.parameters(errors, usage: CommandSchemas.haRulesSet.usage)
    }
    if !state.haGroupsMigrated {
      throw CommandFailure("cannot update ha rule: ha groups have not been migrated yet")
    }
    var rules = state.list(Snapshot.haRulesPath)
    guard let index = rules.firstIndex(where: { $0["rule"]?.stringValue == id }) else {
      throw CommandFailure("update HA rules failed: HA rule '\(id)' does not exist")
    }
    var rule = rules[index]
    guard rule["type"]?.stringValue == type else {
      throw CommandFailure(
        "update HA rules failed: HA rule '\(id)' is a \(rule["type"]?.stringValue ?? "") rule, not \(type)"
      )
    }
    if let digest = a.options["digest"], digest != rule["digest"]?.stringValue {
      throw CommandFailure(
        "update HA rules failed: detected modified configuration - file changed by other user? Try again."
      )
    }
    var members = Cluster.list(rule["resources"]?.stringValue)
    if let resources = a.options["resources"] {
      members = Cluster.list(resources)
      let configured = Set(
        state.list(ClusterState.haResourcesPath).compactMap { $0["sid"]?.stringValue })
      let unmanaged = members.filter { !configured.contains($0) }
      if !unmanaged.isEmpty {
        throw CommandFailure(
          "update HA rules failed: cannot use unmanaged resource(s) \(unmanaged.joined(separator: ", "))."
        )
      }
      rule["resources"] = .string(members.joined(separator: ","))
    }
    if let nodes = a.options["nodes"] {
      let missing = Set(NodePriority.parseList(nodes).map(\.node)).filter {
        !state.nodeExists($0) && $0 != ctx.node
      }.sorted()
      if !missing.isEmpty {
        throw CommandFailure(
          "update HA rules failed: cannot use non-existant node(s) \(missing.joined(separator: ", "))."
        )
      }
      rule["nodes"] = .string(nodes)
    }
    if let comment = a.options["comment"] { rule["comment"] = .string(comment) }
    if let affinity = a.options["affinity"] { rule["affinity"] = .string(affinity) }
    for key in ["strict", "disable"] {
      if let v = a.int(key) { rule[key] = .int(Int64(v)) }
    }
    let deletable: Set<String> = ["comment", "disable", "strict", "nodes"]
    for key in (a.options["delete"] ?? "").split(separator: ",").map(String.init) {
      guard deletable.contains(key) else {
        throw CommandFailure("update HA rules failed: no such option '\(key)'")
      }
      rule[key] = key == "strict" ? .int(0) : nil
    }
    if rule["disable"]?.intValue == 0 { rule["disable"] = nil }
    if type == "node-affinity" {
      for other in rules
      where other["type"]?.stringValue == "node-affinity"
        && other["rule"]?.stringValue != id
      {
        if !Set(Cluster.list(other["resources"]?.stringValue)).intersection(members).isEmpty {
          throw CommandFailure(
            "update HA rules failed: Rule '\(id)' is invalid.\nresources: at least one resource is already used in another node affinity rule ('\(other["rule"]?.stringValue ?? "")')"
          )
        }
      }
    } else if members.count < 2 {
      throw CommandFailure(
        "update HA rules failed: Rule '\(id)' is invalid.\nresources: rule must specify at least two resources"
      )
    }
    rules[index] = rule
    setRules(rules, state)
    return Outcome()
  }
}
