import Foundation
import Transport

/// The one connection to one node. An actor on its own queue executor: libssh2 calls block that
/// queue's thread, never the cooperative pool, and commands to one node run one at a time.
actor NodeConnection {
  let endpoint: NodeEndpoint
  let settings: SSHSettings
  private let executor: QueueExecutor
  private var session: SSHSession?
  private var keepaliveTask: Task<Void, Never>?
  private var closed = false

  nonisolated var unownedExecutor: UnownedSerialExecutor { executor.asUnownedSerialExecutor() }

  init(endpoint: NodeEndpoint, settings: SSHSettings) {
    self.endpoint = endpoint
    self.settings = settings
    executor = QueueExecutor(label: "pvemend.ssh.\(endpoint.node)")
  }

  /// The verified host key's fingerprint, once connected.
  var fingerprint: String? { session?.report?.fingerprint }

  /// Connects if not connected (or if the connection broke or idled out) and reports how.
  func connect() throws -> ConnectionReport {
    let (session, _) = try connectedSession()
    guard let report = session.report else {
      throw TransportError.connectionLost(node: endpoint.node, detail: "session without a report")
    }
    return report
  }

  /// Runs one invocation, reconnecting once if a reused connection turned out dead before the
  /// command was sent.
  func run(
    _ invocation: RemoteInvocation, argv: [String], output: RunOptions.Output? = nil,
    silenceTimeout: Duration? = nil
  ) throws -> CommandResult {
    var attempt = 0
    while true {
      attempt += 1
      let (session, reused) = try connectedSession()
      let start = ContinuousClock.now
      let deadline = invocation.clientDeadline.map { start + $0 }
      do {
        let output = try session.exec(
          invocation.command, stdin: invocation.stdin, deadline: deadline, argv: argv,
          timeout: invocation.timeout, output: output, silenceTimeout: silenceTimeout)
        if session.isBroken { drop() }
        let elapsed = start.duration(to: .now)
        if let timeout = invocation.timeout,
          RemoteInvocation.isTimeoutExit(status: output.exitStatus),
          elapsed >= timeout
        {
          throw TransportError.timedOut(node: endpoint.node, argv: argv, seconds: timeout.seconds)
        }
        return CommandResult(
          stdout: output.stdout, stderr: output.stderr, exitStatus: output.exitStatus,
          exitSignal: output.exitSignal, duration: elapsed.seconds)
      } catch let failure as SessionFailure {
        let broken = session.isBroken
        if broken { drop() }
        if broken && reused && !failure.commandSent && attempt == 1 { continue }
        throw failure.error
      }
    }
  }

  /// Closes the connection; the next command reconnects.
  func close() {
    closed = true
    drop()
  }

  private func drop() {
    keepaliveTask?.cancel()
    keepaliveTask = nil
    session?.close()
    session = nil
  }

  private func connectedSession() throws -> (SSHSession, reused: Bool) {
    if let session {
      let idle = session.lastUsed.duration(to: .now)
      if !session.isBroken, settings.idleTimeout.map({ idle < $0 }) ?? true {
        return (session, true)
      }
      drop()
    }
    closed = false
    var attempt = 0
    let key = "\(endpoint.host):\(endpoint.port)"
    // One connect timeout for all attempts: a node that hangs (rather than refusing) costs
    // connectTimeout, not connectTimeout × handshakeAttempts.
    let overall = ContinuousClock.now + settings.connectTimeout
    while true {
      attempt += 1
      let candidate = SSHSession(endpoint: endpoint, settings: settings)
      do {
        HandshakeLimiter.shared.acquire(key, limit: settings.handshakesPerHost)
        defer { HandshakeLimiter.shared.release(key) }
        try candidate.open(deadline: overall)
        session = candidate
        startKeepalive()
        return (candidate, false)
      } catch {
        candidate.close()
        guard error.retryable, attempt < settings.handshakeAttempts, ContinuousClock.now < overall
        else { throw error.error }
        // Back off before the next handshake: 50, 100, 200, … ms plus jitter.
        let base = 50_000 << min(attempt - 1, 5)
        usleep(UInt32(base + Int.random(in: 0..<50_000)))
      }
    }
  }

  private func startKeepalive() {
    keepaliveTask?.cancel()
    let interval = settings.keepaliveInterval
    keepaliveTask = Task { [weak self] in
      while !Task.isCancelled {
        try? await Task.sleep(for: interval)
        guard !Task.isCancelled, let self else { return }
        await self.tick()
      }
    }
  }

  /// Sends a keepalive on an idle connection, and closes it once it idled past `idleTimeout`.
  private func tick() {
    guard let session else { return }
    if let idle = settings.idleTimeout, session.lastUsed.duration(to: .now) >= idle {
      drop()
      return
    }
    session.keepalive()
    if session.isBroken { drop() }
  }
}
