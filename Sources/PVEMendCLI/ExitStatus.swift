import Execution

/// The exit codes of every command (documented in `--help` of `apply` and `undo`).
///
/// `apply` and `undo` end with a `RunStatus` from `Execution`; `code(_:)` maps it here. The other
/// commands use the same numbers for the same reasons (`show` and `plan` exit 2 on bad input).
enum ExitStatus {
  /// Every step succeeded, or there was nothing to do; `check`: every node is ready.
  static let success: Int32 = 0
  /// A step failed or its outcome is unknown; `check`: a node is not ready.
  static let stepFailed: Int32 = 1
  /// Bad input: a plan, journal, snapshot or playbook file cannot be read or decoded.
  static let badInput: Int32 = 2
  /// Refused before anything ran (stale plan, not confirmed, no terminal without `--yes`, journal
  /// of another plan, cluster locked by another run); `audit --fail-on`: findings at that level;
  /// `rehearse`: a failure scenario the cluster does not survive.
  static let refused: Int32 = 3
  /// A node could not be reached, or its host key is unknown, changed or revoked.
  static let connection: Int32 = 4
  /// Bad command line (swift-argument-parser's `ExitCode.validationFailure`, EX_USAGE).
  static let usage: Int32 = 64
  /// Stopped by Ctrl-C (SIGINT).
  static let interrupted: Int32 = 130

  /// The exit code of a run that ended with `status`.
  static func code(_ status: RunStatus) -> Int32 {
    switch status {
    case .success: return success
    case .stepFailed: return stepFailed
    case .badInput: return badInput
    case .refused: return refused
    case .connection: return connection
    case .interrupted: return interrupted
    }
  }

  /// The `--help` paragraph.
  static let help = """
    Exit codes: 0 success or nothing to do; 1 a step failed, or its outcome is unknown (its node \
    was unreachable past --reconnect-timeout; --resume settles it without running it again); 2 bad input (the plan or journal file \
    cannot be read or decoded); 3 refused before anything ran (stale plan, not confirmed, no \
    terminal without --yes, journal of another plan, cluster locked by another run); 4 connection or host-key failure; 64 bad \
    command line; 130 interrupted.
    """
}
