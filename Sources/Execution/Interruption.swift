import Foundation

/// A stop request shared by the CLI's SIGINT handler and the executor.
///
/// Once triggered, no new step starts; running steps finish their commands (a step is never left
/// half-run on purpose), check their effect once, and the journal records where the run stopped.
package final class Interruption: @unchecked Sendable {
  private let lock = NSLock()
  private var triggered = false

  package init() {}

  package var isTriggered: Bool { lock.withLock { triggered } }

  /// Requests a stop. Returns false if one was already requested (the CLI then exits at once).
  @discardableResult
  package func trigger() -> Bool {
    lock.withLock {
      defer { triggered = true }
      return !triggered
    }
  }
}
