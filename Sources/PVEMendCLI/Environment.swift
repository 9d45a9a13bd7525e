import Execution
import Foundation
import Planning
import SSHTransport
import Transport

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// The one place live services are assembled: the SSH transports (libssh2, from
/// `ConnectionOptions`), the wall clock, the journal file, the confirmation prompt and the
/// passphrase prompt on the terminal, and whether there is a terminal at all. Commands take what
/// they need from here; `Execution` and the core only see the protocols (`Transport`,
/// `ExecutionClock`, `JournalSink`, `Confirmation`).
struct Environment: Sendable {
  /// Standard output is a terminal: progress redraws its running steps in place.
  var outputIsTerminal: Bool
  /// Standard input is a terminal: the confirmation and passphrase prompts can be answered.
  var inputIsTerminal: Bool
  /// Journal timestamps, durations and the pauses between polls.
  var clock: any ExecutionClock

  /// This process's terminal and the system clock.
  static func live() -> Environment {
    Environment(
      outputIsTerminal: isatty(STDOUT_FILENO) != 0, inputIsTerminal: isatty(STDIN_FILENO) != 0,
      clock: SystemClock())
  }

  /// `count` independent libssh2 transports (own connections) sharing one passphrase prompt:
  /// `apply` keeps the cluster lock on its own connection, so a long command never delays its
  /// renewal. Call `shutdown()` on each before the process exits.
  /// - Parameter commandTimeout: the deadline of commands run without their own
  ///   `RunOptions.timeout` (the node's `timeout` stops them).
  func sshTransports(
    _ connection: ConnectionOptions, count: Int, commandTimeout: Duration? = .seconds(600)
  ) throws -> [LibSSH2Transport] {
    let directory = NodeDirectory.standard(inventory: try connection.loadInventory())
    var settings = SSHSettings()
    settings.acceptNewHostKeys = connection.acceptNewHostKeys
    settings.defaultCommandTimeout = commandTimeout
    let prompt = PassphrasePrompt(interactive: inputIsTerminal)
    settings.passphrase = { path in prompt.passphrase(for: path) }
    return (0..<count).map { _ in
      LibSSH2Transport(settings: settings) { node in try directory.endpoint(for: node) }
    }
  }

  /// One libssh2 transport (its concrete type also answers `check`'s `connect(node:)`).
  func sshTransport(_ connection: ConnectionOptions, commandTimeout: Duration? = .seconds(600))
    throws -> LibSSH2Transport
  {
    try sshTransports(connection, count: 1, commandTimeout: commandTimeout)[0]
  }

  /// The question before executing: none with `--yes`, else "Type 'yes'…" on standard output,
  /// answered with a line from standard input.
  func confirmation(yes: Bool) -> any Confirmation {
    guard !yes else { return AutoConfirmation() }
    return LineConfirmation(
      readLine: { Swift.readLine(strippingNewline: true) },
      write: { text in FileHandle.standardOutput.write(Data(text.utf8)) })
  }

  /// What `apply` and `undo` run against, checked in this order: a terminal to confirm on (or
  /// `--yes`), the journal file, then two SSH transports (one for the steps and the reads through
  /// the entry node, one for the cluster lock, which only `--execute` takes; dry runs take none).
  /// Host keys are strict when executing: no trust on first use here (`pvemend collect
  /// --accept-new-host-keys`, checked out of band, records them).
  func runServices(for plan: Plan, journalPath: String, options: RunOptionsGroup)
    throws(RunSetupError) -> RunServices
  {
    if options.execute && !options.yes && !inputIsTerminal { throw .noTerminal }
    let journal: JournalFile
    do {
      journal = try JournalFile(path: journalPath)
    } catch {
      throw .journal(error)
    }
    let entry = options.entryNode ?? Self.defaultEntryNode(for: plan)
    let transports: [LibSSH2Transport]
    do {
      // Two connections: the lock's renewal never queues behind a long command on the entry node.
      transports = try sshTransports(
        options.connection, count: 2, commandTimeout: .seconds(options.commandTimeout))
    } catch {
      throw .connection(error)
    }
    let lock =
      options.execute
      ? ClusterLock(
        transport: transports[1], node: entry, directory: options.lockDir,
        breakStale: options.breakLock) : nil
    return RunServices(
      transport: transports[0], lockTransport: transports[1],
      readFacts: ClusterReader.facts(entryNode: entry, clock: clock, baseline: plan.snapshot),
      journal: journal, confirmation: confirmation(yes: options.yes), lock: lock)
  }

  /// The node cluster-wide paths are read from: the node the plan's snapshot was collected on
  /// (`local` in `/cluster/status`), else its first online node, else the first node a command names.
  static func defaultEntryNode(for plan: Plan) -> String {
    ClusterReader.entryNode(of: plan.snapshot) ?? plan.steps.flatMap(\.commands).first?.node
      ?? "localhost"
  }
}

/// The live services of one `apply` or `undo` run (made by `Environment.runServices`).
struct RunServices: Sendable {
  /// Runs the steps' commands and the reads through the entry node.
  var transport: any Transport
  /// The cluster lock's own connection.
  var lockTransport: any Transport
  /// Reads the cluster state the conditions are checked against.
  var readFacts: Executor.ReadFacts
  var journal: JournalFile
  var confirmation: any Confirmation
  /// The cluster lock (`--execute` only).
  var lock: ClusterLock?

  /// Closes every connection.
  func shutdown() async {
    await transport.shutdown()
    await lockTransport.shutdown()
  }
}

/// Why a run could not start; each maps to an exit code.
enum RunSetupError: Error, CustomStringConvertible {
  /// `--execute` without `--yes` and no terminal to ask on.
  case noTerminal
  /// The journal file cannot be opened for appending.
  case journal(ExecutionError)
  /// The inventory or the SSH settings are unusable.
  case connection(any Error)

  var description: String {
    switch self {
    case .noTerminal: return ExecutionError.noTerminal.description
    case .journal(let error): return "\(error)"
    case .connection(let error): return "\(error)"
    }
  }

  var exitCode: Int32 {
    switch self {
    case .noTerminal: return ExitStatus.code(ExecutionError.noTerminal.status)
    case .journal: return ExitStatus.refused
    case .connection: return ExitStatus.connection
    }
  }
}

/// Passphrases for encrypted keys: `PVEMEND_SSH_PASSPHRASE`, else asked once per key on the
/// terminal (nodes connect in parallel, so prompts are serialised and remembered).
private final class PassphrasePrompt: @unchecked Sendable {
  private let lock = NSLock()
  private let interactive: Bool
  private var answers: [String: String] = [:]

  init(interactive: Bool) { self.interactive = interactive }

  func passphrase(for path: String) -> String? {
    if let value = SSHSettings.passphraseFromEnvironment(path) { return value }
    lock.lock()
    defer { lock.unlock() }
    if let known = answers[path] { return known }
    guard interactive, let raw = getpass("Passphrase for \(path): ") else { return nil }
    let answer = String(cString: raw)
    answers[path] = answer
    return answer
  }
}
