/// What connecting to a node established: the verified host key and how authentication succeeded.
package struct ConnectionReport: Sendable, Hashable {
  /// How the host key was accepted.
  package enum HostKeyStatus: String, Sendable, Hashable {
    /// Listed in known_hosts.
    case known
    /// First seen and recorded in known_hosts (`--accept-new-host-keys`).
    case recorded
  }

  package var endpoint: NodeEndpoint
  /// `SHA256:…` of the server's host key.
  package var fingerprint: String
  /// `ssh-ed25519`, `ecdsa-sha2-nistp256`, …
  package var hostKeyType: String
  package var hostKey: HostKeyStatus
  /// `key /root/.ssh/id_ed25519` or `ssh-agent key <comment>`.
  package var authentication: String

  package init(
    endpoint: NodeEndpoint, fingerprint: String, hostKeyType: String, hostKey: HostKeyStatus,
    authentication: String
  ) {
    self.endpoint = endpoint
    self.fingerprint = fingerprint
    self.hostKeyType = hostKeyType
    self.hostKey = hostKey
    self.authentication = authentication
  }
}
