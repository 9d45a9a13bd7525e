import Foundation
import PVEModel
import Transport

/// The live `Transport`: libssh2, one reused connection per node, each on its own executor.
///
/// Host keys are checked against known_hosts by pvemend itself (see `KnownHosts`); keys come from
/// an ssh-agent or key files (ed25519 or ECDSA; RSA is refused up front with a clear message).
package final class LibSSH2Transport: Transport, @unchecked Sendable {
  private let settings: SSHSettings
  private let resolve: @Sendable (String) throws -> NodeEndpoint
  private let lock = NSLock()
  private var connections: [String: NodeConnection] = [:]
  /// Extra connections for `RunOptions.dedicatedConnection`, idle ones kept per node for reuse.
  private var idleDedicated: [String: [NodeConnection]] = [:]
  private var busyDedicated: [ObjectIdentifier: NodeConnection] = [:]

  /// - Parameter resolve: where a node lives (usually `NodeDirectory.endpoint(for:)`).
  package init(
    settings: SSHSettings = SSHSettings(),
    resolve: @escaping @Sendable (String) throws -> NodeEndpoint
  ) {
    self.settings = settings
    self.resolve = resolve
  }

  /// A transport for a fixed set of endpoints; other node names are `unknownNode`.
  package convenience init(endpoints: [NodeEndpoint], settings: SSHSettings = SSHSettings()) {
    let byNode = Dictionary(
      endpoints.map { ($0.node, $0) }, uniquingKeysWith: { first, _ in first })
    self.init(settings: settings) { node in
      guard let endpoint = byNode[node] else { throw TransportError.unknownNode(node) }
      return endpoint
    }
  }

  package func run(_ command: RemoteCommand, options: RunOptions) async throws -> CommandResult {
    let invocation = try RemoteInvocation(
      node: command.node, argv: command.argv, stdin: options.stdin,
      timeout: options.timeout ?? settings.defaultCommandTimeout, killAfter: settings.killAfter)
    guard options.dedicatedConnection else {
      // A read-only command whose connection broke while it ran is sent again on a new connection (up to
      // 3 times, 200 ms apart and doubling): reading twice changes nothing, and a flaky link
      // should not fail a step's verification. Streamed commands are their caller's to retry.
      let retryable =
        !command.mutating && ReadOnlyCommands.isReadOnly(command.argv) && options.output == nil
      var retries = 0
      while true {
        do {
          return try await connection(for: command.node).run(
            invocation, argv: command.argv, output: options.output,
            silenceTimeout: options.silenceTimeout)
        } catch let error as TransportError
          where retryable && retries < 3 && error.isConnectionLost && !Task.isCancelled
        {
          try? await Task.sleep(for: .milliseconds(200 << retries))
          retries += 1
        }
      }
    }
    let dedicated = try takeDedicated(for: command.node)
    do {
      let result = try await dedicated.run(
        invocation, argv: command.argv, output: options.output,
        silenceTimeout: options.silenceTimeout)
      giveBack(dedicated, node: command.node, reusable: true)
      return result
    } catch {
      giveBack(dedicated, node: command.node, reusable: false)
      await dedicated.close()
      throw error
    }
  }

  /// Connects to a node (or reuses its connection) and reports the host key and authentication.
  package func connect(node: String) async throws -> ConnectionReport {
    try await connection(for: node).connect()
  }

  package func hostKeyFingerprint(node: String) async -> String? {
    // The shared connection's, else a dedicated one's (a node may only ever see detached commands).
    let candidates = locked {
      [connections[node]].compactMap { $0 } + (idleDedicated[node] ?? [])
        + busyDedicated.values.filter { $0.endpoint.node == node }
    }
    for connection in candidates {
      if let fingerprint = await connection.fingerprint { return fingerprint }
    }
    return nil
  }

  package func shutdown() async {
    let all = locked {
      defer {
        connections = [:]
        idleDedicated = [:]
        busyDedicated = [:]
      }
      return Array(connections.values) + idleDedicated.values.flatMap { $0 }
        + Array(busyDedicated.values)
    }
    await withTaskGroup(of: Void.self) { group in
      for connection in all { group.addTask { await connection.close() } }
    }
  }

  private func locked<T>(_ body: () throws -> T) rethrows -> T {
    lock.lock()
    defer { lock.unlock() }
    return try body()
  }

  /// An idle dedicated connection to `node`, or a new one (it connects on first use).
  private func takeDedicated(for node: String) throws -> NodeConnection {
    lock.lock()
    defer { lock.unlock() }
    let connection: NodeConnection
    if let idle = idleDedicated[node]?.popLast() {
      connection = idle
    } else {
      connection = NodeConnection(endpoint: try resolve(node), settings: settings)
    }
    busyDedicated[ObjectIdentifier(connection)] = connection
    return connection
  }

  private func giveBack(_ connection: NodeConnection, node: String, reusable: Bool) {
    locked {
      guard busyDedicated.removeValue(forKey: ObjectIdentifier(connection)) != nil else { return }
      if reusable { idleDedicated[node, default: []].append(connection) }
    }
  }

  private func connection(for node: String) throws -> NodeConnection {
    lock.lock()
    defer { lock.unlock() }
    if let existing = connections[node] { return existing }
    let connection = NodeConnection(endpoint: try resolve(node), settings: settings)
    connections[node] = connection
    return connection
  }
}

extension TransportError {
  /// The connection broke (not: it could not be made).
  fileprivate var isConnectionLost: Bool {
    if case .connectionLost = self { return true }
    return false
  }
}
