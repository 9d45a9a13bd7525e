import PVEModel
import Planning
import Transport

/// What the executor reports while it runs; the CLI renders it (progress line on a terminal, plain
/// lines otherwise), tests record it.
package enum ExecutionEvent: Sendable {
  /// Reading the cluster state (before the check, before each step, while polling).
  case reading(step: String?)
  /// The check is done (dry-run output and the confirmation summary come from it).
  case checked(PlanCheck)
  /// Execution begins: `total` steps to run.
  case runStarted(total: Int)
  /// Step number `index` (1-based) of `total` begins.
  case stepStarted(Step, index: Int, total: Int)
  case commandStarted(step: String, RemoteCommand)
  /// Output of a command, line by line: as it arrives for detached (mutating) commands, once it
  /// ended for plain ones. Progress lines rewritten with `\r` arrive as their latest state.
  case output(step: String, node: String, line: String, stderr: Bool)
  case commandFinished(step: String, RemoteCommand, CommandResult)
  /// Still waiting for an asynchronous effect: what is missing and for how long we waited.
  case waiting(step: String, detail: String, elapsed: Double)
  case stepFinished(step: String, StepOutcome, detail: String?, duration: Double)
  /// The cluster lock was taken, renewed after a failure, lost or released.
  case lock(LockEvent)
  /// Ctrl-C was seen: no new step starts.
  case stopping(reason: String)
  case runFinished(ExecutionReport)
}

/// Receives execution events. Called from concurrent steps: implementations must be thread-safe.
package protocol ExecutionObserver: Sendable {
  func handle(_ event: ExecutionEvent)
}

/// Drops every event.
package struct SilentObserver: ExecutionObserver {
  package init() {}
  package func handle(_ event: ExecutionEvent) {}
}
