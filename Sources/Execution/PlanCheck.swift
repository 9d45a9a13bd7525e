import PVEModel
import Planning

/// The check before anything runs: each step's status against the cluster as read now. Pure.
///
/// Steps are walked in plan order over a *predicted* cluster: the read state with the effects of the
/// earlier steps established, so a step may rely on what an earlier step will do. A step whose effects
/// hold already is satisfied (skipped); one whose preconditions fail is stale, and one stale step makes
/// the whole plan stale (Terraform's "Saved plan is stale"): nothing runs.
package struct PlanCheck: Sendable, Hashable {
  /// A step's status before the run.
  package enum Status: Sendable, Hashable {
    /// Preconditions hold: it will run.
    case ready
    /// Every effect holds already: skipped, so re-running a plan is idempotent.
    case satisfied
    /// The journal says it finished and its effects still hold (`--resume`).
    case done
    /// The journal says its commands all ran but the effect was never verified: verify (poll) without
    /// running them again.
    case verifyOnly
    /// Advice for human hands: never executed.
    case advice
    /// The plan does not match the cluster: what it expects and what is there.
    case stale([String])

    /// The word in the journal and the views.
    package var word: String {
      switch self {
      case .ready: "ready"
      case .satisfied: "satisfied"
      case .done: "done"
      case .verifyOnly: "verify-only"
      case .advice: "advice"
      case .stale: "stale"
      }
    }

    /// Whether the run has something to do for the step.
    package var runs: Bool { self == .ready || self == .verifyOnly }
  }

  /// One step and its status.
  package struct Entry: Sendable, Hashable {
    package var step: Step
    package var status: Status
  }

  package var cluster: String
  package var entries: [Entry]

  /// Every stale message, in plan order: "step s04 expects ct:131 on proxmox3, found on proxmox2".
  package var staleMessages: [String] {
    entries.flatMap { e -> [String] in
      if case .stale(let m) = e.status { return m }
      return []
    }
  }

  package var isStale: Bool { !staleMessages.isEmpty }

  /// Steps the run will execute or verify.
  package var toRun: [Step] { entries.filter(\.status.runs).map(\.step) }

  package func status(of id: String) -> Status? { entries.first { $0.step.id == id }?.status }

  /// Checks `plan` against `cluster`, with what an earlier run did when resuming.
  package static func check(_ plan: Plan, in cluster: Cluster, resume: ResumeState? = nil)
    throws(ExecutionError) -> PlanCheck
  {
    let ids = Set(plan.steps.map(\.id))
    var earlier = Set<String>()
    for step in plan.steps {
      for dependency in step.after where !earlier.contains(dependency) {
        if ids.contains(dependency) {
          throw ExecutionError.dependencyOrder(step: step.id, dependency: dependency)
        }
        throw ExecutionError.unknownDependency(step: step.id, dependency: dependency)
      }
      earlier.insert(step.id)
    }
    let complete = Self.complete(plan.steps, in: cluster)
    var predicted = cluster
    var entries: [Entry] = []
    for step in plan.steps {
      let status = Self.status(
        of: step, in: predicted, record: resume?.steps[step.id],
        complete: complete.contains(step.id))
      entries.append(Entry(step: step, status: status))
      if step.kind != .advice { for effect in step.effects { effect.establish(in: &predicted) } }
    }
    return PlanCheck(cluster: plan.cluster, entries: entries)
  }

  static func status(
    of step: Step, in cluster: Cluster, record: ResumeState.StepRecord?, complete: Bool = false
  ) -> Status {
    // A guest agent wait runs its pings every time (it has no effect to find satisfied).
    if step.wait?.kind == Wait.agentPing, step.kind != .advice {
      return record?.finished == true ? .done : .ready
    }
    if step.kind == .advice || (step.commands.isEmpty && step.effects.isEmpty) { return .advice }
    let effectsHold =
      complete || (!step.effects.isEmpty && step.effects.allSatisfy { $0.holds(in: cluster) })
    if let record, record.finished {
      if effectsHold || step.effects.isEmpty { return .done }
      let failing = step.effects.filter { !$0.holds(in: cluster) }
      return .stale(
        failing.map {
          "step \(step.id) finished in an earlier run but expects \($0.expectation), "
            + "\($0.observation(in: cluster)) (changed since)"
        })
    }
    // A launched command whose end is unknown is settled first, even if the effects hold already
    // (the command may still be running on its node).
    if let record, record.unsettled { return .verifyOnly }
    if effectsHold { return .satisfied }
    if let record, record.commandsCompleted { return .verifyOnly }
    let failing = step.preconditions.filter { !$0.holds(in: cluster) }
    if failing.isEmpty { return .ready }
    let interrupted =
      record.map { r in
        " (interrupted in an earlier run after \(r.commandsSucceeded) of \(r.commandsTotal) commands; "
          + "its state is unknown: check the node)"
      } ?? ""
    return .stale(
      failing.map {
        "step \(step.id) expects \($0.expectation), \($0.observation(in: cluster))\(interrupted)"
      })
  }

  /// Steps that are done in `cluster` as it is now: every effect holds, or is superseded by a later
  /// step that is itself done (a later step changes the same thing: "stop ct:100" is done once "move
  /// its volume and start it" is). This is what makes a second run of a finished plan skip every
  /// step, though the stop's own effect no longer holds.
  package static func complete(_ steps: [Step], in cluster: Cluster) -> Set<String> {
    var done = Set<String>()
    var superseding = Set<String>()
    for step in steps.reversed() where step.kind != .advice && !step.effects.isEmpty {
      let isDone = step.effects.allSatisfy {
        superseding.contains(subject(of: $0)) || $0.holds(in: cluster)
      }
      if isDone {
        done.insert(step.id)
        for e in step.effects { superseding.insert(subject(of: e)) }
      }
    }
    return done
  }

  /// What a condition is about: conditions on the same subject overwrite each other
  /// (`ha-managed ct:100 stopped` then `ha-managed ct:100 started`).
  static func subject(of c: Condition) -> String {
    let family: String
    switch c.kind {
    case .guestOnNode: family = "node"
    case .guestStatus: family = "status"
    case .haManaged, .haNotManaged: family = "ha"
    case .haSettled: family = "ha-settled"
    case .haRulePresent, .haRuleAbsent: family = "rule"
    case .haGroupPresent, .haGroupAbsent: family = "group"
    case .haInGroup: family = "in-group"
    case .backupJobPresent, .backupJobAbsent: family = "job"
    case .volumeOnStorage: family = "volume"
    case .nodeOnline: family = "online"
    case .guestAbsent: family = "vmid"
    case .networkCut: family = "network"
    }
    return [
      family, c.sid ?? "", c.id ?? "", c.key ?? "", c.kind == .nodeOnline ? c.node ?? "" : "",
    ]
    .joined(separator: "\u{1}")
  }

  /// The mismatch messages of `conditions` that do not hold, for runtime checks.
  package static func mismatches(_ conditions: [Condition], stepID: String, in cluster: Cluster)
    -> [String]
  {
    conditions.filter { !$0.holds(in: cluster) }.map {
      "step \(stepID) expects \($0.expectation), \($0.observation(in: cluster))"
    }
  }
}
