/// Whether `apply` only looks (the default) or changes the cluster.
package enum ExecutionMode: String, Codable, Sendable, Hashable {
  /// Read the cluster, check every step, print what would run. Mutating commands cannot leave the
  /// process: the transport is wrapped in `DryRunTransport`.
  case dryRun = "dry-run"
  /// Run the steps after confirmation.
  case execute
}

/// Knobs of one `apply` run.
package struct ExecutionOptions: Sendable, Hashable {
  package var mode: ExecutionMode
  /// Most steps running at once across the cluster (`--parallel N`); a node never runs two mutating
  /// steps at once, whatever this says.
  package var parallel: Int
  /// Ask before each step (`--step`); forces one step at a time.
  package var askEachStep: Bool
  /// Seconds between reads while waiting for an asynchronous effect (HA migrate/relocate).
  package var pollInterval: Double
  /// Seconds to wait for the effects of a step without `wait` (most are synchronous and hold at once).
  package var verifyTimeout: Double
  /// Deadline per command; nil: none (migrations can take long).
  package var commandTimeout: Duration?
  /// Bytes of stdout/stderr kept in the journal per command.
  package var tailBytes: Int
  /// Run mutating commands detached on their nodes (`DetachedExecution`); nil: plain commands.
  package var detach: DetachOptions?

  package init(
    mode: ExecutionMode = .dryRun, parallel: Int = 4, askEachStep: Bool = false,
    pollInterval: Double = 5, verifyTimeout: Double = 120, commandTimeout: Duration? = nil,
    tailBytes: Int = 2048, detach: DetachOptions? = nil
  ) {
    self.detach = detach
    self.mode = mode
    self.parallel = max(1, parallel)
    self.askEachStep = askEachStep
    self.pollInterval = pollInterval
    self.verifyTimeout = verifyTimeout
    self.commandTimeout = commandTimeout
    self.tailBytes = tailBytes
  }
}
