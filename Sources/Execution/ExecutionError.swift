import PVEModel
import Transport

/// Why `apply`, `undo` or `export` refused or could not go on. Messages name the file or step and end
/// with the fix.
package enum ExecutionError: Error, Sendable, Hashable, CustomStringConvertible {
  /// The plan no longer matches the cluster: one message per failing precondition.
  case stale([String])
  /// A step names a dependency the plan does not have.
  case unknownDependency(step: String, dependency: String)
  /// A step depends on a step that comes after it (the plan must list dependencies first).
  case dependencyOrder(step: String, dependency: String)
  /// The cluster state could not be read (`connection`: unreachable or host key; else bad data).
  case readFailed(detail: String, connection: Bool)
  /// The user did not type `yes`.
  case notConfirmed
  /// `--execute` without `--yes` and no terminal to ask on.
  case noTerminal
  /// A journal line is not a journal entry.
  case badJournal(file: String, line: Int, detail: String)
  case journalUnreadable(file: String)
  case journalUnwritable(file: String, detail: String)
  /// `--resume` with a journal written for another plan.
  case journalForOtherPlan(file: String, journalDigest: String, planDigest: String)
  /// `undo` with a journal in which no step was executed.
  case nothingToUndo(file: String)
  /// Another run holds the cluster lock (`apply`/`undo --execute`).
  case locked(LockRefusal)
  /// The cluster lock could not be taken.
  case lockFailed(LockFailure)

  /// The message on one line; names and details quoted from input pass through `DisplayText`.
  package var description: String { DisplayText.oneLine(message, limit: .max) }

  private var message: String {
    switch self {
    case .stale(let messages):
      return "plan is stale: " + messages.joined(separator: "; ")
        + "; plan again with 'pvemend plan' (nothing was run)"
    case .unknownDependency(let step, let dependency):
      return "step \(step) depends on \(dependency), which the plan does not have; plan again"
    case .dependencyOrder(let step, let dependency):
      return "step \(step) depends on \(dependency), which comes after it in the plan; plan again"
    case .readFailed(let detail, _):
      return "cannot read the cluster state: \(detail)"
    case .notConfirmed:
      return "not confirmed: only 'yes' is accepted; nothing was run"
    case .noTerminal:
      return
        "refusing to execute without a terminal to confirm on; pass --yes to apply without asking"
    case .badJournal(let file, let line, let detail):
      return
        "\(file):\(line): not a journal entry (\(detail)); pass the .journal.jsonl file that apply wrote"
    case .journalUnreadable(let file):
      return "\(file): cannot read the journal; check the path"
    case .journalUnwritable(let file, let detail):
      return
        "\(file): cannot write the journal: \(detail); pass --journal FILE with a writable path"
    case .journalForOtherPlan(let file, let journalDigest, let planDigest):
      return
        "\(file) was written for plan \(journalDigest), not for this plan (\(planDigest)); pass the plan that journal belongs to"
    case .nothingToUndo(let file):
      return "\(file): no executed step to undo (dry runs and skipped steps change nothing)"
    case .locked(let refusal):
      return refusal.description
    case .lockFailed(let failure):
      return failure.description
    }
  }

  /// How a run that stopped on this error ended (the CLI maps it to its exit code).
  package var status: RunStatus {
    switch self {
    case .readFailed(_, let connection):
      return connection ? .connection : .refused
    case .badJournal, .journalUnreadable: return .badInput
    case .lockFailed(let failure):
      return failure.connection ? .connection : .refused
    default: return .refused
    }
  }
}

extension TransportError {
  /// Connection and host-key failures: exit code 4, and no point in running more steps on that node.
  package var isConnectionFailure: Bool {
    switch self {
    case .unreachable, .unknownHostKey, .changedHostKey, .revokedHostKey, .authenticationFailed,
      .rsaKeyUnsupported, .connectionLost, .unknownNode, .ssh:
      return true
    case .timedOut, .mutatingCommandInDryRun:
      return false
    }
  }
}
