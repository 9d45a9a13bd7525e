import PVEModel
import Planning

/// Hand-built plans and steps (and the small cluster they act on), for the executor's and the
/// exports' tests: one of each step kind, with the commands, conditions and inverses the planner
/// would write.
package enum Build {
  package static func node(_ name: String, cores: Int = 8) -> Node {
    Node(
      name: name, online: true, cores: cores, memoryTotal: 32 << 30, memoryUsed: 8 << 30,
      cpuUsage: 0.1, uptime: 1000, version: PVEVersion(major: 8, minor: 4, patch: 1), ip: nil,
      haState: "online")
  }

  package static func guest(_ kind: GuestKind, _ vmid: Int, _ name: String, on node: String)
    -> Guest
  {
    Guest(
      kind: kind, vmid: vmid, name: name, node: node, status: "running", vcpus: 2,
      memory: 2 << 30, memoryUsed: 1 << 30, disks: [], tags: [], pool: nil, template: false,
      lock: nil, onboot: true, haState: nil)
  }

  /// proxmox1..3; ct:110 traefik and vm:114 on proxmox1, ct:131 on proxmox2, vm:120 on proxmox3;
  /// vm:114 HA-managed.
  package static func cluster() -> Cluster {
    var c = TestCluster()
    for name in ["proxmox1", "proxmox2", "proxmox3"] {
      c = c.node(name, uptime: 1000, haState: "online")
    }
    for (kind, vmid, name, node) in [
      (GuestKind.lxc, 110, "traefik", "proxmox1"), (.qemu, 114, "homeassistant", "proxmox1"),
      (.qemu, 120, "db", "proxmox3"), (.lxc, 131, "pihole", "proxmox2"),
    ] {
      c = c.guest(vmid, on: node, name: name, kind: kind, vcpus: 2, memoryGiB: 2, onboot: true)
    }
    c = c.ha("vm:114", live: "started", liveNode: "proxmox1")
    c.name = "homelab"
    c.master = "proxmox1"
    return c.cluster
  }

  package static func plan(_ steps: [Step], cluster: String = "homelab") -> Plan {
    Plan(
      tool: "pvemend 0.1.0", createdAt: "2025-11-09T10:00:00Z", cluster: cluster, pveMajor: 8,
      haPlacement: "groups", snapshotSHA256: "abc123",
      snapshot: Snapshot(collectedAt: "2025-11-09T10:00:00Z", source: "test", api: [:]),
      playbook: PlaybookRef(name: "homelab", path: "playbooks/homelab.yaml", sha256: "def456"),
      findings: [], steps: steps, unresolved: [],
      before: Figures(score: 5, nodes: [], findings: 3),
      after: Figures(score: 8, nodes: [], findings: 1),
      summary: Summary(
        haEnablements: 0, haPlacements: 0, volumeMoves: 0, migrations: 0, backupJobs: 0,
        advisories: 0, unresolved: 0, downtimeSeconds: 0))
  }

  /// `ha-manager add <sid>` on `node`.
  package static func haAdd(
    _ id: String, _ sid: String, node: String = "proxmox1", after: [String] = []
  )
    -> Step
  {
    Step(
      id: id, kind: .haAdd, title: "Enable HA for \(sid)", reasons: ["ha.unprotected/\(sid)"],
      after: after,
      commands: [
        RemoteCommand(
          node: node, argv: ["ha-manager", "add", sid, "--state", "started"], mutating: true)
      ],
      preconditions: [Condition(.haNotManaged, sid: sid)],
      effects: [Condition(.haManaged, sid: sid, state: "started")],
      inverse: [RemoteCommand(node: node, argv: ["ha-manager", "remove", sid], mutating: true)])
  }

  /// `qm|pct migrate` from `from` to `to` (not HA-managed).
  package static func migrate(
    _ id: String, _ sid: String, from: String, to: String, after: [String] = []
  )
    -> Step
  {
    let cli = sid.hasPrefix("vm:") ? "qm" : "pct"
    let vmid = String(sid.dropFirst(3))
    let opt = cli == "qm" ? ["--online", "1"] : ["--restart", "1"]
    return Step(
      id: id, kind: .migrate, title: "Move \(sid) from \(from) to \(to)",
      reasons: ["node.imbalance/\(from)"],
      after: after,
      commands: [
        RemoteCommand(node: from, argv: [cli, "migrate", vmid, to] + opt, mutating: true)
      ],
      preconditions: [
        Condition(.guestOnNode, sid: sid, node: from), Condition(.nodeOnline, node: to),
      ],
      effects: [Condition(.guestOnNode, sid: sid, node: to)],
      inverse: [RemoteCommand(node: to, argv: [cli, "migrate", vmid, from] + opt, mutating: true)])
  }

  /// `ha-manager migrate <sid> <to>`: queued, then polled.
  package static func haMigrate(
    _ id: String, _ sid: String, from: String, to: String, after: [String] = []
  )
    -> Step
  {
    Step(
      id: id, kind: .migrate, title: "Move \(sid) from \(from) to \(to) (HA)",
      reasons: ["node.imbalance/\(from)"], after: after,
      commands: [
        RemoteCommand(node: from, argv: ["ha-manager", "migrate", sid, to], mutating: true)
      ],
      preconditions: [
        Condition(.guestOnNode, sid: sid, node: from), Condition(.haSettled, sid: sid),
      ],
      effects: [Condition(.guestOnNode, sid: sid, node: to), Condition(.haSettled, sid: sid)],
      wait: Wait(kind: "ha-migrate", sid: sid, node: to, timeoutSeconds: 60),
      inverse: [
        RemoteCommand(node: to, argv: ["ha-manager", "migrate", sid, from], mutating: true)
      ])
  }

  package static func backupJob(_ id: String, job: String, node: String = "proxmox1") -> Step {
    Step(
      id: id, kind: .backupJob, title: "Create backup job \(job)", reasons: ["backup.none/cluster"],
      after: [],
      commands: [
        RemoteCommand(
          node: node,
          argv: [
            "pvesh", "create", "/cluster/backup", "--id", job, "--all", "1", "--storage", "nas",
            "--schedule", "daily",
          ], mutating: true)
      ],
      preconditions: [Condition(.backupJobAbsent, id: job)],
      effects: [Condition(.backupJobPresent, id: job)],
      inverse: [
        RemoteCommand(
          node: node, argv: ["pvesh", "delete", "/cluster/backup/\(job)"], mutating: true)
      ])
  }

  package static func advice(_ id: String) -> Step {
    Step(
      id: id, kind: .advice, title: "Add a second backup target",
      reasons: ["backup.offsite/cluster"],
      after: [], commands: [], preconditions: [], effects: [], detail: "Set up an offsite copy.")
  }
}
