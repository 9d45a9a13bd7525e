import PVEModel
import Planning

/// Turns a journal into the plan that undoes what its execute runs changed. Pure.
///
/// Each step that *succeeded* (its commands ran; satisfied and skipped steps changed nothing) becomes
/// one undo step, in reverse order of completion: its inverse commands, its effects as preconditions
/// (the cluster must still be as the step left it), and the negation of its effects as effects. Undo
/// steps run one after the other. A step without an inverse becomes advice. The undo plan is applied
/// like any plan: a dry run unless `--execute`.
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
    for (n, e) in executed.reversed().enumerated() {
      let id = "u" + (n + 1 < 10 ? "0" : "") + "\(n + 1)"
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
      let undoEffects = effects.compactMap { negation(of: $0, preconditions: preconditions) }
      var wait: Wait?
      if let w = e.wait {
        let source =
          preconditions.first(where: { $0.kind == .guestOnNode && $0.sid == w.sid })?.node ?? w.node
        if w.kind == "ha-state" {
          // Back to the HA state the step found (its precondition), where that is known.
          let before = preconditions.first { $0.kind == .haManaged && $0.sid == w.sid }?.state
          wait = before.map {
            Wait(
              kind: w.kind, sid: w.sid, node: source, timeoutSeconds: w.timeoutSeconds, state: $0)
          }
        } else {
          wait = Wait(kind: w.kind, sid: w.sid, node: source, timeoutSeconds: w.timeoutSeconds)
        }
      }
      steps.append(
        Step(
          id: id, kind: e.kind ?? .advice, title: title, reasons: [original], after: after,
          commands: inverse, preconditions: effects.filter { $0.kind != .haSettled },
          effects: undoEffects, wait: wait, inverse: executedCommands(of: e, in: entries)))
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

  /// The condition that holds once `effect` is undone; nil when there is nothing to check.
  static func negation(of effect: Condition, preconditions: [Condition]) -> Condition? {
    func before(_ kind: Condition.Kind) -> Condition? {
      preconditions.first { $0.kind == kind && $0.sid == effect.sid && $0.key == effect.key }
    }
    switch effect.kind {
    case .guestOnNode: return before(.guestOnNode)
    case .guestStatus: return before(.guestStatus)
    case .haManaged: return before(.haManaged) ?? Condition(.haNotManaged, sid: effect.sid)
    case .haNotManaged: return before(.haManaged) ?? Condition(.haManaged, sid: effect.sid)
    case .haSettled: return effect
    case .haRulePresent: return Condition(.haRuleAbsent, id: effect.id)
    case .haRuleAbsent:
      return preconditions.first { $0.kind == .haRulePresent && $0.id == effect.id }
        ?? Condition(.haRulePresent, id: effect.id)
    case .haGroupPresent: return Condition(.haGroupAbsent, id: effect.id)
    case .haGroupAbsent: return Condition(.haGroupPresent, id: effect.id)
    case .haInGroup: return nil
    case .backupJobPresent: return Condition(.backupJobAbsent, id: effect.id)
    case .backupJobAbsent: return Condition(.backupJobPresent, id: effect.id)
    case .volumeOnStorage: return before(.volumeOnStorage)
    case .nodeOnline: return nil
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
