import ArgumentParser
import Execution

/// The options `apply` and `undo` share.
struct RunOptionsGroup: ParsableArguments {
  @Flag(help: "Run the steps (after confirmation). Without it: a dry run.")
  var execute = false

  @Flag(help: "Do not ask for confirmation (for automation). Only with --execute.")
  var yes = false

  @Flag(
    help: "Ask before each step: y(es), n(o: skip it and its dependents), c(ontinue all), q(uit).")
  var step = false

  @Option(
    help: "Most steps running at once across the cluster (never two mutating steps on one node).")
  var parallel = 4

  @Option(help: ArgumentHelp("Append the journal to this file.", valueName: "file"))
  var journal: String?

  @Option(help: "Seconds between reads while waiting for HA migrations.")
  var pollInterval: Double = 5

  @Option(help: "Seconds to wait for the effects of a step that has no wait of its own.")
  var verifyTimeout: Double = 120

  @Option(help: "The node cluster-wide state is read from (default: the plan snapshot's node).")
  var entryNode: String?

  @OptionGroup var connection: ConnectionOptions

  @Option(
    help: "Seconds a single command may run before the node stops it (migrations can be slow).")
  var commandTimeout: Int = 3600

  @Flag(
    help: """
      Break the cluster lock of another run whose holder is gone (not renewed for \
      \(Int(ClusterLock.standardExpiry)) s). A live holder's lock is never broken.
      """)
  var breakLock = false

  /// Where the cluster lock is made (tests of a sandbox without /etc/pve); not for users.
  @Option(help: .hidden)
  var lockDir: String = ClusterLock.standardDirectory

  @Option(
    help: """
      Seconds to keep reconnecting to a node whose connection dropped while a command ran \
      detached on it; past that its step is 'unknown' (other nodes' steps go on, exit 1) and \
      --resume settles it without running it again.
      """)
  var reconnectTimeout: Double = 300

  @Option(
    help: ArgumentHelp(
      "The folder on each node holding the detached commands' logs and status files.",
      visibility: .hidden))
  var detachDir: String = DetachOptions().root

  func validate() throws {
    if yes && !execute { throw ValidationError("--yes only makes sense with --execute") }
    if step && !execute { throw ValidationError("--step only makes sense with --execute") }
    if breakLock && !execute {
      throw ValidationError("--break-lock only makes sense with --execute (dry runs take no lock)")
    }
    if parallel < 1 { throw ValidationError("--parallel must be at least 1") }
    if connection.acceptNewHostKeys && execute {
      throw ValidationError(
        "apply checks host keys strictly; record new ones first with 'pvemend collect --accept-new-host-keys' (after checking them out of band)"
      )
    }
    if commandTimeout < 1 { throw ValidationError("--command-timeout must be at least 1") }
    if reconnectTimeout < 0 { throw ValidationError("--reconnect-timeout must not be negative") }
    if !detachDir.hasPrefix("/") { throw ValidationError("--detach-dir must be an absolute path") }
    if pollInterval < 0 || verifyTimeout < 0 {
      throw ValidationError("--poll-interval and --verify-timeout must not be negative")
    }
  }

  var executionOptions: ExecutionOptions {
    ExecutionOptions(
      mode: execute ? .execute : .dryRun, parallel: parallel, askEachStep: step,
      pollInterval: pollInterval, verifyTimeout: verifyTimeout,
      detach: execute ? DetachOptions(root: detachDir, reconnectTimeout: reconnectTimeout) : nil)
  }
}
