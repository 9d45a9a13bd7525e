/// How the transport connects and runs commands: timeouts, keepalive, host-key policy, passphrases.
package struct SSHSettings: Sendable {
  /// TCP connect plus SSH handshake plus authentication.
  package var connectTimeout: Duration = .seconds(10)
  /// How often an idle or busy connection sends a keepalive.
  package var keepaliveInterval: Duration = .seconds(15)
  /// A connection idle longer than this is closed and reopened before the next command.
  package var idleTimeout: Duration? = .seconds(300)
  /// Deadline for commands whose `RunOptions.timeout` is nil (nil: wait as long as it takes).
  package var defaultCommandTimeout: Duration? = nil
  /// Grace the node's `timeout --kill-after` gives a command after TERM before KILL.
  package var killAfter: Duration = .seconds(2)
  /// Record the host key of a host that known_hosts does not list yet (OpenSSH's `accept-new`).
  /// A changed key is never accepted.
  package var acceptNewHostKeys = false
  /// Handshake attempts per connection (sshd drops bursts of handshakes past `MaxStartups`).
  package var handshakeAttempts = 5
  /// Handshakes in flight at once to one `host:port`.
  package var handshakesPerHost = 8
  /// The passphrase of an encrypted key file, given its path; nil when none is available.
  package var passphrase: @Sendable (String) -> String? = SSHSettings.passphraseFromEnvironment

  package init() {}

  /// The environment variable a passphrase is read from.
  package static let passphraseVariable = "PVEMEND_SSH_PASSPHRASE"

  /// Reads the passphrase from `PVEMEND_SSH_PASSPHRASE`.
  package static let passphraseFromEnvironment: @Sendable (String) -> String? = { _ in
    Environment.value(passphraseVariable)
  }
}
