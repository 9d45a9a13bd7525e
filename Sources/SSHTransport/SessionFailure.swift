import Transport

/// A failure inside a session, with what the connection needs to know to react: whether another
/// handshake attempt may succeed (sshd dropped it past `MaxStartups`) and whether the command may
/// have reached the node (if not, it is safe to reconnect and send it again).
struct SessionFailure: Error {
  var error: TransportError
  var retryable = false
  var commandSent = false
}
