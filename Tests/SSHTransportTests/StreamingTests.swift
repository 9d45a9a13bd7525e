import Foundation
import PVEMendTestSupport
import PVEModel
import SSHTransport
import Testing
import Transport

/// `RunOptions.output` and `RunOptions.dedicatedConnection` over a real sshd.
@Suite struct StreamingTests {
  static let server = Result { try SSHD.start() }

  var sshd: SSHD { get throws { try Self.server.get() } }

  /// Collects streamed chunks with their arrival time.
  final class Chunks: @unchecked Sendable {
    private let lock = NSLock()
    private var items: [(Data, Bool, ContinuousClock.Instant)] = []
    func add(_ data: Data, _ stderr: Bool) { lock.withLock { items.append((data, stderr, .now)) } }
    var all: [(Data, Bool, ContinuousClock.Instant)] { lock.withLock { items } }
    func text(stderr: Bool) -> String {
      String(decoding: all.filter { $0.1 == stderr }.map(\.0).reduce(Data(), +), as: UTF8.self)
    }
  }

  @Test(
    "output arrives while the command runs, not at its end; streamed bytes stay out of the result")
  func streamsBeforeTheEnd() async throws {
    try await withTransport(try sshd.transport()) { transport in
      let chunks = Chunks()
      let start = ContinuousClock.now
      let result = try await transport.run(
        shell("echo a; echo e >&2; sleep 1; echo b"),
        options: RunOptions(output: { chunks.add($0, $1) }))
      let end = ContinuousClock.now
      #expect(result.exitStatus == 0)
      #expect(result.stdout.isEmpty && result.stderr.isEmpty)
      #expect(chunks.text(stderr: false) == "a\nb\n")
      #expect(chunks.text(stderr: true) == "e\n")
      let first = try #require(chunks.all.first?.2)
      #expect(start.duration(to: end) >= .seconds(1))
      #expect(first.duration(to: end) >= .milliseconds(800), "first chunk came late")
    }
  }

  @Test("a long command on a dedicated connection does not hold up short ones on the node")
  func dedicatedConnection() async throws {
    try await withTransport(try sshd.transport()) { transport in
      _ = try await transport.run(shell("true"))  // the shared connection exists
      let long = Task {
        let r = try await transport.run(
          shell("sleep 3; echo long"), options: RunOptions(dedicatedConnection: true))
        return (r, ContinuousClock.now)
      }
      try await Task.sleep(for: .milliseconds(300))
      let short = try await transport.run(shell("echo short"))
      let shortEnd = ContinuousClock.now
      #expect(short.stdoutText == "short\n")
      let (longResult, longEnd) = try await long.value
      #expect(longResult.stdoutText == "long\n")
      #expect(shortEnd < longEnd, "the short read queued behind the long command")
    }
  }
}
