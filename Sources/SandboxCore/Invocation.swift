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
  /// Seconds every `pvesh` call sleeps first (`PVEMEND_SANDBOX_PVESH_DELAY_MS`), as a real node's
  /// pvesh spends starting Perl and loading the API.
  package var pveshDelay: Double = 0
  /// Seconds slow mutating commands take, by key (`migrate`, `move-volume`, `start`, `shutdown`,
  /// `stop`; `PVEMEND_SANDBOX_COMMAND_DELAY`, e.g. `move-volume=20,migrate=5`).
  package var commandDelays: [String: Double] = [:]
  /// The cluster file system directory kept in step with the state (`PVEMEND_SANDBOX_PMXCFS`).
  package var pmxcfs: String?
  /// The command record, one JSON line per mutating command (`PVEMEND_SANDBOX_RECORD`).
  package var record: String?

  package init(argv: [String], node: String, statePath: String, now: Double, haDelay: Double = 0) {
    self.argv = argv
    self.node = node
    self.statePath = statePath
    self.now = now
    self.haDelay = haDelay
  }

  /// The keys `--command-delay` knows.
  package static let delayKeys = ["migrate", "move-volume", "start", "shutdown", "stop"]

  /// Parses `move-volume=20,migrate=5` (seconds).
  package static func commandDelays(_ spec: String) throws(CommandFailure) -> [String: Double] {
    var delays: [String: Double] = [:]
    for item in spec.split(separator: ",") {
      let kv = item.split(separator: "=", maxSplits: 1).map(String.init)
      guard kv.count == 2, delayKeys.contains(kv[0]), let seconds = Double(kv[1]), seconds >= 0
      else {
        throw CommandFailure(
          "pve-standin: PVEMEND_SANDBOX_COMMAND_DELAY item '\(item)' is not KEY=SECONDS with KEY one of \(delayKeys.joined(separator: ", ")); e.g. move-volume=20,migrate=5"
        )
      }
      delays[kv[0]] = seconds
    }
    return delays
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
    var invocation = Invocation(argv: argv, node: node, statePath: state, now: now, haDelay: delay)
    if let text = environment["PVEMEND_SANDBOX_PVESH_DELAY_MS"], !text.isEmpty {
      guard let ms = Int(text), ms >= 0 else {
        throw CommandFailure(
          "pve-standin: PVEMEND_SANDBOX_PVESH_DELAY_MS='\(text)' is not a whole number of milliseconds; set it to e.g. 0 or 800"
        )
      }
      invocation.pveshDelay = Double(ms) / 1000
    }
    if let spec = environment["PVEMEND_SANDBOX_COMMAND_DELAY"], !spec.isEmpty {
      invocation.commandDelays = try commandDelays(spec)
    }
    if let dir = environment["PVEMEND_SANDBOX_PMXCFS"], !dir.isEmpty { invocation.pmxcfs = dir }
    if let file = environment["PVEMEND_SANDBOX_RECORD"], !file.isEmpty { invocation.record = file }
    return invocation
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
