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

  func validate() throws {
    if yes && !execute { throw ValidationError("--yes only makes sense with --execute") }
    if step && !execute { throw ValidationError("--step only makes sense with --execute") }
    if parallel < 1 { throw ValidationError("--parallel must be at least 1") }
    if connection.acceptNewHostKeys && execute {
      throw ValidationError(
        "apply checks host keys strictly; record new ones first with 'pvemend collect --accept-new-host-keys' (after checking them out of band)"
      )
    }
    if commandTimeout < 1 { throw ValidationError("--command-timeout must be at least 1") }
    if pollInterval < 0 || verifyTimeout < 0 {
      throw ValidationError("--poll-interval and --verify-timeout must not be negative")
    }
  }

  var executionOptions: ExecutionOptions {
    ExecutionOptions(
      mode: execute ? .execute : .dryRun, parallel: parallel, askEachStep: step,
      pollInterval: pollInterval, verifyTimeout: verifyTimeout)
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
    do {
      services = LiveServices(
        transport: try options.connection.makeTransport(
          commandTimeout: .seconds(options.commandTimeout)),
        readFacts: ClusterReader.facts(entryNode: entry, clock: clock, baseline: plan.snapshot))
    } catch {
      printError("pvemend: \(error)")
      return ExitStatus.connection
    }
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
      journal: journal, observer: view, confirmation: confirmation, interruption: interruption)
    let report = await executor.apply(
      plan, planDigest: digest, planPath: planPath, options: options.executionOptions,
      resume: resume)
    await services.transport.shutdown()
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

/// Renders execution events: on a terminal, `[n/N mm:ss]` prefixes and a live waiting line; plain
/// lines otherwise.
final class ProgressView: ExecutionObserver, @unchecked Sendable {
  private let lock = NSLock()
  private let terminal: Bool
  private let mode: ExecutionMode
  private let started = ContinuousClock.now
  private var index: [String: (Int, Int)] = [:]
  private var statusLine = false

  init(terminal: Bool, mode: ExecutionMode) {
    self.terminal = terminal
    self.mode = mode
  }

  func handle(_ event: ExecutionEvent) {
    lock.withLock {
      switch event {
      case .reading(nil):
        say("Reading the cluster state…")
      case .reading:
        break
      case .checked(let check):
        say(ExecutionText.check(check, mode: mode).trimmingCharacters(in: .newlines))
      case .runStarted(let total):
        say("Applying \(total) step\(total == 1 ? "" : "s").")
      case .stepStarted(let step, let n, let total):
        index[step.id] = (n, total)
        say("\(prefix(step.id)) \(step.id) \(step.title)")
      case .commandStarted(let id, let command):
        say("\(prefix(id))   \(command.node)$ \(command.shellLine)")
      case .output(let id, _, let line, let stderr):
        say("\(prefix(id))     \(stderr ? "! " : "")\(line)")
      case .commandFinished:
        break
      case .waiting(let id, let detail, let elapsed):
        let text = "\(prefix(id))   waiting \(Int(elapsed)) s: \(detail)"
        if terminal {
          FileHandle.standardOutput.write(Data(("\r\u{1B}[K" + text).utf8))
          statusLine = true
        } else {
          say(text)
        }
      case .stepFinished(let id, let outcome, let detail, let duration):
        say(
          "\(prefix(id)) \(id) \(outcome.rawValue) in \(ExecutionText.duration(duration))"
            + (detail.map { ": \($0)" } ?? ""))
      case .stopping(let reason):
        say("pvemend: \(reason)")
      case .runFinished:
        break
      }
    }
  }

  func finish(_ report: ExecutionReport, journal: String) {
    lock.withLock {
      if let refusal = report.refusal {
        clearStatus()
        printError("pvemend: \(refusal)")
      } else if report.mode == .dryRun {
        say("\nDry run: nothing was changed. To apply: run again with --execute.")
      } else {
        say("")
        say(ExecutionText.table(report).trimmingCharacters(in: .newlines))
      }
      say("Journal: \(journal)")
    }
  }

  private func prefix(_ id: String) -> String {
    let (n, total) = index[id] ?? (0, 0)
    let elapsed = Int((ContinuousClock.now - started).components.seconds)
    let time = "\(elapsed / 60):\(elapsed % 60 < 10 ? "0" : "")\(elapsed % 60)"
    return terminal ? "[\(n)/\(total) \(time)]" : "[\(n)/\(total)]"
  }

  private func clearStatus() {
    if statusLine {
      FileHandle.standardOutput.write(Data("\r\u{1B}[K".utf8))
      statusLine = false
    }
  }

  private func say(_ text: String) {
    clearStatus()
    FileHandle.standardOutput.write(Data((text + "\n").utf8))
  }
}

/// Writes a line to standard error.
func printError(_ text: String) {
  FileHandle.standardError.write(Data((text + "\n").utf8))
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
