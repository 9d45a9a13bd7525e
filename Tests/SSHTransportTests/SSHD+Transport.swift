import Foundation
import PVEMendTestSupport
import PVEModel
import SSHTransport
import Transport

extension SSHD {
  /// An endpoint for this server: 127.0.0.1, its port, its user, its client key, its known_hosts.
  func endpoint(
    node: String = "pve1", identity: String? = nil, knownHosts: String? = nil,
    agent: AgentSource = .none
  ) -> NodeEndpoint {
    NodeEndpoint(
      node: node, host: "127.0.0.1", port: port, user: user,
      identityFiles: [identity ?? clientKey], knownHostsFile: knownHosts ?? knownHostsFile,
      agent: agent)
  }

  /// A transport with one node on this server.
  func transport(
    node: String = "pve1", identity: String? = nil, knownHosts: String? = nil,
    agent: AgentSource = .none, settings: SSHSettings = SSHSettings()
  ) -> LibSSH2Transport {
    LibSSH2Transport(
      endpoints: [endpoint(node: node, identity: identity, knownHosts: knownHosts, agent: agent)],
      settings: settings)
  }
}

/// Runs `body` with a transport and always shuts it down afterwards (a transport left open while
/// the test process exits races OpenSSL's exit-time cleanup).
func withTransport<T>(
  _ transport: LibSSH2Transport, _ body: (LibSSH2Transport) async throws -> T
) async throws -> T {
  do {
    let result = try await body(transport)
    await transport.shutdown()
    return result
  } catch {
    await transport.shutdown()
    throw error
  }
}

/// A `sh -c` command on a node.
func shell(_ script: String, on node: String = "pve1") -> RemoteCommand {
  RemoteCommand(node: node, argv: ["sh", "-c", script], mutating: false)
}

/// A fresh temp folder for one test.
func temporaryDirectory() throws -> URL {
  try SSHD.makeTemporaryDirectory(prefix: "pvemend-test")
}
