import Foundation
import PVEModel
import Planning

/// The live progress of a run as lines, from execution events: a pure state machine (no terminal, no
/// clock: times are passed in), so tests drive it event by event. The CLI's `ProgressView` writes
/// what it returns.
///
/// - Terminal (`live == true`): finished steps and notable events are printed once (`printed`), and
///   one line per running step is redrawn in place (`board`): step number, id, node(s), elapsed time,
///   title, and the latest thing Proxmox printed (a `transferred … (12.50%)` line, a migration log
///   line) or what the step waits for.
/// - Not a terminal: every event is one timestamped line; progress lines (transfer percentages,
///   migration status) and waits are printed at most every `throttle` seconds per step.
///
/// Text from the cluster (output lines, guest names in titles, error details) passes through
/// `DisplayText.oneLine`: control characters, escape sequences and bidi controls never reach the
/// terminal raw (each becomes U+FFFD).
package struct ProgressBoard: Sendable {
  /// One running step.
  struct Running: Sendable {
    var step: Step
    var index: Int
    var total: Int
    var started: Double
    /// The latest line worth showing (progress, log line, what it waits for).
    var latest: String?
    /// The last output lines (shown when a command fails).
    var recent: [String] = []
    var lastPrinted: Double = -.infinity
  }

  /// What to print after an event.
  package struct Update: Sendable, Hashable {
    /// Lines printed once, above the board (with a timestamp prefix when not a terminal).
    package var printed: [String] = []
    /// The running steps' lines, redrawn in place (terminal only; empty otherwise).
    package var board: [String] = []
  }

  package let live: Bool
  package let mode: ExecutionMode
  /// Seconds between two progress or waiting lines of one step when not on a terminal.
  package var throttle: Double
  /// Columns of the terminal: board lines are cut to fit (a wrapped line would break redrawing).
  package var width: Int
  private var running: [String: Running] = [:]
  private var order: [String] = []
  private var runStart: Double?

  package init(live: Bool, mode: ExecutionMode, width: Int = 100, throttle: Double = 10) {
    self.live = live
    self.mode = mode
    self.width = max(width, 20)
    self.throttle = throttle
  }

  /// Feeds one event; `now` is monotonic seconds, `wall` the timestamp of non-terminal lines.
  package mutating func handle(_ event: ExecutionEvent, now: Double, wall: String) -> Update {
    var printed: [String] = []
    func say(_ text: String) { printed.append(live ? text : "\(wall) \(text)") }
    switch event {
    case .reading(nil):
      say("Reading the cluster state…")
    case .reading:
      break
    case .checked(let check):
      // A block of its own, already made safe by ExecutionText (plan text is the reviewed plan).
      printed.append(
        ExecutionText.check(check, mode: mode).trimmingCharacters(in: .newlines)
          .split(separator: "\n", omittingEmptySubsequences: false)
          .map { DisplayText.oneLine(String($0), limit: .max) }.joined(separator: "\n"))
    case .runStarted(let total):
      runStart = now
      say("Applying \(total) step\(total == 1 ? "" : "s").")
    case .stepStarted(let step, let index, let total):
      running[step.id] = Running(step: step, index: index, total: total, started: now)
      order.append(step.id)
      if !live {
        say("[\(index)/\(total)] \(step.id) started on \(nodes(step)): \(esc(step.title))")
      }
    case .commandStarted(let id, let command):
      if !live, let r = running[id] {
        say("[\(r.index)/\(r.total)] \(id) \(esc(command.node))$ \(esc(command.shellLine))")
      }
    case .output(let id, let node, let line, let stderr):
      guard var r = running[id] else { break }
      // `\r`-separated updates (a progress bar): the last one is the current state.
      let text = esc(
        line.split(separator: "\r").last(where: { !$0.allSatisfy(\.isWhitespace) }).map(String.init)
          ?? "")
      if text.isEmpty { break }
      r.latest = (stderr ? "! " : "") + text
      r.recent = Array((r.recent + [r.latest ?? text]).suffix(5))
      if !live {
        let progress = Self.isProgress(text)
        if !progress || now - r.lastPrinted >= throttle {
          if progress { r.lastPrinted = now }
          say("[\(r.index)/\(r.total)] \(id) \(esc(node)): \(stderr ? "! " : "")\(text)")
        }
      }
      running[id] = r
    case .commandFinished(let id, let command, let result):
      guard let r = running[id], !result.succeeded else { break }
      let how = result.exitSignal.map { "killed by \(esc($0))" } ?? "exit \(result.exitStatus)"
      say("[\(r.index)/\(r.total)] \(id) \(esc(command.node))$ \(esc(command.shellLine)): \(how)")
      if live { printed += r.recent.map { "    \($0)" } }
    case .waiting(let id, let detail, let elapsed):
      guard var r = running[id] else { break }
      r.latest = Self.waitText(r.step, detail: esc(detail))
      if !live, now - r.lastPrinted >= throttle {
        r.lastPrinted = now
        say("[\(r.index)/\(r.total)] \(id) \(r.latest ?? "") (\(Self.elapsed(elapsed)))")
      }
      running[id] = r
    case .stepFinished(let id, let outcome, let detail, let duration):
      let r = running.removeValue(forKey: id)
      order.removeAll { $0 == id }
      let prefix = r.map { "[\($0.index)/\($0.total)] " } ?? ""
      let title = r.map { " \(esc($0.step.title))" } ?? ""
      say(
        "\(prefix)\(Self.mark(outcome)) \(id)\(title): \(outcome.rawValue) in "
          + Self.elapsed(duration) + (detail.map { " (\(esc($0)))" } ?? ""))
    case .lock(let event):
      if event != .renewed || !live { say("pvemend: \(esc(event.message))") }
    case .stopping(let reason):
      say("pvemend: \(esc(reason))")
    case .runFinished:
      running = [:]
      order = []
    }
    return Update(printed: printed, board: live ? board(now: now) : [])
  }

  /// The board at `now` (elapsed times move on between events).
  package func board(now: Double) -> [String] {
    guard live else { return [] }
    return order.compactMap { id in
      guard let r = running[id] else { return nil }
      var line =
        "[\(r.index)/\(r.total)] \(id) \(nodes(r.step)) \(Self.elapsed(now - r.started)) "
        + esc(r.step.title)
      if let latest = r.latest { line += " · " + latest }
      return Self.cut(line, to: width - 1)
    }
  }

  /// Whether anything is running (the CLI refreshes the board once a second while so).
  package var isBusy: Bool { !running.isEmpty }

  private func nodes(_ step: Step) -> String {
    esc(Array(Set(step.commands.map(\.node))).sorted().joined(separator: "→"))
  }

  private func esc(_ text: String) -> String { DisplayText.oneLine(text, limit: .max) }

  /// `12 s`, `1:05`, `1:02:03`.
  package static func elapsed(_ seconds: Double) -> String {
    let s = max(0, Int(seconds.rounded(.down)))
    if s < 60 { return "\(s) s" }
    func two(_ n: Int) -> String { n < 10 ? "0\(n)" : "\(n)" }
    if s < 3600 { return "\(s / 60):\(two(s % 60))" }
    return "\(s / 3600):\(two(s / 60 % 60)):\(two(s % 60))"
  }

  /// Proxmox's repeating progress lines: `transferred 1.0 GiB of 8.0 GiB (12.50%)`, `migration
  /// active, transferred …`, `drive-scsi0: transferred …`, `… (42%)`.
  package static func isProgress(_ line: String) -> Bool {
    line.contains("transferred") || line.contains("%)") || line.hasSuffix("%")
      || line.contains("migration active") || line.contains("migration status")
  }

  /// What a step waits for, in words.
  static func waitText(_ step: Step, detail: String) -> String {
    if let wait = step.wait {
      let sid = DisplayText.oneLine(wait.sid)
      let node = DisplayText.oneLine(wait.node)
      if wait.kind == "ha-state", let state = wait.state {
        return
          "waiting for HA to bring \(sid) to \(DisplayText.oneLine(state)) on \(node): \(detail)"
      }
      let verb =
        step.commands.contains { $0.argv.starts(with: ["ha-manager", "relocate"]) }
        ? "relocate" : "migrate"
      return "waiting for HA to \(verb) \(sid) to \(node): \(detail)"
    }
    if detail.contains(" online") { return "waiting for the node to come back: \(detail)" }
    return "waiting for: \(detail)"
  }

  static func mark(_ outcome: StepOutcome) -> String {
    switch outcome {
    case .succeeded, .satisfied, .done: return "✓"
    case .failed, .stale: return "✗"
    default: return "·"
    }
  }

  /// The bytes that show an update on a terminal: move up over the `previous` board lines and clear
  /// to the end of the screen, then the printed lines, then the new board (every line ends in `\n`,
  /// so the cursor rests below the board).
  package static func frame(erasing previous: Int, printed: [String], board: [String]) -> String {
    var out = previous > 0 ? "\u{1B}[\(previous)A\r\u{1B}[J" : ""
    for line in printed + board { out += line + "\n" }
    return out
  }

  /// Cuts to `columns` characters (an ellipsis marks the cut).
  static func cut(_ line: String, to columns: Int) -> String {
    line.count <= columns ? line : String(line.prefix(max(columns - 1, 0))) + "…"
  }
}
