import Foundation
import PVEModel
import Transport

/// A fake `Transport` that records every command each node received and answers from a script or a
/// closure. It also tracks how many commands ran at once (overall and per node), for parallelism tests.
package final class RecordingTransport: Transport, @unchecked Sendable {
  /// Produces the reply to a command (may sleep, may throw a `TransportError`).
  package typealias Reply = @Sendable (RemoteCommand) async throws -> CommandResult

  private let lock = NSLock()
  private var log: [RemoteCommand] = []
  private var inFlight = 0
  private var inFlightPerNode: [String: Int] = [:]
  private var peak = 0
  private var peakPerNode: [String: Int] = [:]
  private var mutatingInFlight = 0
  private var mutatingPerNode: [String: Int] = [:]
  private var mutatingPeak = 0
  private var mutatingPeakPerNode: [String: Int] = [:]
  private let reply: Reply
  /// Node → host key fingerprint reported by `hostKeyFingerprint(node:)`.
  package let fingerprints: [String: String]

  private let base: (any Transport)?

  /// Answers every command with `reply`.
  package init(fingerprints: [String: String] = [:], reply: @escaping Reply) {
    self.fingerprints = fingerprints
    self.reply = reply
    self.base = nil
  }

  /// Records every command and forwards it (with its options) to `base`: a live or sandbox transport
  /// whose traffic a test wants to see.
  package init(forwardingTo base: any Transport) {
    self.fingerprints = [:]
    self.base = base
    self.reply = { command in try await base.run(command) }
  }

  /// Answers from a script: the command's shell line → result; anything else succeeds with no output.
  package convenience init(
    script: [String: CommandResult] = [:], fingerprints: [String: String] = [:]
  ) {
    self.init(fingerprints: fingerprints) { command in
      script[command.shellLine] ?? CommandResult(stdout: Data(), stderr: Data(), exitStatus: 0)
    }
  }

  package func run(_ command: RemoteCommand, options: RunOptions) async throws -> CommandResult {
    lock.withLock {
      log.append(command)
      inFlight += 1
      peak = max(peak, inFlight)
      inFlightPerNode[command.node, default: 0] += 1
      peakPerNode[command.node] = max(
        peakPerNode[command.node] ?? 0, inFlightPerNode[command.node] ?? 0)
      if command.mutating {
        mutatingInFlight += 1
        mutatingPeak = max(mutatingPeak, mutatingInFlight)
        mutatingPerNode[command.node, default: 0] += 1
        mutatingPeakPerNode[command.node] = max(
          mutatingPeakPerNode[command.node] ?? 0, mutatingPerNode[command.node] ?? 0)
      }
    }
    defer {
      lock.withLock {
        inFlight -= 1
        inFlightPerNode[command.node, default: 1] -= 1
        if command.mutating {
          mutatingInFlight -= 1
          mutatingPerNode[command.node, default: 1] -= 1
        }
      }
    }
    if let base { return try await base.run(command, options: options) }
    return try await reply(command)
  }

  package func hostKeyFingerprint(node: String) async -> String? {
    if let base { return await base.hostKeyFingerprint(node: node) }
    return fingerprints[node] ?? "SHA256:fake-\(node)"
  }

  package func shutdown() async { await base?.shutdown() }

  /// Every command received, in arrival order.
  package var commands: [RemoteCommand] { lock.withLock { log } }
  /// The commands one node received.
  package func commands(on node: String) -> [RemoteCommand] { commands.filter { $0.node == node } }
  /// Node → the commands it received.
  package var commandsByNode: [String: [RemoteCommand]] {
    Dictionary(grouping: commands, by: \.node)
  }
  /// Commands that are mutating by flag or not known to be read-only.
  package var mutatingCommands: [RemoteCommand] {
    commands.filter { $0.mutating || !ReadOnlyCommands.isReadOnly($0.argv) }
  }
  /// Most mutating commands in flight at once, overall and per node.
  package var peakMutatingConcurrency: Int { lock.withLock { mutatingPeak } }
  package var peakMutatingConcurrencyPerNode: [String: Int] {
    lock.withLock { mutatingPeakPerNode }
  }
  /// Most commands in flight at once.
  package var peakConcurrency: Int { lock.withLock { peak } }
  /// Node → most commands in flight on it at once.
  package var peakConcurrencyPerNode: [String: Int] { lock.withLock { peakPerNode } }
}

extension CommandResult {
  /// A result with text output.
  package static func text(_ stdout: String, stderr: String = "", status: Int32 = 0)
    -> CommandResult
  {
    CommandResult(stdout: Data(stdout.utf8), stderr: Data(stderr.utf8), exitStatus: status)
  }
}
