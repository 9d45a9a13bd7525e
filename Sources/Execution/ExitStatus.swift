/// The exit codes of `apply` and `undo` (documented in `pvemend apply --help`).
///
/// Modelled on pssh's distinct codes: a script can tell "nothing ran, plan again" from "a step failed".
package enum ExitStatus {
  /// Every step succeeded, or there was nothing to do (also: a dry run that found no stale step).
  package static let success: Int32 = 0
  /// A step failed (a command exited non-zero, or its effect did not show up in time), or its
  /// outcome is unknown (its node stayed unreachable; `--resume` settles it).
  package static let stepFailed: Int32 = 1
  /// Bad input: the plan or journal file cannot be read or decoded (one line names it).
  package static let badInput: Int32 = 2
  /// Refused before anything ran: stale plan, not confirmed, no terminal without `--yes`, bad journal,
  /// cluster locked by another run.
  package static let refused: Int32 = 3
  /// A node could not be reached, or its host key is unknown, changed or revoked.
  package static let connection: Int32 = 4
  /// Stopped by Ctrl-C (SIGINT) after the running steps' commands finished.
  package static let interrupted: Int32 = 130

  /// The `--help` paragraph.
  package static let help = """
    Exit codes: 0 success or nothing to do; 1 a step failed; 2 bad input (the plan or journal file \
    cannot be read or decoded); 3 refused before anything ran (stale plan, not confirmed, no \
    terminal without --yes, journal of another plan, cluster locked by another run); 4 connection or host-key failure; 64 bad \
    command line; 130 interrupted.
    """
}
