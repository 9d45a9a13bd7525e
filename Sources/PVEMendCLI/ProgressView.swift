import Execution
import Foundation

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
