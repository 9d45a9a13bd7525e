import PVEModel
import Planning

/// Turns a journal into the plan that undoes what its execute runs changed. Pure.
///
/// Each step that *succeeded* (its commands ran; satisfied and skipped steps changed nothing) becomes
/// one undo step, in reverse order of completion: its inverse commands; its structural effects as
/// preconditions (the guest is still where the step put it, the job it made still exists, …); their
/// negation as effects (`structural`, `negation`). Undo steps run one after the other. A step without
/// an inverse becomes advice. The undo plan is applied like any plan: a dry run unless `--execute`.
package enum UndoPlan {
  /// The undo plan of `entries` (a journal's lines).
  package static func make(from entries: [JournalEntry], file: String) throws(ExecutionError)
    -> Plan
  {
    var runs: [String: JournalEntry] = [:]
    for e in entries where e.event == .runStart { runs[e.run] = e }
    let executed = entries.filter {
      $0.event == .stepEnd && $0.outcome == StepOutcome.succeeded.rawValue
        && runs[$0.run]?.mode == .execute
    }
    guard !executed.isEmpty else { throw ExecutionError.nothingToUndo(file: file) }
    let start = executed.first.flatMap { runs[$0.run] }
    var steps: [Step] = []
    var count = 0
    func nextID() -> String {
      count += 1
      return "u" + (count < 10 ? "0" : "") + "\(count)"
    }
    for e in executed.reversed() {
      let id = nextID()
      let original = e.step ?? "?"
      let title = "Undo \(original): \(e.title ?? "")"
      let after = steps.last.map { [$0.id] } ?? []
      let inverse = e.inverse ?? []
      let effects = e.effects ?? []
      let preconditions = e.preconditions ?? []
      if inverse.isEmpty {
        steps.append(
          Step(
            id: id, kind: .advice, title: title, reasons: [original], after: after, commands: [],
            preconditions: [], effects: [],
            detail: "step \(original) has no inverse Proxmox command; undo it by hand"))
        continue
      }
      // Only what an inverse restores for certain is checked: placement, volumes, HA membership,
      // groups, rules and backup jobs. Run states and HA request states follow the inverse commands
      // (a planner inverse may be a whole round trip: stop, move back, start) and are not checked.
      var undoPreconditions: [Condition] = []
      for c in effects.compactMap(structural) where !undoPreconditions.contains(c) {
        undoPreconditions.append(c)
      }
      var undoEffects: [Condition] = []
      // A condition the step kept (a start on the node the guest already was on) says nothing
      // about the undo: it held before the undo runs, and would make it look satisfied.
      for c in effects.compactMap({ negation(of: $0, preconditions: preconditions) })
      where !undoEffects.contains(c) && !effects.contains(c) {
        undoEffects.append(c)
      }
      var wait: Wait?
      if let w = e.wait, w.kind == "ha-migrate",
        let source = preconditions.first(where: { $0.kind == .guestOnNode && $0.sid == w.sid })?
          .node
      {
        wait = Wait(kind: w.kind, sid: w.sid, node: source, timeoutSeconds: w.timeoutSeconds)
      }
      // An HA migrate/relocate is only queued: commands after it (a folded step's volume moves
      // back on the source node) must wait until the CRM has moved the guest. Such an inverse runs
      // as two steps, the HA move with its wait, then the rest.
      if let w = wait,
        let split = inverse.lastIndex(where: { $0.isMigration && $0.argv.first == "ha-manager" }),
        split < inverse.count - 1
      {
        let arrived = Condition(.guestOnNode, sid: w.sid, node: w.node)
        steps.append(
          Step(
            id: id, kind: e.kind ?? .advice, title: title + " (HA move back)",
            reasons: [original], after: after, commands: Array(inverse[...split]),
            preconditions: undoPreconditions, effects: [arrived], wait: w,
            inverse: executedCommands(of: e, in: entries)))
        steps.append(
          Step(
            id: nextID(), kind: e.kind ?? .advice, title: title + " (the rest, on \(w.node))",
            reasons: [original], after: [id], commands: Array(inverse[(split + 1)...]),
            preconditions: [arrived], effects: undoEffects, wait: nil, inverse: []))
        continue
      }
      steps.append(
        Step(
          id: id, kind: e.kind ?? .advice, title: title, reasons: [original], after: after,
          commands: inverse, preconditions: undoPreconditions, effects: undoEffects, wait: wait,
          inverse: executedCommands(of: e, in: entries)))
    }
    let createdAt = entries.last?.time ?? ""
    let snapshot = Snapshot(collectedAt: createdAt, source: "undo of \(file)", api: [:])
    var summary = Summary(
      haEnablements: 0, haPlacements: 0, volumeMoves: 0, migrations: 0, backupJobs: 0,
      advisories: 0, unresolved: 0, downtimeSeconds: 0)
    for s in steps {
      switch s.kind {
      case .haAdd: summary.haEnablements += 1
      case .haGroup, .haRule: summary.haPlacements += 1
      case .moveVolume: summary.volumeMoves += 1
      case .migrate: summary.migrations += 1
      case .backupJob: summary.backupJobs += 1
      case .advice: summary.advisories += 1
      case .restoreTest, .nodeMaintenance, .haScheduler: break
      }
    }
    return Plan(
      tool: start?.tool ?? "pvemend", createdAt: createdAt, cluster: start?.cluster ?? "?",
      pveMajor: start?.pveMajor ?? 0, haPlacement: start?.haPlacement ?? "",
      snapshotSHA256: "", snapshot: snapshot,
      playbook: PlaybookRef(name: "undo", path: file, sha256: start?.planDigest ?? ""),
      findings: [], steps: steps, unresolved: [],
      before: Figures(score: 0, nodes: [], findings: 0),
      after: Figures(score: 0, nodes: [], findings: 0), summary: summary)
  }

  /// A condition an undo can rely on: run states and HA-settledness are dropped, an HA state becomes
  /// plain HA membership.
  static func structural(_ c: Condition) -> Condition? {
    switch c.kind {
    case .guestStatus, .haSettled, .nodeOnline, .haInGroup, .networkCut: return nil
    case .haManaged: return Condition(.haManaged, sid: c.sid)
    default: return c
    }
  }

  /// The structural condition that holds once `effect` is undone; nil when there is nothing certain
  /// to check.
  static func negation(of effect: Condition, preconditions: [Condition]) -> Condition? {
    func before(_ kind: Condition.Kind) -> Condition? {
      preconditions.first { $0.kind == kind && $0.sid == effect.sid && $0.key == effect.key }
    }
    switch effect.kind {
    case .guestOnNode: return before(.guestOnNode)
    case .volumeOnStorage: return before(.volumeOnStorage)
    // HA added by the step (it found the guest unmanaged): the undo removes it.
    case .haManaged: return before(.haNotManaged)
    case .haNotManaged: return Condition(.haManaged, sid: effect.sid)
    case .haRulePresent: return Condition(.haRuleAbsent, id: effect.id)
    case .haRuleAbsent: return Condition(.haRulePresent, id: effect.id)
    case .haGroupPresent: return Condition(.haGroupAbsent, id: effect.id)
    case .haGroupAbsent: return Condition(.haGroupPresent, id: effect.id)
    case .backupJobPresent: return Condition(.backupJobAbsent, id: effect.id)
    case .backupJobAbsent: return Condition(.backupJobPresent, id: effect.id)
    case .guestStatus, .haSettled, .haInGroup, .nodeOnline, .networkCut: return nil
    // A restore test's scratch guest: undone by destroying it, which the test does itself.
    case .guestAbsent: return nil
    }
  }

  /// The commands the original step ran (the inverse of the undo step), from its command entries.
  static func executedCommands(of end: JournalEntry, in entries: [JournalEntry]) -> [RemoteCommand]
  {
    entries.filter { $0.event == .command && $0.run == end.run && $0.step == end.step }.compactMap {
      guard let node = $0.node, let argv = $0.argv else { return nil }
      return RemoteCommand(node: node, argv: argv, mutating: $0.mutating ?? true)
    }
  }
}
