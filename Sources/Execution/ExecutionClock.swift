import Foundation

/// Where the executor gets time: journal timestamps, durations and the pause between polls.
///
/// The CLI passes `SystemClock`; tests and benchmarks pass `VirtualClock`, so polling loops and
/// timeouts run instantly and journals are byte-stable.
package protocol ExecutionClock: Sendable {
  /// Wall time for the journal, RFC 3339 UTC (`2025-11-09T10:00:00Z`).
  func timestamp() -> String
  /// Monotonic seconds from an arbitrary origin, for durations and deadlines.
  func monotonic() -> Double
  /// Pauses (or pretends to).
  func sleep(seconds: Double) async throws
}

/// The real clock.
package struct SystemClock: ExecutionClock {
  let origin = ContinuousClock.now

  package init() {}

  package func timestamp() -> String { Date().ISO8601Format() }

  package func monotonic() -> Double {
    let d = ContinuousClock.now - origin
    return Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18
  }

  package func sleep(seconds: Double) async throws {
    guard seconds > 0 else { return }
    try await Task.sleep(for: .milliseconds(Int(seconds * 1000)))
  }
}

/// A clock that only moves when slept on, or when told to: deterministic tests and zero-delay benchmarks.
package final class VirtualClock: ExecutionClock, @unchecked Sendable {
  private let lock = NSLock()
  private var now: Double
  private let epoch: Double

  /// `start` is the wall time of virtual second 0, seconds since 1970 (default 2025-11-09T10:00:00Z).
  package init(start: Double = 1_762_682_400) {
    self.now = 0
    self.epoch = start
  }

  package func timestamp() -> String {
    Date(timeIntervalSince1970: epoch + lock.withLock { now }.rounded(.down)).ISO8601Format()
  }

  package func monotonic() -> Double { lock.withLock { now } }

  package func advance(seconds: Double) { lock.withLock { now += seconds } }

  package func sleep(seconds: Double) async throws {
    try Task.checkCancellation()
    advance(seconds: max(seconds, 0))
    await Task.yield()
  }
}
