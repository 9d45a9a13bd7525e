import Foundation
import Transport

/// Resolves node names to endpoints: the inventory first, then `~/.ssh/config`, then the defaults
/// (the node name as host, root, port 22, `~/.ssh/id_ed25519` or `id_ecdsa`, `~/.ssh/known_hosts`).
package struct NodeDirectory: Sendable {
  package var inventory: Inventory?
  package var sshConfig: SSHConfig
  package var home: String
  package var localUser: String
  package var agent: AgentSource

  package init(
    inventory: Inventory?, sshConfig: SSHConfig, home: String, localUser: String,
    agent: AgentSource = .environment
  ) {
    self.inventory = inventory
    self.sshConfig = sshConfig
    self.home = home
    self.localUser = localUser
    self.agent = agent
  }

  /// The directory for this process: `~/.ssh/config` of the current user, agent from
  /// `SSH_AUTH_SOCK`.
  package static func standard(inventory: Inventory?) -> NodeDirectory {
    let home = Environment.home
    return NodeDirectory(
      inventory: inventory, sshConfig: SSHConfig.load(path: home + "/.ssh/config"), home: home,
      localUser: Environment.userName)
  }

  /// Where and how to reach `node`. With an inventory that lists nodes, a node it does not list is
  /// `TransportError.unknownNode`.
  package func endpoint(for node: String) throws(TransportError) -> NodeEndpoint {
    var settings = Inventory.Settings()
    var defaults = Inventory.Settings()
    var base: String?
    if let inventory {
      defaults = inventory.defaults
      base = URL(fileURLWithPath: inventory.file).deletingLastPathComponent().path
      if !inventory.nodes.isEmpty {
        guard let listed = inventory.nodes[node] else { throw .unknownNode(node) }
        settings = listed
      }
    }
    let alias = settings.host ?? node
    let config = sshConfig.resolve(host: alias, home: home, localUser: localUser)
    let identity = (settings.identity ?? defaults.identity).map {
      PathExpansion.expand($0, home: home, relativeTo: base)
    }
    let identities =
      identity.map { [$0] }
      ?? (config.identityFiles.isEmpty
        ? ["id_ed25519", "id_ecdsa", "id_rsa"].map { "\(home)/.ssh/\($0)" } : config.identityFiles)
    let knownHosts =
      (settings.knownHosts ?? defaults.knownHosts).map {
        PathExpansion.expand($0, home: home, relativeTo: base)
      } ?? config.knownHostsFile ?? "\(home)/.ssh/known_hosts"
    return NodeEndpoint(
      node: node, host: config.hostName ?? alias,
      port: settings.port ?? defaults.port ?? config.port ?? 22,
      user: settings.user ?? defaults.user ?? config.user ?? "root",
      identityFiles: identities, knownHostsFile: knownHosts, agent: agent)
  }
}
