import Foundation
import PVEModel

/// The stand-ins' entry point: one call of `pvesh`, `qm`, `pct`, `ha-manager` or `pveversion`
/// against the shared state file, testable in-process.
///
/// Read-only commands take a shared lock; everything else, and any call that finds a queued HA move
/// due, takes the exclusive lock for the whole read-modify-write. Queued moves that are due are
/// completed first, whatever the command. A refused command changes nothing.
package enum StandIn {
  package static let tools = ["pvesh", "qm", "pct", "ha-manager", "pveversion", "qmrestore"]

  package static func run(_ invocation: Invocation, live: Live = .system) -> Outcome {
    let (tool, args) = invocation.tool
    guard tools.contains(tool) else {
      return Outcome(
        stderr:
          "pve-standin: unknown tool '\(tool)'; call it through a link named \(tools.joined(separator: ", "))\n",
        exitCode: 2)
    }
    let started = live.now()
    if tool == "pvesh", invocation.pveshDelay > 0 { live.sleep(invocation.pveshDelay) }
    let file = StateFile(path: invocation.statePath)
    let readOnly = isReadOnly(tool, args)
    let printer = Printer(live: live)
    var outcome: Outcome
    do throws(CommandFailure) {
      outcome = try perform(tool, args, readOnly: readOnly, invocation, file, printer, live)
    } catch {
      outcome = Outcome(stderr: error.message, exitCode: error.exitCode)
    }
    outcome.stdout = printer.collected + outcome.stdout
    if !readOnly, let record = invocation.record {
      let entry = CommandRecord(
        node: invocation.node,
        argv: [tool] + args, pid: getpid(), start: started, end: live.now(),
        exit: outcome.exitCode)
      do throws(CommandFailure) {
        try file.withLock(exclusive: true) { () throws(CommandFailure) in
          try entry.append(to: record)
        }
      } catch {
        outcome.stderr += error.message
      }
    }
    return outcome
  }

  private static func perform(
    _ tool: String, _ args: [String], readOnly: Bool, _ invocation: Invocation, _ file: StateFile,
    _ printer: Printer, _ live: Live
  ) throws(CommandFailure) -> Outcome {
    let pmxcfs = invocation.pmxcfs.map(PmxcfsDirectory.init(path:))
    func save(_ state: ClusterState) throws(CommandFailure) {
      try file.write(state.encoded())
      try pmxcfs?.update(state)
    }
    if readOnly {
      let outcome = try file.withLock(exclusive: false) { () throws(CommandFailure) -> Outcome? in
        let state = try ClusterState(bytes: try file.read(), file: invocation.statePath)
        if state.pending.contains(where: { $0.due <= invocation.now }) { return nil }
        return try execute(tool, args, context(state, invocation))
      }
      if let outcome { return outcome }
    }
    var slow: (work: SlowWork, delay: Double)?
    let outcome = try file.withLock(exclusive: true) { () throws(CommandFailure) -> Outcome in
      let state = try ClusterState(bytes: try file.read(), file: invocation.statePath)
      if state.completeDueMoves(now: invocation.now) { try save(state) }
      let settled = try ClusterState(bytes: try file.read(), file: invocation.statePath)
      let ctx = context(settled, invocation)
      let outcome = try execute(tool, args, ctx)
      if !readOnly, let work = ctx.slow.work, let delay = invocation.commandDelays[work.key],
        delay > 0
      {
        // Checked: the change is applied after the delay. Meanwhile the guest is locked.
        slow = (work, delay)
        if let lock = work.lock {
          let locking = try ClusterState(bytes: try file.read(), file: invocation.statePath)
          if var config = locking.object(work.configPath) {
            config["lock"] = .string(lock)
            locking[work.configPath] = .object(ConfigDigest.stamped(config, kind: work.kind))
            try save(locking)
          }
        }
        return outcome
      }
      if settled.isModified { try save(settled) }
      return outcome
    }
    guard let (work, delay) = slow else { return outcome }
    for line in work.header { printer.print(line) }
    let begin = live.now()
    var elapsed = 0.0
    while elapsed < delay {
      live.sleep(min(0.5, delay - elapsed))
      elapsed = live.now() - begin
      if let line = work.progress(min(1, elapsed / delay), live.now()) { printer.print(line) }
    }
    var later = invocation
    later.now = live.now()
    return try file.withLock(exclusive: true) { () throws(CommandFailure) -> Outcome in
      let state = try ClusterState(bytes: try file.read(), file: invocation.statePath)
      if state.completeDueMoves(now: later.now) { try save(state) }
      let settled = try ClusterState(bytes: try file.read(), file: invocation.statePath)
      if let lock = work.lock, var config = settled.object(work.configPath),
        config["lock"]?.stringValue == lock
      {
        config["lock"] = nil
        settled[work.configPath] = .object(ConfigDigest.stamped(config, kind: work.kind))
      }
      do throws(CommandFailure) {
        var outcome = try execute(tool, args, context(settled, later))
        if settled.isModified { try save(settled) }
        let lines = outcome.stdout.split(separator: "\n", omittingEmptySubsequences: false)
        outcome.stdout = lines.dropFirst(min(work.header.count, lines.count)).joined(
          separator: "\n")
        return outcome
      } catch {
        if settled.isModified { try save(settled) }
        throw error
      }
    }
  }

  /// Writes the cluster file system of a state file into `directory` (`scripts/sandbox start`):
  /// every guest config's digest becomes the SHA-1 of its file, then every file is written.
  package static func writePmxcfs(statePath: String, directory: String) -> Outcome {
    let file = StateFile(path: statePath)
    do throws(CommandFailure) {
      return try file.withLock(exclusive: true) { () throws(CommandFailure) -> Outcome in
        let state = try ClusterState(bytes: try file.read(), file: statePath)
        for path in state.paths {
          guard let location = GuestConfigLocation(apiPath: path), let config = state.object(path)
          else { continue }
          let stamped = ConfigDigest.stamped(config, kind: location.kind)
          if stamped != config { state[path] = .object(stamped) }
        }
        if state.isModified { try file.write(state.encoded()) }
        try PmxcfsDirectory(path: directory).writeAll(state)
        return .lines([directory])
      }
    } catch {
      return Outcome(stderr: error.message, exitCode: error.exitCode)
    }
  }

  /// Runs a command on a state in memory (no file, no lock): for tests and tools.
  package static func run(
    _ argv: [String], on state: ClusterState, node: String, now: Double, haDelay: Double = 0
  ) -> Outcome {
    let invocation = Invocation(argv: argv, node: node, statePath: "", now: now, haDelay: haDelay)
    let (tool, args) = invocation.tool
    state.completeDueMoves(now: now)
    do throws(CommandFailure) {
      return try execute(tool, args, context(state, invocation))
    } catch {
      return Outcome(stderr: error.message, exitCode: error.exitCode)
    }
  }

  /// `<node> <online 0|1>` per line, for `scripts/sandbox` (which needs the node list but no
  /// JSON tool): `pve-standin --list-nodes STATE`.
  package static func nodeList(statePath: String) -> Outcome {
    do throws(CommandFailure) {
      let file = StateFile(path: statePath)
      let state = try ClusterState(bytes: try file.read(), file: statePath)
      let lines = state.nodeNames().map { "\($0) \(state.isOnline($0) ? 1 : 0)" }
      return .lines(lines)
    } catch {
      return Outcome(stderr: error.message, exitCode: error.exitCode)
    }
  }

  static func context(_ state: ClusterState, _ invocation: Invocation) -> Context {
    Context(state: state, node: invocation.node, now: invocation.now, haDelay: invocation.haDelay)
  }

  static func execute(_ tool: String, _ args: [String], _ ctx: Context) throws(CommandFailure)
    -> Outcome
  {
    switch tool {
    case "pvesh": return try Pvesh.run(args, ctx)
    case "qm": return try GuestCLI.run(.qemu, args, ctx)
    case "pct": return try GuestCLI.run(.lxc, args, ctx)
    case "ha-manager": return try HAManager.run(args, ctx)
    case "pveversion": return try PVEVersionCLI.run(args, ctx)
    case "qmrestore": return try RestoreCLI.qmrestore(args, ctx)
    default: throw CommandFailure("pve-standin: unknown tool '\(tool)'", exitCode: 2)
    }
  }

  /// Commands that never change the cluster (`ReadOnlyCommands` in Transport says the same).
  static func isReadOnly(_ tool: String, _ args: [String]) -> Bool {
    let sub = args.first ?? ""
    switch tool {
    case "pvesh": return sub == "get"
    case "pveversion": return true
    case "qm", "pct":
      // The agent ping reads the guest; it changes nothing.
      return sub == "status" || sub == "config"
        || (tool == "qm" && (sub == "agent" || sub == "guest"))
    case "ha-manager":
      return ["status", "config", "groupconfig"].contains(sub)
        || (sub == "rules" && args.count > 1 && ["config", "list"].contains(args[1]))
    default: return false
    }
  }
}
