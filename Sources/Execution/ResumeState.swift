/// What earlier runs of a plan did, read from its journal: the evidence `--resume` checks against the
/// live cluster (never the truth on its own).
package struct ResumeState: Sendable, Hashable {
  /// What the journal says about one step.
  package struct StepRecord: Sendable, Hashable {
    /// The last outcome recorded (`succeeded`, `satisfied`, `done`, `failed`, `interrupted`, …), nil
    /// when the step started but never ended (the process died).
    package var outcome: String?
    /// Commands that ended with exit status 0, and how many the step has.
    package var commandsSucceeded: Int
    package var commandsTotal: Int
    /// A detached command launched (or whose outcome was unknown) with no known end yet: settle
    /// it from the node, never launch it again.
    package var pending: PendingCommand?

    /// The step finished in an earlier run (it ran, or its effects held already).
    package var finished: Bool { ["succeeded", "satisfied", "done"].contains(outcome ?? "") }
    /// A command of the step may have run: settle it before anything else.
    package var unsettled: Bool { pending != nil }
    /// Every command ran and exited 0, but the effect was not (yet) verified.
    package var commandsCompleted: Bool { commandsTotal > 0 && commandsSucceeded >= commandsTotal }
  }

  /// A detached command of an earlier run whose end is not recorded.
  package struct PendingCommand: Sendable, Hashable {
    package var index: Int
    package var node: String
    /// Its folder on the node: `<root>/<run>/<command>`.
    package var directory: String
  }

  package var planDigest: String
  /// Step id → what the latest execute run that touched it recorded.
  package var steps: [String: StepRecord]
  /// How many execute runs the journal holds for the plan.
  package var runs: Int

  package init(planDigest: String, steps: [String: StepRecord], runs: Int) {
    self.planDigest = planDigest
    self.steps = steps
    self.runs = runs
  }

  /// Reads the execute runs of `planDigest` from a journal. Dry runs are ignored. A journal with runs
  /// of another plan only is refused.
  package static func from(_ entries: [JournalEntry], planDigest: String, file: String)
    throws(ExecutionError) -> ResumeState
  {
    var modes: [String: ExecutionMode] = [:]
    var digests: [String: String] = [:]
    for e in entries where e.event == .runStart {
      modes[e.run] = e.mode
      digests[e.run] = e.planDigest
    }
    let otherDigests = Set(digests.values).subtracting([planDigest])
    if !digests.isEmpty, !digests.values.contains(planDigest),
      let other = otherDigests.sorted().first
    {
      throw ExecutionError.journalForOtherPlan(
        file: file, journalDigest: other, planDigest: planDigest)
    }
    var steps: [String: StepRecord] = [:]
    var runs = Set<String>()
    for e in entries where modes[e.run] == .execute && digests[e.run] == planDigest {
      runs.insert(e.run)
      guard let id = e.step else { continue }
      switch e.event {
      case .stepStart:
        steps[id] = StepRecord(outcome: nil, commandsSucceeded: 0, commandsTotal: e.count ?? 0)
      case .commandLaunch:
        var r = steps[id] ?? StepRecord(outcome: nil, commandsSucceeded: 0, commandsTotal: 0)
        if let dir = e.detached, let node = e.node {
          r.pending = PendingCommand(index: e.index ?? 0, node: node, directory: dir)
        }
        if let count = e.count { r.commandsTotal = count }
        steps[id] = r
      case .command:
        var r = steps[id] ?? StepRecord(outcome: nil, commandsSucceeded: 0, commandsTotal: 0)
        if e.exitStatus == 0, e.exitSignal == nil, e.detail == nil { r.commandsSucceeded += 1 }
        if let count = e.count { r.commandsTotal = count }
        if e.unknown != true { r.pending = nil }
        steps[id] = r
      case .stepEnd:
        var r = steps[id] ?? StepRecord(outcome: nil, commandsSucceeded: 0, commandsTotal: 0)
        r.outcome = e.outcome
        steps[id] = r
      case .runStart, .check, .runEnd, .lock:
        break
      }
    }
    return ResumeState(planDigest: planDigest, steps: steps, runs: runs.count)
  }
}
