/// How a run of `apply` or `undo` ended, as a category the command line maps to its exit code
/// (`ExitStatus` in PVEMendCLI, which also owns the codes of the other commands and `--help`).
///
/// The raw value is the number the journal's `run-end` entry records as `exitCode` and the summary
/// prints as "exit N"; the CLI exits with the same number. Modelled on pssh's distinct codes: a
/// script can tell "nothing ran, plan again" from "a step failed".
package enum RunStatus: Int32, Sendable, Hashable, CaseIterable {
  /// Every step succeeded, or there was nothing to do (also: a dry run that found no stale step).
  case success = 0
  /// A step failed (a command exited non-zero, or its effect did not show up in time), or its
  /// outcome is unknown (its node stayed unreachable; `--resume` settles it).
  case stepFailed = 1
  /// Bad input: the plan or journal file cannot be read or decoded (one line names it).
  case badInput = 2
  /// Refused before anything ran: stale plan, not confirmed, no terminal without `--yes`, bad
  /// journal, cluster locked by another run.
  case refused = 3
  /// A node could not be reached, or its host key is unknown, changed or revoked.
  case connection = 4
  /// Stopped by Ctrl-C (SIGINT) after the running steps' commands finished.
  case interrupted = 130
}
