/// Where and how to reach one node: resolved from the inventory, `~/.ssh/config` and the defaults.
package struct NodeEndpoint: Sendable, Hashable {
  /// The Proxmox node name (what commands are addressed to).
  package var node: String
  /// The address to connect to (DNS name or IP).
  package var host: String
  package var port: Int
  package var user: String
  /// Private key files to try, in order (missing files are skipped).
  package var identityFiles: [String]
  /// The known_hosts file host keys are checked against (and first-seen keys recorded in).
  package var knownHostsFile: String
  /// Where to find an ssh-agent, if any.
  package var agent: AgentSource

  package init(
    node: String, host: String, port: Int = 22, user: String = "root",
    identityFiles: [String], knownHostsFile: String, agent: AgentSource = .none
  ) {
    self.node = node
    self.host = host
    self.port = port
    self.user = user
    self.identityFiles = identityFiles
    self.knownHostsFile = knownHostsFile
    self.agent = agent
  }

  /// `host` for port 22, `[host]:port` otherwise: the name known_hosts lists.
  package var knownHostsName: String { KnownHosts.hostName(host, port: port) }
}

/// Which ssh-agent authentication may use.
package enum AgentSource: Sendable, Hashable {
  /// No agent.
  case none
  /// The agent named by `SSH_AUTH_SOCK`, if set.
  case environment
  /// The agent listening on this socket.
  case socket(String)
}
