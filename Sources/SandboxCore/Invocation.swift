import Foundation

/// One call of a stand-in: what a shell would pass to `pvesh`, `qm`, `pct`, `ha-manager` or
/// `pveversion` on a node, plus the sandbox's own settings.
package struct Invocation: Sendable, Hashable {
  /// `argv[0]` names the tool (its basename: `pvesh`, `qm`, …).
  package var argv: [String]
  /// The node this tool runs on (`PVEMEND_SANDBOX_NODE`).
  package var node: String
  /// The shared cluster state file (`PVEMEND_SANDBOX_STATE`).
  package var statePath: String
  /// Seconds since 1970: when queued HA moves fall due, task log times.
  package var now: Double
  /// How long `ha-manager migrate|relocate` takes to complete (`PVEMEND_SANDBOX_HA_DELAY`).
  package var haDelay: Double

  package init(argv: [String], node: String, statePath: String, now: Double, haDelay: Double = 0) {
    self.argv = argv
    self.node = node
    self.statePath = statePath
    self.now = now
    self.haDelay = haDelay
  }

  /// The invocation described by a process environment, as the `pve-standin` executable sees it.
  package static func fromEnvironment(
    argv: [String], environment: [String: String], now: Double
  ) throws(CommandFailure) -> Invocation {
    guard let state = environment["PVEMEND_SANDBOX_STATE"], !state.isEmpty else {
      throw CommandFailure(
        "pve-standin: PVEMEND_SANDBOX_STATE is not set; start the sandbox with 'scripts/sandbox start' or set it to a state file"
      )
    }
    guard let node = environment["PVEMEND_SANDBOX_NODE"], !node.isEmpty else {
      throw CommandFailure(
        "pve-standin: PVEMEND_SANDBOX_NODE is not set; set it to the node this stand-in plays")
    }
    var delay: Double = 0
    if let text = environment["PVEMEND_SANDBOX_HA_DELAY"], !text.isEmpty {
      guard let d = Double(text), d >= 0 else {
        throw CommandFailure(
          "pve-standin: PVEMEND_SANDBOX_HA_DELAY='\(text)' is not a number of seconds; set it to e.g. 0 or 5"
        )
      }
      delay = d
    }
    return Invocation(argv: argv, node: node, statePath: state, now: now, haDelay: delay)
  }

  /// The tool name: the basename of `argv[0]`; `pve-standin <tool> …` also works.
  var tool: (name: String, arguments: [String]) {
    let first = argv.first.map { ($0 as NSString).lastPathComponent } ?? ""
    if first == "pve-standin", argv.count > 1 {
      return (argv[1], Array(argv.dropFirst(2)))
    }
    return (first, Array(argv.dropFirst()))
  }
}

/// What a stand-in printed and how it ended.
package struct Outcome: Sendable, Hashable {
  package var stdout: String
  package var stderr: String
  package var exitCode: Int32

  package init(stdout: String = "", stderr: String = "", exitCode: Int32 = 0) {
    self.stdout = stdout
    self.stderr = stderr
    self.exitCode = exitCode
  }
}
