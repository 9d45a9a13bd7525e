import PVEModel

/// The schemas of every command the stand-ins play, transcribed from Proxmox's API schema
/// (`../shared/pve-api/endpoints.json`, PVE 8.4 and 9.1) and the CLI synopses.
///
/// `major` is the PVE major version of the node the command runs on: the CLI there knows only its
/// own version's options (`--failback` and `--with-conntrack-state` are PVE 9 only,
/// `--notification-policy` is PVE 8 only).
package enum CommandSchemas {
  static let vmid = Parameter(
    "vmid", .integer, optional: false, minimum: 100, maximum: 999_999_999, format: .vmid)
  static let target = Parameter("target", .string, optional: false, format: .node)
  static let sid = Parameter("sid", .string, optional: false, format: .haResourceOrVMID)
  static let haStates = ["started", "stopped", "enabled", "disabled", "ignored"]

  static let qemuDisks: [String] =
    (0...3).map { "ide\($0)" } + (0...30).map { "scsi\($0)" } + (0...15).map { "virtio\($0)" }
    + (0...5).map { "sata\($0)" } + ["efidisk0", "tpmstate0"] + (0...255).map { "unused\($0)" }
  static let containerVolumes: [String] =
    ["rootfs"] + (0...255).map { "mp\($0)" } + (0...255).map { "unused\($0)" }

  // MARK: qm

  static func qmMigrate(major: Int) -> CommandSchema {
    var p = [
      vmid, target,
      Parameter("bwlimit", .integer, minimum: 0),
      Parameter("force", .boolean),
      Parameter("migration_network", .string),
      Parameter("migration_type", .string, enumValues: ["secure", "insecure"]),
      Parameter("online", .boolean),
      Parameter("targetstorage", .string, format: .storagePairList),
      Parameter("with-local-disks", .boolean),
    ]
    if major >= 9 { p.append(Parameter("with-conntrack-state", .boolean)) }
    return CommandSchema(
      usage: "qm migrate <vmid> <target> [OPTIONS]", positional: ["vmid", "target"], p)
  }

  static func qmDiskMove(usageName: String) -> CommandSchema {
    CommandSchema(
      usage: "\(usageName) <vmid> <disk> [<storage>] [OPTIONS]",
      positional: ["vmid", "disk", "storage"], required: 2,
      [
        vmid,
        Parameter("disk", .string, optional: false, enumValues: qemuDisks),
        Parameter("storage", .string, format: .storageID),
        Parameter("bwlimit", .integer, minimum: 0),
        Parameter("delete", .boolean),
        Parameter("digest", .string, maxLength: 40),
        Parameter("format", .string, enumValues: ["raw", "qcow2", "vmdk"]),
        Parameter("target-digest", .string, maxLength: 40),
        Parameter("target-disk", .string, enumValues: qemuDisks),
        Parameter("target-vmid", .integer, minimum: 100, maximum: 999_999_999, format: .vmid),
      ])
  }

  static func guestPower(_ tool: String, _ action: String) -> CommandSchema {
    var p = [vmid]
    switch (tool, action) {
    case ("qm", "start"):
      p += [Parameter("timeout", .integer, minimum: 0), Parameter("skiplock", .boolean)]
    case ("qm", "shutdown"):
      p += [
        Parameter("timeout", .integer, minimum: 0), Parameter("forceStop", .boolean),
        Parameter("keepActive", .boolean), Parameter("skiplock", .boolean),
      ]
    case ("qm", "stop"):
      p += [
        Parameter("timeout", .integer, minimum: 0), Parameter("skiplock", .boolean),
        Parameter("keepActive", .boolean),
      ]
    case ("pct", "start"): p += [Parameter("skiplock", .boolean)]
    case ("pct", "shutdown"):
      p += [Parameter("timeout", .integer, minimum: 0), Parameter("forceStop", .boolean)]
    case ("pct", "stop"):
      p += [Parameter("skiplock", .boolean), Parameter("overrule-shutdown", .boolean)]
    case (_, "status"): p += [Parameter("verbose", .boolean)]
    case (_, "config"): p += [Parameter("current", .boolean), Parameter("snapshot", .string)]
    default: break
    }
    return CommandSchema(usage: "\(tool) \(action) <vmid> [OPTIONS]", positional: ["vmid"], p)
  }

  // MARK: pct

  static let pctMigrate = CommandSchema(
    usage: "pct migrate <vmid> <target> [OPTIONS]", positional: ["vmid", "target"],
    [
      vmid, target,
      Parameter("bwlimit", .number, minimum: 0),
      Parameter("online", .boolean),
      Parameter("restart", .boolean),
      Parameter("target-storage", .string, format: .storagePairList),
      Parameter("timeout", .integer),
    ])

  static func pctMoveVolume(usageName: String) -> CommandSchema {
    CommandSchema(
      usage: "\(usageName) <vmid> <volume> [<storage>] [<target-vmid>] [<target-volume>] [OPTIONS]",
      positional: ["vmid", "volume", "storage", "target-vmid", "target-volume"], required: 2,
      [
        vmid,
        Parameter("volume", .string, optional: false, enumValues: containerVolumes),
        Parameter("storage", .string, format: .storageID),
        Parameter("target-vmid", .integer, minimum: 100, maximum: 999_999_999, format: .vmid),
        Parameter("target-volume", .string, enumValues: containerVolumes),
        Parameter("bwlimit", .number, minimum: 0),
        Parameter("delete", .boolean),
        Parameter("digest", .string, maxLength: 40),
        Parameter("target-digest", .string, maxLength: 40),
      ])
  }

  // MARK: ha-manager

  static func haAdd(major: Int) -> CommandSchema {
    var p = [
      sid,
      Parameter("comment", .string, maxLength: 4096),
      Parameter("group", .string, format: .configID),
      Parameter("max_relocate", .integer, minimum: 0),
      Parameter("max_restart", .integer, minimum: 0),
      Parameter("state", .string, enumValues: haStates),
      Parameter("type", .string, enumValues: ["ct", "vm"]),
    ]
    if major >= 9 { p.append(Parameter("failback", .boolean)) }
    return CommandSchema(usage: "ha-manager add <sid> [OPTIONS]", positional: ["sid"], p)
  }

  static func haSet(major: Int) -> CommandSchema {
    var p = [
      sid,
      Parameter("comment", .string, maxLength: 4096),
      Parameter("delete", .string, maxLength: 4096),
      Parameter("digest", .string, maxLength: 64),
      Parameter("group", .string, format: .configID),
      Parameter("max_relocate", .integer, minimum: 0),
      Parameter("max_restart", .integer, minimum: 0),
      Parameter("state", .string, enumValues: haStates),
    ]
    if major >= 9 { p.append(Parameter("failback", .boolean)) }
    return CommandSchema(usage: "ha-manager set <sid> [OPTIONS]", positional: ["sid"], p)
  }

  static func haRemove(major: Int) -> CommandSchema {
    var p = [sid]
    if major >= 9 { p.append(Parameter("purge", .boolean)) }
    return CommandSchema(usage: "ha-manager remove <sid> [OPTIONS]", positional: ["sid"], p)
  }

  static func haMove(_ command: String) -> CommandSchema {
    CommandSchema(
      usage: "ha-manager \(command) <sid> <node>", positional: ["sid", "node"],
      [sid, Parameter("node", .string, optional: false, format: .node)])
  }

  static let haStatus = CommandSchema(
    usage: "ha-manager status [OPTIONS]", [Parameter("verbose", .boolean)])
  static let haConfig = CommandSchema(
    usage: "ha-manager config [OPTIONS]", [Parameter("type", .string, enumValues: ["ct", "vm"])])

  static let haGroupAdd = CommandSchema(
    usage: "ha-manager groupadd <group> --nodes <string> [OPTIONS]", positional: ["group"],
    [
      Parameter("group", .string, optional: false, format: .configID),
      Parameter("nodes", .string, optional: false, format: .haNodeList),
      Parameter("comment", .string, maxLength: 4096),
      Parameter("nofailback", .boolean),
      Parameter("restricted", .boolean),
      Parameter("type", .string, enumValues: ["group"]),
    ])
  static let haGroupRemove = CommandSchema(
    usage: "ha-manager groupremove <group>", positional: ["group"],
    [Parameter("group", .string, optional: false, format: .configID)])
  static let haGroupConfig = CommandSchema(usage: "ha-manager groupconfig", [])

  static let haRulesAdd = CommandSchema(
    usage:
      "ha-manager rules add <type> <rule> --resources <type>:<name>{,<type>:<name>}* [OPTIONS]",
    positional: ["type", "rule"],
    [
      Parameter(
        "type", .string, optional: false, enumValues: ["node-affinity", "resource-affinity"]),
      Parameter("rule", .string, optional: false, format: .configID),
      Parameter("resources", .string, optional: false, format: .haResourceIDList),
      Parameter("affinity", .string, enumValues: ["positive", "negative"]),
      Parameter("comment", .string, maxLength: 4096),
      Parameter("disable", .boolean),
      Parameter("nodes", .string, format: .haNodeList),
      Parameter("strict", .boolean),
    ])
  static let haRulesSet = CommandSchema(
    usage: "ha-manager rules set <type> <rule> [OPTIONS]",
    positional: ["type", "rule"],
    [
      Parameter(
        "type", .string, optional: false, enumValues: ["node-affinity", "resource-affinity"]),
      Parameter("rule", .string, optional: false, format: .configID),
      Parameter("resources", .string, format: .haResourceIDList),
      Parameter("affinity", .string, enumValues: ["positive", "negative"]),
      Parameter("comment", .string, maxLength: 4096),
      Parameter("disable", .boolean),
      Parameter("nodes", .string, format: .haNodeList),
      Parameter("strict", .boolean),
      Parameter("delete", .string, maxLength: 4096),
      Parameter("digest", .string, maxLength: 64),
    ])
  static let haRulesRemove = CommandSchema(
    usage: "ha-manager rules remove <rule>", positional: ["rule"],
    [Parameter("rule", .string, optional: false, format: .configID)])
  static let haRulesConfig = CommandSchema(
    usage: "ha-manager rules config [OPTIONS]",
    [
      Parameter("type", .string, enumValues: ["node-affinity", "resource-affinity"]),
      Parameter("resource", .string),
      Parameter("output-format", .string, enumValues: ["text", "json", "json-pretty", "yaml"]),
      Parameter("noborder", .boolean), Parameter("noheader", .boolean),
    ])

  // MARK: pvesh

  static let outputFormat = Parameter(
    "output-format", .string, enumValues: ["text", "json", "json-pretty", "yaml"])

  /// `pvesh get <path>`: the output options plus the GET method's own parameters.
  static func pveshGet(path: String) -> CommandSchema {
    var p = [
      outputFormat, Parameter("noproxy", .boolean), Parameter("human-readable", .boolean),
      Parameter("noborder", .boolean), Parameter("noheader", .boolean),
    ]
    if path == "/cluster/resources" {
      p.append(Parameter("type", .string, enumValues: ["vm", "storage", "node", "sdn"]))
    } else if path.hasPrefix("/nodes/"), path.hasSuffix("/storage") {
      p += [
        Parameter("content", .string), Parameter("enabled", .boolean),
        Parameter("format", .boolean), Parameter("storage", .string, format: .storageID),
        Parameter("target", .string, format: .node),
      ]
    } else if path.hasPrefix("/nodes/"), path.hasSuffix("/content") {
      // GET /nodes/{node}/storage/{storage}/content (endpoints.json: content, vmid).
      p += [
        Parameter("content", .string),
        Parameter("vmid", .integer, minimum: 100, maximum: 999_999_999, format: .vmid),
      ]
    } else if path.hasSuffix("/config") {
      p += [Parameter("current", .boolean), Parameter("snapshot", .string)]
    } else if path == "/cluster/ha/resources" {
      p.append(Parameter("type", .string, enumValues: ["ct", "vm"]))
    }
    return CommandSchema(
      usage: "pvesh get <api_path> [OPTIONS] [FORMAT_OPTIONS]", positional: ["api_path"], p)
  }

  static let pveshDelete = CommandSchema(
    usage: "pvesh delete <api_path> [OPTIONS] [FORMAT_OPTIONS]", positional: ["api_path"],
    [outputFormat, Parameter("noproxy", .boolean)])

  /// PUT /cluster/options, the keys pvemend sets: `crs` and `delete`. Not in endpoints.json: from
  /// pve-cluster's `PVE::DataCenterConfig` (`crs_format`: `ha` basic|static, PVE 9.2 adds dynamic;
  /// `ha-rebalance-on-start` boolean; pve-ha-manager 5.2 adds `ha-auto-rebalance`).
  static func clusterOptions(major: Int) -> CommandSchema {
    CommandSchema(
      usage: "pvesh set <api_path> [OPTIONS] [FORMAT_OPTIONS]", positional: ["api_path"],
      [
        outputFormat, Parameter("noproxy", .boolean),
        Parameter(
          "crs", .string,
          format: .propertyString(
            keys: ["ha", "ha-rebalance-on-start"] + (major >= 9 ? ["ha-auto-rebalance"] : []),
            defaultKey: nil)),
        Parameter("delete", .string, maxLength: 4096),
      ])
  }

  /// `ha-manager crm-command node-maintenance enable|disable <node>` (pve-ha-manager 3.5, PVE 7.3).
  static let haNodeMaintenance = CommandSchema(
    usage: "ha-manager crm-command node-maintenance <action> <node>",
    positional: ["action", "node"],
    [
      Parameter("action", .string, optional: false, enumValues: ["enable", "disable"]),
      Parameter("node", .string, optional: false, format: .node),
    ])

  /// POST /cluster/backup (and PUT /cluster/backup/{id} with `delete`).
  static func backupJob(major: Int, update: Bool) -> CommandSchema {
    var p = [
      outputFormat, Parameter("noproxy", .boolean),
      Parameter("all", .boolean),
      Parameter("bwlimit", .integer, minimum: 0),
      Parameter("comment", .string, maxLength: 512),
      Parameter("compress", .string, enumValues: ["0", "1", "gzip", "lzo", "zstd"]),
      Parameter("dow", .string, format: .dayOfWeekList),
      Parameter("dumpdir", .string),
      Parameter("enabled", .boolean),
      Parameter("exclude", .string, format: .vmidList),
      Parameter("exclude-path", .string),
      Parameter(
        "fleecing", .string,
        format: .propertyString(keys: ["enabled", "storage"], defaultKey: "enabled")),
      Parameter("ionice", .integer, minimum: 0, maximum: 8),
      Parameter("lockwait", .integer, minimum: 0),
      Parameter("mailnotification", .string, enumValues: ["always", "failure"]),
      Parameter("mailto", .string),
      Parameter("maxfiles", .integer, minimum: 1),
      Parameter("mode", .string, enumValues: ["snapshot", "suspend", "stop"]),
      Parameter("node", .string, format: .node),
      Parameter("notes-template", .string, maxLength: 1024),
      Parameter(
        "notification-mode", .string,
        enumValues: ["auto", "legacy-sendmail", "notification-system"]),
      Parameter("pbs-change-detection-mode", .string, enumValues: ["legacy", "data", "metadata"]),
      Parameter(
        "performance", .string,
        format: .propertyString(keys: ["max-workers", "pbs-entries-max"], defaultKey: nil)),
      Parameter("pigz", .integer),
      Parameter("pool", .string),
      Parameter("protected", .boolean),
      Parameter("prune-backups", .string, format: .pruneBackups),
      Parameter("quiet", .boolean),
      Parameter("remove", .boolean),
      Parameter("repeat-missed", .boolean),
      Parameter("schedule", .string, maxLength: 128, format: .calendarEvent),
      Parameter("script", .string),
      Parameter("starttime", .string),
      Parameter("stdexcludes", .boolean),
      Parameter("stop", .boolean),
      Parameter("stopwait", .integer, minimum: 0),
      Parameter("storage", .string, format: .storageID),
      Parameter("tmpdir", .string),
      Parameter("vmid", .string, format: .vmidList),
      Parameter("zstd", .integer),
    ]
    if major < 9 {
      p += [
        Parameter("notification-policy", .string, enumValues: ["always", "failure", "never"]),
        Parameter("notification-target", .string, format: .configID),
      ]
    }
    if update {
      p += [Parameter("delete", .string, maxLength: 4096)]
      return CommandSchema(
        usage: "pvesh set <api_path> [OPTIONS] [FORMAT_OPTIONS]", positional: ["api_path"], p)
    }
    p.append(Parameter("id", .string, format: .configID))
    return CommandSchema(
      usage: "pvesh create <api_path> [OPTIONS] [FORMAT_OPTIONS]", positional: ["api_path"], p)
  }

  // MARK: pveversion

  static let pveversion = CommandSchema(
    usage: "pveversion [OPTIONS]", [Parameter("verbose", .boolean), Parameter("v", .boolean)])
}

// MARK: Restore tests (issue 15): qmrestore, pct restore, set, destroy, agent

extension CommandSchemas {
  /// `net0`…`net31`: a property string (endpoints.json `net[n]`; the highest index is not in the
  /// schema, qemu-server and pve-container allow 32).
  static let netKeys = (0...31).map { "net\($0)" }
  static func nets() -> [Parameter] { netKeys.map { Parameter($0, .string) } }

  /// `qmrestore <archive> <vmid>`: qemu-server `CLI/qmrestore.pm` passes only these options to
  /// create_vm (endpoints.json cli_forms; `start` and `ha-managed` on PVE 9).
  static func qmrestore(major: Int) -> CommandSchema {
    var p = [
      Parameter("archive", .string, optional: false), vmid,
      Parameter("bwlimit", .number, minimum: 0),
      Parameter("force", .boolean),
      Parameter("live-restore", .boolean),
      Parameter("pool", .string),
      Parameter("storage", .string, format: .storageID),
      Parameter("unique", .boolean),
    ]
    if major >= 9 { p += [Parameter("start", .boolean), Parameter("ha-managed", .boolean)] }
    return CommandSchema(
      usage: "qmrestore <archive> <vmid> [OPTIONS]", positional: ["archive", "vmid"], p)
  }

  /// `pct restore <vmid> <ostemplate>`: create_vm with `restore=1` fixed; the options pvemend
  /// emits (the sandbox simulates no others).
  static func pctRestore(major: Int) -> CommandSchema {
    var p =
      [
        vmid, Parameter("ostemplate", .string, optional: false),
        Parameter("bwlimit", .number, minimum: 0),
        Parameter("force", .boolean),
        Parameter("hostname", .string),
        Parameter("ignore-unpack-errors", .boolean),
        Parameter("onboot", .boolean),
        Parameter("pool", .string),
        Parameter("start", .boolean),
        Parameter("storage", .string, format: .storageID),
        Parameter("tags", .string),
        Parameter("unique", .boolean),
        Parameter("unprivileged", .boolean),
      ] + nets()
    if major >= 9 { p.append(Parameter("ha-managed", .boolean)) }
    return CommandSchema(
      usage: "pct restore <vmid> <ostemplate> [OPTIONS]", positional: ["vmid", "ostemplate"], p)
  }

  /// `qm set` / `pct set`: the keys pvemend emits (networks, name, tags, onboot, delete, digest).
  static func guestSet(_ kind: GuestKind) -> CommandSchema {
    var p =
      [
        vmid, Parameter("delete", .string), Parameter("digest", .string, maxLength: 40),
        Parameter("onboot", .boolean), Parameter("tags", .string),
      ] + nets()
    if kind == .qemu {
      p += [
        Parameter("name", .string), Parameter("skiplock", .boolean), Parameter("force", .boolean),
      ]
    } else {
      p.append(Parameter("hostname", .string))
    }
    return CommandSchema(usage: "\(kind.cli) set <vmid> [OPTIONS]", positional: ["vmid"], p)
  }

  /// `qm destroy` / `pct destroy` (DELETE /nodes/{node}/{qemu,lxc}/{vmid}).
  static func guestDestroy(_ kind: GuestKind) -> CommandSchema {
    var p = [
      vmid, Parameter("destroy-unreferenced-disks", .boolean), Parameter("purge", .boolean),
    ]
    p.append(kind == .qemu ? Parameter("skiplock", .boolean) : Parameter("force", .boolean))
    return CommandSchema(usage: "\(kind.cli) destroy <vmid> [OPTIONS]", positional: ["vmid"], p)
  }

  /// `qm agent <vmid> <command>` (alias of `qm guest cmd`).
  static func qmAgent(_ usageName: String) -> CommandSchema {
    CommandSchema(
      usage: "\(usageName) <vmid> <command>", positional: ["vmid", "command"],
      [
        vmid,
        Parameter(
          "command", .string, optional: false,
          enumValues: [
            "fsfreeze-freeze", "fsfreeze-status", "fsfreeze-thaw", "fstrim", "get-fsinfo",
            "get-host-name", "get-memory-block-info", "get-memory-blocks", "get-osinfo",
            "get-time", "get-timezone", "get-users", "get-vcpus", "info",
            "network-get-interfaces", "ping", "shutdown", "suspend-disk", "suspend-hybrid",
            "suspend-ram",
          ]),
      ])
  }
}
