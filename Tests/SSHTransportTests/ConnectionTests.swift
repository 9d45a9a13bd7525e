import Foundation
import PVEMendTestSupport
import PVEModel
import SSHTransport
import Testing
import Transport

#if canImport(Glibc)
  import Glibc
#endif

/// Connection lifecycle against real servers: dying servers, dropped connections, refused ports,
/// silent servers, many nodes at once and sshd's MaxStartups.
@Suite struct ConnectionTests {
  @Test func sshdKilledMidCommandGivesConnectionLost() async throws {
    let sshd = try SSHD.start()
    defer { sshd.stop() }
    try await withTransport(sshd.transport()) { transport in
      #expect(try await transport.run(shell("echo up")).stdoutText == "up\n")
      let marker = try temporaryDirectory().appendingPathComponent("started").path
      // 60 s, not 5: on a loaded 2-core machine this task may see the marker seconds late, and
      // the kill must still land mid-command (it ends the sleep at once).
      let running = Task {
        try await transport.run(shell("touch \(marker); sleep 60; echo finished"))
      }
      // Kill only once the command runs on the node.
      while !FileManager.default.fileExists(atPath: marker) {
        try await Task.sleep(for: .milliseconds(20))
      }
      sshd.kill()
      do {
        let result = try await running.value
        Issue.record("the command survived its sshd: \(result)")
      } catch let error as TransportError {
        guard case .connectionLost(let node, _) = error else {
          Issue.record("expected connectionLost, got \(error)")
          return
        }
        #expect(node == "pve1")
        #expect(error.description.contains("effect is unknown"))
      }
      // The server is gone: the next command cannot connect.
      await #expect {
        _ = try await transport.run(shell("true"))
      } throws: { error in
        guard case .unreachable = error as? TransportError else { return false }
        return true
      }
    }
  }

  @Test func droppedIdleConnectionIsReopenedTransparently() async throws {
    let sshd = try SSHD.start()
    defer { sshd.stop() }
    try await withTransport(sshd.transport()) { transport in
      let first = try await transport.run(shell("echo $SSH_CONNECTION")).stdoutText
      sshd.dropConnections()
      try await Task.sleep(for: .milliseconds(100))
      let second = try await transport.run(shell("echo $SSH_CONNECTION")).stdoutText
      #expect(!second.isEmpty)
      #expect(first != second)
    }
  }

  @Test func idleConnectionIsReopenedAfterIdleTimeout() async throws {
    let sshd = try SSHD.start()
    defer { sshd.stop() }
    var settings = SSHSettings()
    settings.idleTimeout = .milliseconds(300)
    settings.keepaliveInterval = .milliseconds(100)
    try await withTransport(sshd.transport(settings: settings)) { transport in
      let first = try await transport.run(shell("echo $SSH_CONNECTION")).stdoutText
      try await Task.sleep(for: .milliseconds(600))
      let later = try await transport.run(shell("echo $SSH_CONNECTION")).stdoutText
      #expect(first != later)
    }
  }

  @Test func keepalivesAreSentWhileACommandRunsAndWhileIdle() async throws {
    let sshd = try SSHD.start(extraConfig: ["LogLevel DEBUG3"])
    defer { sshd.stop() }
    var settings = SSHSettings()
    settings.keepaliveInterval = .seconds(1)
    try await withTransport(sshd.transport(settings: settings)) { transport in
      _ = try await transport.run(shell("sleep 2.5"))
      let busy = sshd.log.components(separatedBy: "keepalive@libssh2.org").count - 1
      #expect(busy >= 1)
      // Idle: at least one more within 2.5 s, or (on a loaded machine, where the timer and the log
      // can lag) within 15 s.
      try await Task.sleep(for: .seconds(2.5))
      var idle = sshd.log.components(separatedBy: "keepalive@libssh2.org").count - 1
      for _ in 0..<50 where idle <= busy {
        try await Task.sleep(for: .milliseconds(250))
        idle = sshd.log.components(separatedBy: "keepalive@libssh2.org").count - 1
      }
      #expect(idle > busy)
      #expect(try await transport.run(shell("echo alive")).stdoutText == "alive\n")
    }
  }

  @Test func refusedPortIsUnreachable() async throws {
    let keys = try SSHD.Keys.generate(hostKeyTypes: ["ed25519"])
    defer { try? FileManager.default.removeItem(at: keys.directory) }
    // A port nothing listens on: bind, note, close.
    let endpoint = NodeEndpoint(
      node: "pve9", host: "127.0.0.1", port: try closedPort(), user: "root",
      identityFiles: [keys.clientKey], knownHostsFile: "/nonexistent/known_hosts")
    try await withTransport(LibSSH2Transport(endpoints: [endpoint])) { transport in
      await #expect {
        _ = try await transport.run(RemoteCommand(node: "pve9", argv: ["true"], mutating: false))
      } throws: { error in
        guard case .unreachable(let node, let detail) = error as? TransportError else {
          return false
        }
        return node == "pve9" && detail.contains("refused")
      }
    }
  }

  @Test func silentServerHitsTheConnectTimeout() async throws {
    // Listens (the kernel accepts) but never sends an SSH banner.
    let listener = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    defer { close(listener) }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    let ready = withUnsafeMutablePointer(to: &address) {
      $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
        bind(listener, $0, length) == 0 && listen(listener, 4) == 0
          && getsockname(listener, $0, &length) == 0
      }
    }
    try #require(ready)
    var settings = SSHSettings()
    settings.connectTimeout = .milliseconds(400)
    settings.handshakeAttempts = 1
    let endpoint = NodeEndpoint(
      node: "pve1", host: "127.0.0.1", port: Int(UInt16(bigEndian: address.sin_port)),
      user: "root", identityFiles: [], knownHostsFile: "/nonexistent/known_hosts")
    try await withTransport(LibSSH2Transport(endpoints: [endpoint], settings: settings)) {
      transport in
      await #expect {
        _ = try await transport.connect(node: "pve1")
      } throws: { error in
        guard case .unreachable(_, let detail) = error as? TransportError else { return false }
        return detail.contains("timed out")
      }
    }
  }

  @Test func unknownNodeIsAnError() async throws {
    try await withTransport(LibSSH2Transport(endpoints: [])) { transport in
      await #expect(throws: TransportError.unknownNode("pve7")) {
        _ = try await transport.run(RemoteCommand(node: "pve7", argv: ["true"], mutating: false))
      }
    }
  }

  @Test func thirtyServersConnectedInParallel() async throws {
    let keys = try SSHD.Keys.generate(hostKeyTypes: ["ed25519"])
    defer { try? FileManager.default.removeItem(at: keys.directory) }
    var servers: [SSHD] = []
    defer { for server in servers { server.stop() } }
    for _ in 0..<30 { servers.append(try SSHD.start(keys: keys)) }
    let endpoints = servers.enumerated().map { index, server in
      server.endpoint(node: "pve\(index + 1)")
    }
    try await withTransport(LibSSH2Transport(endpoints: endpoints)) { transport in
      let outputs = try await withThrowingTaskGroup(of: (String, String).self) { group in
        for endpoint in endpoints {
          group.addTask {
            let result = try await transport.run(
              RemoteCommand(node: endpoint.node, argv: ["echo", endpoint.node], mutating: false))
            return (endpoint.node, result.stdoutText)
          }
        }
        var outputs: [String: String] = [:]
        for try await (node, output) in group { outputs[node] = output }
        return outputs
      }
      #expect(outputs.count == 30)
      for endpoint in endpoints { #expect(outputs[endpoint.node] == endpoint.node + "\n") }
    }
  }

  @Test func handshakeBurstsPastMaxStartupsAreRetried() async throws {
    // sshd drops unauthenticated connections beyond 3; 12 nodes on this one server connect at
    // once, with the client-side cap lifted so the drops happen and retries must absorb them.
    let sshd = try SSHD.start(extraConfig: ["MaxStartups 3"])
    defer { sshd.stop() }
    var settings = SSHSettings()
    settings.handshakesPerHost = 12
    settings.handshakeAttempts = 10
    let endpoints = (1...12).map { sshd.endpoint(node: "node\($0)") }
    try await withTransport(LibSSH2Transport(endpoints: endpoints, settings: settings)) {
      transport in
      try await withThrowingTaskGroup(of: Void.self) { group in
        for endpoint in endpoints {
          group.addTask { _ = try await transport.connect(node: endpoint.node) }
        }
        try await group.waitForAll()
      }
    }
    #expect(sshd.log.contains("MaxStartups"))
  }

  @Test func handshakeCapAvoidsDrops() async throws {
    // sshd counts a connection as starting until its child reports the login, a moment after the
    // client is done; a cap below MaxStartups leaves that margin.
    let sshd = try SSHD.start(extraConfig: ["MaxStartups 4"])
    defer { sshd.stop() }
    var settings = SSHSettings()
    settings.handshakesPerHost = 2
    settings.handshakeAttempts = 1
    let endpoints = (1...15).map { sshd.endpoint(node: "node\($0)") }
    try await withTransport(LibSSH2Transport(endpoints: endpoints, settings: settings)) {
      transport in
      try await withThrowingTaskGroup(of: Void.self) { group in
        for endpoint in endpoints {
          group.addTask { _ = try await transport.connect(node: endpoint.node) }
        }
        try await group.waitForAll()
      }
    }
    #expect(!sshd.log.contains("MaxStartups"))
  }

  private func closedPort() throws -> Int {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    defer { close(fd) }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    let bound = withUnsafeMutablePointer(to: &address) {
      $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
        bind(fd, $0, length) == 0 && getsockname(fd, $0, &length) == 0
      }
    }
    try #require(bound)
    return Int(UInt16(bigEndian: address.sin_port))
  }
}
