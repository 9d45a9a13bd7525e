import PVEModel
import Planning

/// What a run did: per step outcome, and the exit code. The summary table is rendered from it.
package struct ExecutionReport: Sendable, Hashable {
  /// One step's line in the summary.
  package struct StepLine: Sendable, Hashable {
    package var id: String
    package var kind: StepKind
    package var title: String
    package var nodes: [String]
    package var outcome: StepOutcome
    /// Why it failed, was stale or blocked; the first output line of a failed command.
    package var detail: String?
    /// Seconds (0 when it did not run).
    package var duration: Double
  }

  package var mode: ExecutionMode
  package var cluster: String
  package var planDigest: String
  package var steps: [StepLine]
  /// Set when the run was refused before anything ran (stale plan, not confirmed, read failure).
  package var refusal: ExecutionError?
  /// Whether a step failed for a connection or host-key reason.
  package var connectionFailure: Bool
  package var interrupted: Bool
  /// Dry run: per node, the commands that would run (step id and shell line), in plan order.
  package var commandsByNode: [String: [PlannedCommand]]

  package init(
    mode: ExecutionMode, cluster: String, planDigest: String, steps: [StepLine],
    refusal: ExecutionError?, connectionFailure: Bool, interrupted: Bool,
    commandsByNode: [String: [PlannedCommand]]
  ) {
    self.mode = mode
    self.cluster = cluster
    self.planDigest = planDigest
    self.steps = steps
    self.refusal = refusal
    self.connectionFailure = connectionFailure
    self.interrupted = interrupted
    self.commandsByNode = commandsByNode
  }

  /// The refusal's status; else a connection or host-key failure; else a failed step; else
  /// interrupted; else success.
  package var status: RunStatus {
    if let refusal { return refusal.status }
    if connectionFailure { return .connection }
    if steps.contains(where: { $0.outcome.isFailure }) { return .stepFailed }
    if interrupted { return .interrupted }
    return .success
  }

  /// Steps per outcome.
  package var counts: [StepOutcome: Int] {
    var c: [StepOutcome: Int] = [:]
    for s in steps { c[s.outcome, default: 0] += 1 }
    return c
  }
}

/// A command a dry run would send, with its step.
package struct PlannedCommand: Sendable, Hashable {
  package var step: String
  package var command: RemoteCommand

  package init(step: String, command: RemoteCommand) {
    self.step = step
    self.command = command
  }
}
