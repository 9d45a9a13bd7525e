import Audit
import PVEModel
import Playbook

/// Creates the playbook's backup job when guests are in no enabled job, judged on the predicted
/// layout: a job pinned to a node stops covering a guest the plan moves away from it. Also creates
/// the playbook's offsite job when it names one that does not exist yet.
struct BackupPhase: PlanPhase {
  func run(_ s: inout PlanState) {
    let wants =
      s.policy.action(for: "backup.uncovered") == .createBackupJob
      || s.policy.action(for: "backup.none") == .createBackupJob
    let asked =
      s.findings("backup.none", action: .createBackupJob)
      + s.findings(
        "backup.uncovered", action: .createBackupJob)
    let cluster = s.sim.cluster
    let excluded = Set(
      cluster.guests.filter { g in s.policy.backup.exclude.contains { $0.matches(g) } }.map(\.sid))
    let uncovered = cluster.guests.filter { g in
      !g.template && !excluded.contains(g.sid) && !cluster.backupJobs.contains { $0.covers(g) }
    }
    let uncoveredSIDs = Set(uncovered.map(\.sid))
    // Coverage the moves take away (a node-pinned job no longer sees the guest).
    let lost = s.original.guests.filter { g in
      uncoveredSIDs.contains(g.sid) && s.original.backupJobs.contains { $0.covers(g) }
    }.map(\.sid)

    for f in asked where f.rule == "backup.uncovered" && excluded.contains(f.subject.id) {
      s.markUnresolved(
        f.id, "\(f.subject.id) is excluded by the playbook's backup.exclude", limit: nil)
    }
    if wants, !uncovered.isEmpty, !asked.isEmpty || !lost.isEmpty {
      var reasons = asked.filter { !excluded.contains($0.subject.id) }.map(\.id)
      reasons += lost.map { "backup.uncovered/\($0)" }
      s.addBackupJob(
        id: s.policy.backup.jobID, storageChoice: s.policy.backup.storage,
        schedule: s.policy.backup.schedule, retention: s.policy.backup.retention,
        uncovered: uncovered, excluded: excluded, reasons: Array(Set(reasons)).sorted(),
        purpose: "backups of every guest", lost: lost)
    } else if !asked.isEmpty && uncovered.isEmpty {
      for f in asked where !excluded.contains(f.subject.id) {
        s.markUnresolved(
          f.id, "the planner finds every guest in an enabled backup job; nothing to create",
          limit: nil)
      }
    }

    if let offsite = s.policy.backup.offsite,
      !s.sim.cluster.backupJobs.contains(where: { $0.id == offsite.jobID })
    {
      s.addBackupJob(
        id: offsite.jobID, storageChoice: offsite.storage, schedule: offsite.schedule,
        retention: offsite.retention, uncovered: [], excluded: excluded,
        reasons: ["backup.offsite/cluster"], purpose: "offsite copies", lost: [])
    }
  }
}

extension PlanState {

  fileprivate mutating func addBackupJob(
    id: String, storageChoice: String?, schedule: String, retention: [String: Int],
    uncovered: [Guest], excluded: Set<String>, reasons: [String], purpose: String, lost: [String]
  ) {
    let cluster = sim.cluster
    if cluster.backupJobs.contains(where: { $0.id == id }) {
      for r in reasons {
        markUnresolved(
          r,
          "backup job '\(id)' already exists but leaves \(Format.count(uncovered.count, "guest")) uncovered; enable or widen it (pvesh set /cluster/backup/\(id) …) or choose another id in the playbook",
          limit: "backup-job-exists")
      }
      return
    }
    let storage: String
    switch backupStorage(storageChoice) {
    case .problem(let text):
      for r in reasons { markUnresolved(r, text, limit: "backup-storage") }
      return
    case .storage(let s): storage = s
    }
    let anyCoverage = cluster.guests.contains { g in
      !g.template && cluster.backupJobs.contains { $0.covers(g) }
    }
    var selection: [String]
    let excludedVMIDs = cluster.guests.filter { excluded.contains($0.sid) }.map(\.vmid).sorted()
    if uncovered.isEmpty || !anyCoverage {
      selection = ["--all", "1"]
      if !excludedVMIDs.isEmpty {
        selection += ["--exclude", excludedVMIDs.map(String.init).joined(separator: ",")]
      }
    } else {
      selection = [
        "--vmid", uncovered.map(\.vmid).sorted().map(String.init).joined(separator: ","),
      ]
    }
    var argv = [
      "pvesh", "create", "/cluster/backup", "--id", id, "--schedule", schedule, "--storage",
      storage, "--mode", policy.backup.mode, "--compress", policy.backup.compress,
    ]
    let prune = PlanState.pruneText(retention)
    if !prune.isEmpty { argv += ["--prune-backups", prune] }
    argv += ["--enabled", "1"] + selection
    let all = selection.first == "--all"
    // A `--vmid` job covers only the listed guests: say how many, not "every guest".
    let comment =
      all || uncovered.isEmpty
      ? purpose : "backups of \(Format.count(uncovered.count, "guest"))"
    argv += ["--comment", "pvemend (\(policy.name)): \(comment)"]
    var draft = StepDraft(
      phase: .backup, kind: .backupJob,
      title:
        "Create backup job \(id): \(schedule) to \(storage), \(all ? "all guests" : Format.count(uncovered.count, "guest"))",
      reasons: reasons)
    draft.commands = [RemoteCommand(node: entryNode, argv: argv, mutating: true)]
    draft.inverse = [
      RemoteCommand(
        node: entryNode, argv: ["pvesh", "delete", "/cluster/backup/\(id)"], mutating: true)
    ]
    draft.preconditions = [Condition(.backupJobAbsent, id: id)]
    draft.effects = [Condition(.backupJobPresent, id: id)]
    var detail =
      "Mode \(policy.backup.mode), \(policy.backup.compress) compression\(prune.isEmpty ? "" : ", keeps \(prune)")"
    if !lost.isEmpty {
      detail +=
        "; also covers \(lost.joined(separator: ", ")), which leave the node their current job is pinned to"
    }
    draft.detail = detail
    let job = BackupJob(
      id: id, enabled: true, all: all, vmids: all ? [] : uncovered.map(\.vmid).sorted(),
      exclude: all ? excludedVMIDs : [], pool: nil, node: nil, storage: storage,
      schedule: schedule, mode: policy.backup.mode, compress: policy.backup.compress,
      pruneBackups: Dictionary(uniqueKeysWithValues: retention.map { ($0.key, String($0.value)) }),
      comment: "pvemend (\(policy.name)): \(comment)")
    sim.addBackupJob(job)
    add(draft)
  }

  /// The storage backups go to: the playbook's (checked), or the backup pool with most room,
  /// shared pools first.
  fileprivate func backupStorage(_ choice: String?) -> BackupStorageChoice {
    let pools = sim.cluster.storages.filter { !$0.disabled && $0.content.contains("backup") }
    if let choice {
      guard let pool = sim.cluster.storage(choice) else {
        return .problem(
          "backup storage '\(choice)' named in the playbook does not exist; name one of: \(pools.map(\.id).joined(separator: ", "))"
        )
      }
      guard pool.content.contains("backup"), !pool.disabled else {
        return .problem(
          "storage '\(choice)' does not take backups (content backup); add it with pvesm set \(choice) --content …,backup or name another"
        )
      }
      return .storage(choice)
    }
    guard
      let best = pools.sorted(by: { a, b in
        (a.shared ? 0 : 1, -a.available, a.id) < (b.shared ? 0 : 1, -b.available, b.id)
      }).first
    else {
      return .problem(
        "no storage of this cluster takes backups (content backup); add one, or name it as backup.storage"
      )
    }
    return .storage(best.id)
  }

  /// `keep-last=3,keep-daily=30,keep-weekly=8` in Proxmox's order.
  static func pruneText(_ retention: [String: Int]) -> String {
    let order = [
      "keep-all", "keep-last", "keep-hourly", "keep-daily", "keep-weekly", "keep-monthly",
      "keep-yearly",
    ]
    let known = order.compactMap { k in retention[k].map { "\(k)=\($0)" } }
    let other = retention.keys.filter { !order.contains($0) }.sorted().compactMap { k in
      retention[k].map { "\(k)=\($0)" }
    }
    return (known + other).joined(separator: ",")
  }
}

/// The backup storage picked for a job, or why there is none.
enum BackupStorageChoice {
  case storage(String)
  case problem(String)
}
