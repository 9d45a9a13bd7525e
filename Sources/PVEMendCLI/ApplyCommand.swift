import ArgumentParser
import Execution
import Foundation
import PVEModel
import Planning
import Transport

/// `pvemend apply PLAN`: a dry run unless `--execute`.
struct ApplyCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "apply",
    abstract: "Check a plan against the cluster and, with --execute, run it.",
    discussion: """
      Without --execute this is a dry run: it reads the cluster (read-only commands only; the \
      transport refuses anything else), checks every step's preconditions, and prints per node the \
      exact commands it would run, the steps already satisfied (skipped) and the stale ones. A stale \
      plan is refused before anything runs.

      With --execute it prints the same summary and asks "Type 'yes' to apply N steps to cluster X"; \
      --yes skips the question (required without a terminal). Steps run in dependency order, in \
      parallel across nodes (--parallel, never two mutating steps on one node), each verified from a \
      fresh read; HA migrations are polled until the guest is on its target. The first failure stops \
      new steps; running ones finish. Ctrl-C stops after the running steps' commands; a second \
      Ctrl-C exits at once.

      One run per cluster: --execute first takes the lock /etc/pve/priv/lock/pvemend (as \
      Proxmox's cfs_lock does), renews it while it runs and releases it at the end. Another run \
      holding it refuses this one before any command (exit 3), naming who holds it; --break-lock \
      breaks only a lock not renewed for 120 s (its run is gone). Dry runs take no lock.

      On a terminal each running step has a line updated in place (elapsed time, Proxmox's latest \
      progress line, what it waits for); otherwise every event is a timestamped line.

      Every run appends JSON lines to PLAN.journal.jsonl (or --journal FILE). --resume JOURNAL \
      continues a stopped run: steps the journal says finished are verified, not run again.

      \(ExitStatus.help)
      """)

  @Argument(help: "The plan file written by 'pvemend plan'.")
  var plan: String

  @OptionGroup var run: RunOptionsGroup

  @Option(help: ArgumentHelp("Continue the run recorded in this journal.", valueName: "journal"))
  var resume: String?

  func run() async throws {
    let (decoded, data) = try PlanLoading.load(plan, command: "apply")
    let digest = PlanDigest.of(data)
    let journalPath = run.journal ?? resume ?? plan + ".journal.jsonl"
    var resumeState: ResumeState?
    if let resume {
      do {
        let entries = try JournalFile.read(path: resume)
        resumeState = try ResumeState.from(entries, planDigest: digest, file: resume)
      } catch {
        printError("pvemend apply: \(error)")
        throw ExitCode(error.exitCode)
      }
    }
    let code = await PlanRun.execute(
      decoded, digest: digest, planPath: plan, journalPath: journalPath, options: run,
      resume: resumeState)
    if code != 0 { throw ExitCode(code) }
  }
}

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

/// Reading plan files: `PlanFile` owns the format; bad input exits 2 with one line, as `show` does.
enum PlanLoading {
  static func load(_ path: String, command: String) throws -> (Plan, Data) {
    do {
      let data = try CLIFiles.read(path)
      return (try PlanFile.decode(data, file: path), data)
    } catch {
      CLIFiles.standardError("pvemend \(command): \(error)\n")
      throw ExitCode(2)
    }
  }
}

/// Runs a plan the way `apply` and `undo` do: services, prompt, signals, progress, journal, table.
enum PlanRun {
  static func execute(
    _ plan: Plan, digest: String, planPath: String, journalPath: String, options: RunOptionsGroup,
    resume: ResumeState?
  ) async -> Int32 {
    let terminal = isatty(1) != 0
    let interactive = isatty(0) != 0
    if options.execute && !options.yes && !interactive {
      printError("pvemend: \(ExecutionError.noTerminal)")
      return ExecutionError.noTerminal.exitCode
    }
    let journal: JournalFile
    do {
      journal = try JournalFile(path: journalPath)
    } catch {
      printError("pvemend: \(error)")
      return ExitStatus.refused
    }
    let clock = SystemClock()
    let entry = options.entryNode ?? LiveServices.defaultEntryNode(for: plan)
    let services: LiveServices
    let lockTransport: any Transport
    do {
      // Two connections: the lock's renewal never queues behind a long command on the entry node.
      let transports = try options.connection.makeLibSSH2Transports(
        count: 2, commandTimeout: .seconds(options.commandTimeout))
      services = LiveServices(
        transport: transports[0],
        readFacts: ClusterReader.facts(entryNode: entry, clock: clock, baseline: plan.snapshot))
      lockTransport = transports[1]
    } catch {
      printError("pvemend: \(error)")
      return ExitStatus.connection
    }
    // Dry runs take no lock (and their transport would refuse its mutating command anyway).
    let lock =
      options.execute
      ? ClusterLock(
        transport: lockTransport, node: entry, directory: options.lockDir,
        breakStale: options.breakLock) : nil
    let interruption = Interruption()
    let signals = SignalWatch.install(interruption)
    defer { signals.cancel() }
    let view = ProgressView(terminal: terminal, mode: options.executionOptions.mode)
    let confirmation: any Confirmation =
      options.yes
      ? AutoConfirmation()
      : LineConfirmation(
        readLine: { Swift.readLine(strippingNewline: true) },
        write: { text in
          FileHandle.standardOutput.write(Data(text.utf8))
        })
    let executor = Executor(
      transport: services.transport, readFacts: services.readFacts, clock: clock,
      journal: journal, observer: view, confirmation: confirmation, interruption: interruption,
      lock: lock)
    let report = await executor.apply(
      plan, planDigest: digest, planPath: planPath, options: options.executionOptions,
      resume: resume)
    await services.transport.shutdown()
    await lockTransport.shutdown()
    view.finish(report, journal: journalPath)
    return report.exitCode
  }
}

/// Ctrl-C: the first asks the executor to stop after the running commands; the second exits.
final class SignalWatch: @unchecked Sendable {
  private let source: any DispatchSourceSignal

  private init(source: any DispatchSourceSignal) { self.source = source }

  static func install(_ interruption: Interruption) -> SignalWatch {
    signal(SIGINT, SIG_IGN)
    let source = DispatchSource.makeSignalSource(signal: SIGINT, queue: .global())
    source.setEventHandler {
      if interruption.trigger() {
        printError(
          "\npvemend: interrupt: finishing the running steps' commands, then stopping (Ctrl-C again to quit now)"
        )
      } else {
        printError("pvemend: interrupted again: exiting; the journal shows where it stopped")
        exit(ExitStatus.interrupted)
      }
    }
    source.resume()
    return SignalWatch(source: source)
  }

  func cancel() {
    source.cancel()
    signal(SIGINT, SIG_DFL)
  }
}

/// Writes the progress of a run: `ProgressBoard` decides the lines; this class owns the terminal
/// (redrawing the running steps in place, once a second while any runs) or, off a terminal, writes
/// plain timestamped lines.
final class ProgressView: ExecutionObserver, @unchecked Sendable {
  private let lock = NSLock()
  private let terminal: Bool
  private var board: ProgressBoard
  /// The board lines on the screen now (terminal only).
  private var shown: [String] = []
  private let started = ContinuousClock.now
  private var timer: (any DispatchSourceTimer)?

  init(terminal: Bool, mode: ExecutionMode) {
    self.terminal = terminal
    self.board = ProgressBoard(live: terminal, mode: mode, width: Self.columns())
  }

  func handle(_ event: ExecutionEvent) {
    lock.withLock {
      let update = board.handle(event, now: now(), wall: Date().ISO8601Format())
      draw(printed: update.printed, board: update.board)
      if terminal && board.isBusy && timer == nil { startTicking() }
    }
  }

  func finish(_ report: ExecutionReport, journal: String) {
    lock.withLock {
      timer?.cancel()
      timer = nil
      draw(printed: [], board: [])
      if let refusal = report.refusal {
        printError("pvemend: \(refusal)")
      } else if report.mode == .dryRun {
        write("\nDry run: nothing was changed. To apply: run again with --execute.\n")
      } else {
        write("\n" + ExecutionText.table(report).trimmingCharacters(in: .newlines) + "\n")
      }
      write("Journal: \(journal)\n")
    }
  }

  private func startTicking() {
    let timer = DispatchSource.makeTimerSource(queue: .global())
    timer.schedule(deadline: .now() + 1, repeating: 1)
    timer.setEventHandler { [weak self] in self?.tick() }
    timer.resume()
    self.timer = timer
  }

  private func tick() {
    lock.withLock {
      guard !shown.isEmpty || board.isBusy else { return }
      draw(printed: [], board: board.board(now: now()))
    }
  }

  private func draw(printed: [String], board lines: [String]) {
    // Nothing new: no bytes (a redraw of the same board would only flicker).
    guard !printed.isEmpty || lines != shown else { return }
    write(ProgressBoard.frame(erasing: terminal ? shown.count : 0, printed: printed, board: lines))
    shown = terminal ? lines : []
  }

  private func now() -> Double {
    let d = ContinuousClock.now - started
    return Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18
  }

  private func write(_ text: String) {
    FileHandle.standardOutput.write(Data(text.utf8))
  }

  /// The terminal's width (`COLUMNS`, else the tty's, else 100).
  private static func columns() -> Int {
    if let c = ProcessInfo.processInfo.environment["COLUMNS"].flatMap({ Int($0) }), c > 0 {
      return c
    }
    var size = winsize()
    if ioctl(1, UInt(TIOCGWINSZ), &size) == 0, size.ws_col > 0 { return Int(size.ws_col) }
    return 100
  }
}

/// Writes a line to standard error; error text quotes names from the cluster, so it passes through
/// `DisplayText` (line breaks kept).
func printError(_ text: String) {
  FileHandle.standardError.write(Data((DisplayText.sanitize(text, keepNewlines: true) + "\n").utf8))
}

/// The transport and the cluster reader `apply` and `undo` run against: libssh2 (`ConnectionOptions`)
/// with strict host keys when executing (no trust on first use here: `pvemend collect
/// --accept-new-host-keys`, checked out of band, records them), and the collector through one node.
struct LiveServices: Sendable {
  var transport: any Transport
  var readFacts: Executor.ReadFacts

  /// The node cluster-wide paths are read from: the node the plan's snapshot was collected on
  /// (`local` in `/cluster/status`), else its first online node, else the first node a command names.
  static func defaultEntryNode(for plan: Plan) -> String {
    ClusterReader.entryNode(of: plan.snapshot) ?? plan.steps.flatMap(\.commands).first?.node
      ?? "localhost"
  }
}
