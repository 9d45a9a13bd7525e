import PVEModel

/// The stand-ins' entry point: one call of `pvesh`, `qm`, `pct`, `ha-manager` or `pveversion`
/// against the shared state file, testable in-process.
///
/// Read-only commands take a shared lock; everything else, and any call that finds a queued HA move
/// due, takes the exclusive lock for the whole read-modify-write. Queued moves that are due are
/// completed first, whatever the command. A refused command changes nothing.
package enum StandIn {
  package static let tools = ["pvesh", "qm", "pct", "ha-manager", "pveversion"]

  package static func run(_ invocation: Invocation) -> Outcome {
    let (tool, args) = invocation.tool
    guard tools.contains(tool) else {
      return Outcome(
        stderr:
          "pve-standin: unknown tool '\(tool)'; call it through a link named \(tools.joined(separator: ", "))\n",
        exitCode: 2)
    }
    let file = StateFile(path: invocation.statePath)
    do throws(CommandFailure) {
      if isReadOnly(tool, args) {
        let outcome = try file.withLock(exclusive: false) { () throws(CommandFailure) -> Outcome? in
          let state = try ClusterState(bytes: try file.read(), file: invocation.statePath)
          if state.pending.contains(where: { $0.due <= invocation.now }) { return nil }
          return try execute(tool, args, context(state, invocation))
        }
        if let outcome { return outcome }
      }
      return try file.withLock(exclusive: true) { () throws(CommandFailure) -> Outcome in
        let state = try ClusterState(bytes: try file.read(), file: invocation.statePath)
        if state.completeDueMoves(now: invocation.now) {
          try file.write(state.encoded())
        }
        let settled = try ClusterState(bytes: try file.read(), file: invocation.statePath)
        let outcome = try execute(tool, args, context(settled, invocation))
        if settled.isModified { try file.write(settled.encoded()) }
        return outcome
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
    default: throw CommandFailure("pve-standin: unknown tool '\(tool)'", exitCode: 2)
    }
  }

  /// Commands that never change the cluster (`ReadOnlyCommands` in Transport says the same).
  static func isReadOnly(_ tool: String, _ args: [String]) -> Bool {
    let sub = args.first ?? ""
    switch tool {
    case "pvesh": return sub == "get"
    case "pveversion": return true
    case "qm", "pct": return sub == "status" || sub == "config"
    case "ha-manager":
      return ["status", "config", "groupconfig"].contains(sub)
        || (sub == "rules" && args.count > 1 && ["config", "list"].contains(args[1]))
    default: return false
    }
  }
}
