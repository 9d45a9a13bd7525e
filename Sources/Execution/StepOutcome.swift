/// How a step ended (or why it did not run). The raw values are the journal's words.
package enum StepOutcome: String, Codable, Sendable, Hashable, CaseIterable {
  /// Its commands ran and its effects were verified.
  case succeeded
  /// Its effects held already: nothing ran.
  case satisfied
  /// Finished in an earlier run (`--resume`), effects verified again.
  case done
  /// Advice for human hands.
  case advice
  /// Dry run: it would run.
  case wouldRun = "would-run"
  /// Its preconditions did not hold.
  case stale
  /// A command failed, could not be run, or the effect did not show up in time.
  case failed
  /// A dependency did not succeed: never run.
  case blocked
  /// The run stopped (failure elsewhere or Ctrl-C) before it started.
  case notStarted = "not-started"
  /// The user answered no at `--step`.
  case declined
  /// Ctrl-C arrived while it ran: its commands finished, its effect was not verified.
  case interrupted
  /// A command's outcome could not be learned (its node stayed unreachable past
  /// `--reconnect-timeout`, or its wrapper left no status): it may have run, may still run.
  /// `--resume` settles it from the node's status file and task state, never running it again.
  case unknown

  /// Whether dependents may run after it.
  package var isUsable: Bool { [.succeeded, .satisfied, .done, .advice].contains(self) }
  /// Whether it counts as a failure of the run.
  package var isFailure: Bool { [.failed, .stale, .unknown].contains(self) }
}
