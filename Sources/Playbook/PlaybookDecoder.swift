import PVEModel
import Yams

/// Decodes a playbook's YAML text into a `Policy`, walking Yams' node tree so every error names the
/// file and line (`homelab.yaml:12: unknown key 'max_restarts' in ha; did you mean 'max_restart'? …`).
///
/// Keys are snake_case (`docs/playbook.md`). Absent or null keys keep `Policy`'s defaults.
package enum PlaybookDecoder {
  static let topKeys = [
    "name", "description", "critical", "ha", "keep_apart", "capacity", "migration", "backup",
    "actions", "advice", "restore_test",
  ]
  static let restoreTestKeys = [
    "scratch_vmids", "max_guests", "isolated_bridge", "storage", "agent_timeout",
  ]
  static let selectorKeys = ["vmid", "name", "tag", "pool"]
  /// Longest playbook name: it is part of every comment pvemend writes into Proxmox (backup job
  /// comments hold at most 512 characters).
  static let maxNameLength = 64
  /// Highest `capacity.vcpu_per_core` (far above any sane overcommit; keeps arithmetic finite).
  static let maxVCPUPerCore: Double = 1024
  static let criticalKeys = selectorKeys + ["level", "purpose"]
  static let haKeys = [
    "state", "max_restart", "max_relocate", "spread", "levels", "start_stopped", "shared_storage",
    "id_prefix",
  ]
  static let keepApartKeys = ["name", "guests"]
  static let capacityKeys = [
    "vcpu_per_core", "memory_reserve", "local_storage_reserve", "share_tolerance", "storage_warn",
    "storage_critical", "failover_vcpu_per_core", "failover_memory_reserve",
  ]
  static let migrationKeys = [
    "allow_container_restart", "max_parallel_per_node", "never_move", "max_moves", "timeout",
  ]
  static let backupKeys = [
    "job_id", "storage", "schedule", "mode", "compress", "retention", "offsite", "exclude",
  ]
  static let offsiteKeys = ["job_id", "storage", "schedule", "retention"]
  static let retentionKeys = [
    "keep-all", "keep-last", "keep-hourly", "keep-daily", "keep-weekly", "keep-monthly",
    "keep-yearly",
  ]
  static let adviceKeys = ["id", "title", "detail"]
  /// `ha-manager add --state` values.
  static let haStates = ["started", "stopped", "disabled", "ignored"]
  static let backupModes = ["snapshot", "suspend", "stop"]
  static let compressions = ["0", "1", "gzip", "lzo", "zstd"]

  /// Decodes `text` (the contents of `file`); errors name the file, the line and the accepted values.
  package static func decode(_ text: String, file: String) throws(PlaybookError) -> Policy {
    let root: Yams.Node?
    do {
      root = try Yams.compose(yaml: text)
    } catch let error as YamlError {
      throw syntaxError(error, file: file)
    } catch {
      throw .invalid(
        file: file, line: 1, message: "cannot parse the yaml (\(error)); fix the syntax")
    }
    guard let root else { return Policy() }
    let document = PlaybookNode(node: root, file: file, path: "")
    if document.isNull { return Policy() }
    return try policy(document)
  }

  /// A Yams syntax error as a located `PlaybookError`.
  static func syntaxError(_ error: YamlError, file: String) -> PlaybookError {
    switch error {
    case .scanner(let context, let problem, let mark, _),
      .parser(let context, let problem, let mark, _),
      .composer(let context, let problem, let mark, _):
      var message = "yaml syntax: \(context.map { $0.text + " " } ?? "")\(problem)"
      if message.contains("alias") || message.contains("anchor") {
        message += "; quote globs that start with '*', e.g. name: '*proxy*'"
      } else {
        message += "; fix the indentation or quoting at this line"
      }
      return .invalid(file: file, line: mark.line, message: message)
    case .duplicatedKeysInMapping(let duplicates, let context):
      let keys = duplicates.sorted().map { "'\($0)'" }.joined(separator: ", ")
      return .invalid(
        file: file, line: context.mark.line,
        message: "duplicate key \(keys) in one mapping; keep one of them")
    default:
      return .invalid(
        file: file, line: 1, message: "cannot read the yaml: \(error); save it as utf-8 text")
    }
  }

  static func policy(_ document: PlaybookNode) throws(PlaybookError) -> Policy {
    let top = try document.mapping(accepted: topKeys, example: "name: homelab")
    var policy = Policy()
    if let node = top["name"] {
      policy.name = try node.singleLine(example: "homelab", maxLength: maxNameLength)
    }
    if let node = top["description"] {
      policy.description = try node.string(example: "Reference homelab cluster")
    }
    if let node = top["critical"] {
      policy.critical = try node.list(example: "critical: [{name: 'traefik*', level: critical}]")
        .map { item throws(PlaybookError) in try criticalEntry(item) }
    }
    if let node = top["ha"] { policy.ha = try ha(node) }
    if let node = top["keep_apart"] { policy.keepApart = try keepApart(node) }
    if let node = top["capacity"] { policy.capacity = try capacity(node) }
    if let node = top["migration"] { policy.migration = try migration(node) }
    if let node = top["backup"] { policy.backup = try backup(node) }
    if let node = top["actions"] { policy.actions = try actions(node) }
    if let node = top["advice"] { policy.advice = try advice(node) }
    if let node = top["restore_test"] { policy.restoreTest = try restoreTest(node) }
    return policy
  }

  // MARK: Selectors and critical guests

  static let selectorExample = "110, or {name: 'traefik*'}, {tag: critical}, {pool: prod}"

  /// A VMID, or a mapping with vmid, name, tag and/or pool.
  static func selector(_ node: PlaybookNode) throws(PlaybookError) -> GuestSelector {
    if case .scalar = node.node {
      let text = try node.scalarText(expected: "a guest selector", example: selectorExample)
      guard let vmid = Int(text.trimmingSpaces) else {
        throw node.error(
          "\(node.subject) must be a guest selector (a VMID or a mapping with vmid, name, tag or pool), got \(node.shape); example: \(selectorExample)"
        )
      }
      return try GuestSelector(vmid: checkedVMID(vmid, node))
    }
    let mapping = try node.mapping(accepted: selectorKeys, example: selectorExample)
    return try selector(from: mapping)
  }

  /// The selector keys of a mapping (also used by critical entries); at least one is required.
  static func selector(from mapping: PlaybookMapping) throws(PlaybookError) -> GuestSelector {
    var selector = GuestSelector()
    if let node = mapping["vmid"] {
      selector.vmid = try checkedVMID(node.int(example: 110), node)
    }
    if let node = mapping["name"] { selector.name = try node.string(example: "'traefik*'") }
    if let node = mapping["tag"] {
      let tag = try node.string(example: "critical")
      guard tag.allSatisfy({ $0.isLetter || $0.isNumber || "_-+.".contains($0) }) else {
        throw node.error(
          "\(node.subject) '\(tag)' is not a proxmox tag; tags use letters, digits and _ - + . only, e.g. tag: critical"
        )
      }
      selector.tag = tag
    }
    if let node = mapping["pool"] { selector.pool = try node.string(example: "prod") }
    guard
      selector.vmid != nil || selector.name != nil || selector.tag != nil || selector.pool != nil
    else {
      throw mapping.owner.error(
        "\(mapping.owner.subject) selects no guest; give vmid, name, tag or pool, e.g. \(selectorExample)"
      )
    }
    return selector
  }

  static func checkedVMID(_ vmid: Int, _ node: PlaybookNode) throws(PlaybookError) -> Int {
    guard (100...999_999_999).contains(vmid) else {
      throw node.error(
        "\(node.subject) \(vmid) is not a proxmox vmid; vmids are 100…999999999, e.g. 110")
    }
    return vmid
  }

  static func selectors(_ node: PlaybookNode, example: String) throws(PlaybookError)
    -> [GuestSelector]
  {
    try node.list(example: example).map { item throws(PlaybookError) in try selector(item) }
  }

  static func level(_ node: PlaybookNode) throws(PlaybookError) -> CriticalityLevel {
    let text = try node.choice(
      CriticalityLevel.allCases.map(\.rawValue), what: "a criticality level")
    return CriticalityLevel(rawValue: text) ?? .high
  }

  static func criticalEntry(_ node: PlaybookNode) throws(PlaybookError) -> CriticalEntry {
    let example = "- {vmid: 110, level: critical, purpose: Reverse proxy}"
    let mapping = try node.mapping(accepted: criticalKeys, example: example)
    let selector = try selector(from: mapping)
    let level = try level(mapping.required("level", example: "critical"))
    let purpose = try mapping["purpose"]?.singleLine(example: "Reverse proxy (all external access)")
    return CriticalEntry(selector: selector, level: level, purpose: purpose)
  }

  // MARK: HA and keep-apart

  static func ha(_ node: PlaybookNode) throws(PlaybookError) -> HAPolicy {
    let mapping = try node.mapping(
      accepted: haKeys, example: "ha: {max_restart: 3, max_relocate: 2}")
    var ha = HAPolicy()
    if let node = mapping["state"] { ha.state = try node.choice(haStates, what: "an HA state") }
    if let node = mapping["max_restart"] { ha.maxRestart = try node.int(example: 3, minimum: 0) }
    if let node = mapping["max_relocate"] { ha.maxRelocate = try node.int(example: 2, minimum: 0) }
    if let node = mapping["spread"] { ha.spread = try node.bool(example: true) }
    if let node = mapping["levels"] {
      let levels = try node.list(example: "levels: [critical, high]").map {
        item throws(PlaybookError) in try level(item)
      }
      ha.levels = Array(Set(levels)).sorted()
    }
    if let node = mapping["start_stopped"] { ha.startStopped = try node.bool(example: false) }
    if let node = mapping["shared_storage"] {
      ha.sharedStorage = try storageID(node, example: "TrueNas_NVMe")
    }
    if let node = mapping["id_prefix"] {
      let prefix = try node.string(example: "pvemend-")
      guard isConfigID(prefix + "x") else {
        throw node.error(
          "\(node.subject) '\(prefix)' cannot start a proxmox rule or group id (pve-configid ^[a-z][a-z0-9_-]+$); start with a letter and use letters, digits, '-' and '_', e.g. id_prefix: pvemend-"
        )
      }
      ha.idPrefix = prefix
    }
    return ha
  }

  static func keepApart(_ node: PlaybookNode) throws(PlaybookError) -> [KeepApartSet] {
    let example = "- {name: traefik, guests: [110, 121]}"
    var sets: [KeepApartSet] = []
    for item in try node.list(example: "keep_apart: [{name: traefik, guests: [110, 121]}]") {
      let mapping = try item.mapping(accepted: keepApartKeys, example: example)
      let nameNode = try mapping.required("name", example: "traefik")
      let name = try nameNode.string(example: "traefik")
      guard
        name.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_") })
      else {
        throw nameNode.error(
          "\(nameNode.subject) '\(name)' becomes part of an HA rule id; use letters, digits, '-' and '_' only, e.g. name: traefik"
        )
      }
      if sets.contains(where: { $0.name == name }) {
        throw nameNode.error(
          "\(nameNode.subject) '\(name)' is used twice; give every keep_apart set its own name")
      }
      let guestsNode = try mapping.required("guests", example: "[110, 121]")
      let guests = try selectors(guestsNode, example: "guests: [110, 121]")
      let broad = guests.contains { $0.vmid == nil }
      guard guests.count >= 2 || (broad && !guests.isEmpty) else {
        throw guestsNode.error(
          "\(guestsNode.subject) must select at least two guests (two selectors, or a tag, name or pool selector); example: guests: [110, 121]"
        )
      }
      sets.append(KeepApartSet(name: name, guests: guests))
    }
    return sets
  }

  // MARK: Capacity and migration

  static func capacity(_ node: PlaybookNode) throws(PlaybookError) -> CapacityPolicy {
    let mapping = try node.mapping(accepted: capacityKeys, example: "capacity: {vcpu_per_core: 4}")
    var capacity = CapacityPolicy()
    if let node = mapping["vcpu_per_core"] {
      let value = try node.number(example: "4")
      guard value > 0, value <= maxVCPUPerCore else {
        throw node.error(
          "\(node.subject) must be greater than 0 and at most \(Int(maxVCPUPerCore)), got \(value); example: vcpu_per_core: 4"
        )
      }
      capacity.vcpuPerCore = value
    }
    if let node = mapping["memory_reserve"] {
      let bytes = try node.size(example: "4GiB")
      guard bytes <= PlausibleRange.nodeMemory else {
        throw node.error(
          "\(node.subject) must be at most 64TiB (more than any node has), got \(ByteSize.binary(bytes)); example: memory_reserve: 4GiB"
        )
      }
      capacity.memoryReserve = bytes
    }
    if let node = mapping["local_storage_reserve"] {
      capacity.localStorageReserve = try node.fraction(example: "10%")
    }
    if let node = mapping["share_tolerance"] {
      capacity.shareTolerance = try node.fraction(example: "0.15")
    }
    if let node = mapping["storage_warn"] {
      capacity.storageWarn = try node.fraction(example: "80%")
    }
    if let node = mapping["storage_critical"] {
      capacity.storageCritical = try node.fraction(example: "90%")
    }
    if let node = mapping["failover_vcpu_per_core"] {
      let value = try node.number(example: "6")
      guard value > 0, value <= maxVCPUPerCore else {
        throw node.error(
          "\(node.subject) must be greater than 0 and at most \(Int(maxVCPUPerCore)), got \(value); example: failover_vcpu_per_core: 6"
        )
      }
      guard value >= capacity.vcpuPerCore else {
        throw node.error(
          "\(node.subject) (\(value)) is below capacity.vcpu_per_core (\(capacity.vcpuPerCore)); the failover limit is what a survivor may carry beyond the everyday ceiling, e.g. failover_vcpu_per_core: \(capacity.vcpuPerCore * CapacityPolicy.failoverVCPUFactor)"
        )
      }
      capacity.failoverVCPUPerCoreSetting = value
    }
    if let node = mapping["failover_memory_reserve"] {
      let bytes = try node.size(example: "2GiB")
      guard bytes <= capacity.memoryReserve else {
        throw node.error(
          "\(node.subject) (\(ByteSize.binary(bytes))) is above capacity.memory_reserve (\(ByteSize.binary(capacity.memoryReserve))); a survivor may keep less free during a failover, not more; example: failover_memory_reserve: 2GiB"
        )
      }
      capacity.failoverMemoryReserveSetting = bytes
    }
    guard capacity.storageWarn <= capacity.storageCritical else {
      let at = mapping["storage_warn"] ?? mapping["storage_critical"] ?? node
      throw at.error(
        "capacity.storage_warn (\(capacity.storageWarn)) is above capacity.storage_critical (\(capacity.storageCritical)); make the warning level the lower one, e.g. 80% and 90%"
      )
    }
    return capacity
  }

  static func migration(_ node: PlaybookNode) throws(PlaybookError) -> MigrationPolicy {
    let mapping = try node.mapping(accepted: migrationKeys, example: "migration: {max_moves: 10}")
    var migration = MigrationPolicy()
    if let node = mapping["allow_container_restart"] {
      migration.allowContainerRestart = try node.bool(example: true)
    }
    if let node = mapping["max_parallel_per_node"] {
      migration.maxParallelPerNode = try node.int(example: 1, minimum: 1)
    }
    if let node = mapping["never_move"] {
      migration.neverMove = try selectors(node, example: "never_move: [114, {tag: pinned}]")
    }
    if let node = mapping["max_moves"] {
      migration.maxMoves = try node.int(example: 10, minimum: 0)
    }
    if let node = mapping["timeout"] {
      migration.timeoutSeconds = try node.duration(example: "15m")
    }
    return migration
  }

  // MARK: Restore tests

  static func restoreTest(_ node: PlaybookNode) throws(PlaybookError) -> RestoreTestPolicy {
    let mapping = try node.mapping(
      accepted: restoreTestKeys, example: "restore_test: {scratch_vmids: 99900-99999}")
    var policy = RestoreTestPolicy()
    if let node = mapping["scratch_vmids"] {
      let text = try node.singleLine(example: "99900-99999")
      let bounds = text.replacingOccurrences(of: "..", with: "-").split(separator: "-").map {
        Int($0.trimmingCharacters(in: .whitespaces))
      }
      guard bounds.count == 2, let first = bounds[0], let last = bounds[1], first >= 100,
        first <= last, last <= 999_999_999
      else {
        throw node.error(
          "\(node.subject) '\(text)' is not a VMID range; write FIRST-LAST with 100 ≤ FIRST ≤ LAST ≤ 999999999, e.g. 99900-99999"
        )
      }
      policy.firstVMID = first
      policy.lastVMID = last
    }
    if let node = mapping["max_guests"] { policy.maxGuests = try node.int(example: 3, minimum: 1) }
    if let node = mapping["isolated_bridge"] {
      policy.isolatedBridge = try storageID(node, example: "vmbr99")
    }
    if let node = mapping["storage"] { policy.storage = try storageID(node, example: "local-lvm") }
    if let node = mapping["agent_timeout"] {
      policy.agentTimeoutSeconds = try node.duration(example: "5m")
    }
    return policy
  }

  // MARK: Backup

  static func backup(_ node: PlaybookNode) throws(PlaybookError) -> BackupPolicy {
    let mapping = try node.mapping(accepted: backupKeys, example: "backup: {storage: Truenas_jbod}")
    var backup = BackupPolicy()
    if let node = mapping["job_id"] { backup.jobID = try jobID(node) }
    if let node = mapping["storage"] {
      backup.storage = try storageID(node, example: "Truenas_jbod")
    }
    if let node = mapping["schedule"] { backup.schedule = try schedule(node) }
    if let node = mapping["mode"] {
      backup.mode = try node.choice(backupModes, what: "a backup mode")
    }
    if let node = mapping["compress"] {
      backup.compress = try node.choice(compressions, what: "a compression")
    }
    if let node = mapping["retention"] { backup.retention = try retention(node) }
    if let node = mapping["offsite"] {
      let offsite = try node.mapping(
        accepted: offsiteKeys, example: "offsite: {job_id: pvemend-offsite, storage: pbs-remote}")
      let jobNode = try offsite.required("job_id", example: "pvemend-offsite")
      let id = try jobID(jobNode)
      guard id != backup.jobID else {
        throw jobNode.error(
          "\(jobNode.subject) '\(id)' is also backup.job_id; give the offsite job its own id, e.g. pvemend-offsite"
        )
      }
      let storage = try storageID(
        offsite.required("storage", example: "pbs-remote"), example: "pbs-remote")
      let schedule =
        try offsite["schedule"].map { n throws(PlaybookError) in try Self.schedule(n) }
        ?? "sun 03:00"
      let retention =
        try offsite["retention"].map { n throws(PlaybookError) in try Self.retention(n) } ?? [
          "keep-weekly": 8
        ]
      backup.offsite = OffsitePolicy(
        jobID: id, storage: storage, schedule: schedule, retention: retention)
    }
    if let node = mapping["exclude"] {
      backup.exclude = try selectors(node, example: "exclude: [128, {tag: nobackup}]")
    }
    return backup
  }

  static func schedule(_ node: PlaybookNode) throws(PlaybookError) -> String {
    let text = try node.scalarText(expected: "a calendar event", example: "schedule: '02:00'")
    if let problem = CalendarEvent.problem(in: text) {
      throw node.error("\(node.subject) \(problem)")
    }
    return text.trimmingSpaces
  }

  static func retention(_ node: PlaybookNode) throws(PlaybookError) -> [String: Int] {
    let example = "retention: {keep-daily: 30, keep-weekly: 8, keep-monthly: 12}"
    let mapping = try node.mapping(accepted: retentionKeys, example: example)
    var retention: [String: Int] = [:]
    var keepAllNode: PlaybookNode?
    for entry in mapping.entries where !entry.value.isNull {
      if entry.key == "keep-all" {
        let text = (try? entry.value.scalarText(expected: "", example: "")) ?? ""
        let keepAll: Bool
        switch text.trimmingSpaces.lowercased() {
        case "1": keepAll = true
        case "0": keepAll = false
        default: keepAll = try entry.value.bool(example: true)
        }
        if keepAll {
          retention["keep-all"] = 1
          keepAllNode = entry.value
        }
      } else {
        retention[entry.key] = try entry.value.int(example: 30, minimum: 1)
      }
    }
    if let keepAllNode, retention.count > 1 {
      throw keepAllNode.error(
        "keep-all cannot be combined with other keep-* values (proxmox refuses it); drop keep-all or the others"
      )
    }
    guard !retention.isEmpty else {
      throw node.error(
        "\(node.subject) keeps nothing; give at least one keep-* value, e.g. \(example)")
    }
    return retention
  }

  /// A backup job id: pve-configid, `^[a-z][a-z0-9_-]+$` (case-insensitive).
  static func jobID(_ node: PlaybookNode) throws(PlaybookError) -> String {
    let id = try node.string(example: "pvemend-daily")
    guard isConfigID(id) else {
      throw node.error(
        "\(node.subject) '\(id)' is not a valid proxmox job id (pve-configid ^[a-z][a-z0-9_-]+$): start with a letter, then at least one letter, digit, '-' or '_', e.g. pvemend-daily"
      )
    }
    return id
  }

  static func isConfigID(_ text: String) -> Bool {
    guard text.count >= 2, let first = text.first, first.isASCII, first.isLetter else {
      return false
    }
    return text.dropFirst().allSatisfy {
      $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_")
    }
  }

  /// A storage id: pve-storage-id, `^[a-z][a-z0-9\-_.]*[a-z0-9]$` (case-insensitive).
  static func storageID(_ node: PlaybookNode, example: String) throws(PlaybookError) -> String {
    let id = try node.string(example: example)
    let valid =
      id.first.map { $0.isASCII && $0.isLetter } == true
      && id.last.map { $0.isASCII && ($0.isLetter || $0.isNumber) } == true
      && id.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || "-_.".contains($0)) }
    guard valid else {
      throw node.error(
        "\(node.subject) '\(id)' is not a proxmox storage id (letters, digits, '-', '_', '.'; starting with a letter); use the id from 'pvesm status', e.g. \(example)"
      )
    }
    return id
  }

  // MARK: Actions and advice

  static func actions(_ node: PlaybookNode) throws(PlaybookError) -> [String: FindingAction] {
    let mapping = try node.mapping(
      accepted: FindingAction.knownRules, example: "actions: {ha.unprotected: enable-ha}")
    var actions: [String: FindingAction] = [:]
    for entry in mapping.entries where !entry.value.isNull {
      let text = try entry.value.choice(FindingAction.allCases.map(\.rawValue), what: "an action")
      let action = FindingAction(rawValue: text) ?? .advise
      guard action.applicableRules.contains(entry.key) else {
        let fitting = FindingAction.applicable(to: entry.key).map(\.rawValue).joined(
          separator: ", ")
        throw entry.value.error(
          "action '\(text)' cannot act on \(entry.key) findings; accepted for \(entry.key): \(fitting)"
        )
      }
      actions[entry.key] = action
    }
    return actions
  }

  static func advice(_ node: PlaybookNode) throws(PlaybookError) -> [AdviceEntry] {
    let example = "- {id: truenas-spof, title: Add a second storage server, detail: …}"
    var entries: [AdviceEntry] = []
    for item in try node.list(example: "advice: [{id: dr-runbook, title: …, detail: …}]") {
      let mapping = try item.mapping(accepted: adviceKeys, example: example)
      let idNode = try mapping.required("id", example: "truenas-spof")
      let id = try idNode.string(example: "truenas-spof")
      guard id.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || "-_.".contains($0)) })
      else {
        throw idNode.error(
          "\(idNode.subject) '\(id)' becomes a plan step id; use letters, digits, '-', '_' and '.' only, e.g. id: truenas-spof"
        )
      }
      if entries.contains(where: { $0.id == id }) {
        throw idNode.error(
          "\(idNode.subject) '\(id)' is used twice; give every advice entry its own id")
      }
      let title = try mapping.required("title", example: "Add a second storage server").string(
        example: "Add a second storage server")
      let detail = try mapping.required("detail", example: "…").string(example: "…")
      entries.append(AdviceEntry(id: id, title: title, detail: detail))
    }
    return entries
  }
}
