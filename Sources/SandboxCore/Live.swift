import Foundation

/// What a stand-in needs from the world while it runs: the clock, sleeping, and printing a line at
/// once (progress of slow commands). Tests in-process use `.system`, which collects the lines into
/// the outcome; the executable prints them as they come.
package struct Live: Sendable {
  package var now: @Sendable () -> Double
  package var sleep: @Sendable (Double) -> Void
  /// Prints one line (with its newline) now; nil collects the lines into the outcome's stdout.
  package var emit: (@Sendable (String) -> Void)?

  package init(
    now: @escaping @Sendable () -> Double, sleep: @escaping @Sendable (Double) -> Void,
    emit: (@Sendable (String) -> Void)?
  ) {
    self.now = now
    self.sleep = sleep
    self.emit = emit
  }

  /// The system clock and `Thread.sleep`; lines collected.
  package static let system = Live(
    now: { Date().timeIntervalSince1970 }, sleep: { Thread.sleep(forTimeInterval: $0) },
    emit: nil)
}

/// Prints progress lines through `Live.emit`, or keeps them for the outcome.
final class Printer {
  private let live: Live
  private(set) var collected = ""

  init(live: Live) { self.live = live }

  func print(_ line: String) {
    if let emit = live.emit { emit(line + "\n") } else { collected += line + "\n" }
  }
}
