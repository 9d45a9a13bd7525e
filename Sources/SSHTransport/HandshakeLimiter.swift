import Foundation

/// Caps the handshakes in flight to one `host:port`: sshd's default `MaxStartups 10:30:100` drops
/// bursts of unauthenticated connections. Blocks the calling thread, which is always a node's own
/// queue, never the cooperative pool.
final class HandshakeLimiter: @unchecked Sendable {
  static let shared = HandshakeLimiter()

  private let condition = NSCondition()
  private var inFlight: [String: Int] = [:]

  /// Waits until fewer than `limit` handshakes to `key` are in flight, then counts this one.
  func acquire(_ key: String, limit: Int) {
    condition.lock()
    while inFlight[key, default: 0] >= max(1, limit) { condition.wait() }
    inFlight[key, default: 0] += 1
    condition.unlock()
  }

  /// Ends a handshake counted by `acquire`.
  func release(_ key: String) {
    condition.lock()
    inFlight[key, default: 1] -= 1
    if inFlight[key] == 0 { inFlight[key] = nil }
    condition.broadcast()
    condition.unlock()
  }
}
