import CLibSSH2
import Foundation
import Transport

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// libssh2's process-wide state, set up exactly once.
enum LibSSH2 {
  /// `libssh2_init(0)`; Swift runs a static initialiser once, thread-safely. Also ignores SIGPIPE,
  /// so writing to a connection the node dropped is an error, not the end of the process.
  static let initialised: Int32 = {
    signal(SIGPIPE, SIG_IGN)
    return libssh2_init(0)
  }()

  static let eagain = Int32(pvemend_error_eagain())

  /// Errors that mean the connection itself is gone.
  static let socketErrors: Set<Int32> = [
    LIBSSH2_ERROR_SOCKET_NONE, LIBSSH2_ERROR_SOCKET_SEND, LIBSSH2_ERROR_SOCKET_DISCONNECT,
    LIBSSH2_ERROR_SOCKET_RECV, LIBSSH2_ERROR_BAD_SOCKET, LIBSSH2_ERROR_SOCKET_TIMEOUT,
    LIBSSH2_ERROR_BANNER_RECV, LIBSSH2_ERROR_BANNER_SEND, LIBSSH2_ERROR_INVALID_MAC,
    LIBSSH2_ERROR_DECRYPT,
  ]

  /// Host key types libssh2 1.10 can negotiate, in the order pvemend prefers them.
  static let hostKeyTypes = [
    "ssh-ed25519", "ecdsa-sha2-nistp256", "ecdsa-sha2-nistp384", "ecdsa-sha2-nistp521", "ssh-rsa",
  ]
}

/// The result of one exec on a session.
struct ExecOutput {
  var stdout: Data
  var stderr: Data
  var exitStatus: Int32
  var exitSignal: String?
}

/// One libssh2 session to one node, non-blocking and driven by one `poll` loop.
///
/// Deliberately not `Sendable`: it lives inside its node's `NodeConnection` actor, whose executor is
/// a private queue, so libssh2 never sees two threads on one session.
final class SSHSession {
  let endpoint: NodeEndpoint
  let settings: SSHSettings
  private var fd: Int32 = -1
  private var raw: OpaquePointer?
  private var handshaken = false
  private var keepaliveArmed = false
  private var buffer = [UInt8](repeating: 0, count: 64 * 1024)
  private(set) var report: ConnectionReport?
  /// The connection is gone (or in an unknown state); open a new session.
  private(set) var isBroken = false
  private(set) var lastUsed = ContinuousClock.now

  private var node: String { endpoint.node }

  init(endpoint: NodeEndpoint, settings: SSHSettings) {
    self.endpoint = endpoint
    self.settings = settings
  }

  deinit { close() }

  // MARK: Connecting

  /// TCP, handshake, host key check, authentication. On failure the caller discards the session.
  func open(deadline: ContinuousClock.Instant) throws(SessionFailure) {
    guard LibSSH2.initialised == 0 else {
      throw SessionFailure(
        error: .ssh(node: node, code: LibSSH2.initialised, message: "libssh2_init failed"))
    }
    try checkIdentitiesUpFront()
    do {
      fd = try TCPConnection.open(host: endpoint.host, port: endpoint.port, deadline: deadline)
    } catch {
      throw SessionFailure(error: .unreachable(node: node, detail: error.detail))
    }
    guard let session = pvemend_session_init() else {
      throw SessionFailure(
        error: .ssh(node: node, code: LIBSSH2_ERROR_ALLOC, message: "cannot allocate a session"))
    }
    raw = session
    libssh2_session_set_blocking(session, 0)

    let knownHosts: KnownHosts
    do {
      knownHosts = try KnownHosts.load(path: endpoint.knownHostsFile)
    } catch {
      throw SessionFailure(
        error: .ssh(
          node: node, code: LIBSSH2_ERROR_KNOWN_HOSTS,
          message:
            "cannot read known_hosts file \(endpoint.knownHostsFile): \(error.localizedDescription); fix its permissions or name another file as known_hosts in the inventory"
        ))
    }
    let onFile = knownHosts.keyTypes(forHost: endpoint.host, port: endpoint.port)
      .filter { LibSSH2.hostKeyTypes.contains($0) }
    let preference = (onFile.isEmpty ? LibSSH2.hostKeyTypes : onFile).joined(separator: ",")
    _ = pvemend_hostkey_method_pref(session, preference)

    guard let rc = retrying(until: deadline, { libssh2_session_handshake($0, fd) }) else {
      throw SessionFailure(
        error: .unreachable(
          node: node, detail: "ssh handshake timed out after \(settings.connectTimeout)"),
        retryable: true)
    }
    if rc != 0 {
      let (code, message) = lastError()
      if !onFile.isEmpty
        && (code == LIBSSH2_ERROR_KEX_FAILURE || code == LIBSSH2_ERROR_KEY_EXCHANGE_FAILURE)
      {
        throw SessionFailure(
          error: .ssh(
            node: node, code: code,
            message:
              "no common host key type: \(endpoint.knownHostsFile) lists \(onFile.joined(separator: ", ")) for \(endpoint.knownHostsName), and the server offers none of them that libssh2 1.10 can use (\(message)); add the node's ed25519 key (ssh-keyscan -t ed25519 -p \(endpoint.port) \(endpoint.host)) after verifying it out of band"
          ))
      }
      throw SessionFailure(
        error: .unreachable(
          node: node, detail: "ssh handshake failed: \(message) (libssh2 \(code))"),
        retryable: LibSSH2.socketErrors.contains(code))
    }
    handshaken = true

    let (keyType, key, status) = try verifyHostKey(session, knownHosts: knownHosts)
    let authentication = try authenticate(session, deadline: deadline)
    let interval = max(1, Int(settings.keepaliveInterval.seconds.rounded()))
    libssh2_keepalive_config(session, 1, UInt32(interval))
    keepaliveArmed = true
    lastUsed = .now
    report = ConnectionReport(
      endpoint: endpoint, fingerprint: KnownHosts.fingerprint(of: key), hostKeyType: keyType,
      hostKey: status, authentication: authentication)
  }

  /// Refuses before any network traffic when every key on offer is RSA (or DSA) and there is no
  /// agent that might hold another key.
  private func checkIdentitiesUpFront() throws(SessionFailure) {
    guard agentSocket == nil else { return }
    let keys = endpoint.identityFiles.compactMap(IdentityKey.inspect(path:))
    if let first = keys.first, keys.allSatisfy({ $0.kind == .rsa || $0.kind == .dsa }) {
      throw SessionFailure(error: .rsaKeyUnsupported(node: node, path: first.path))
    }
  }

  private func verifyHostKey(_ session: OpaquePointer, knownHosts: KnownHosts)
    throws(SessionFailure)
    -> (String, Data, ConnectionReport.HostKeyStatus)
  {
    var length = 0
    var type: Int32 = 0
    guard let pointer = libssh2_session_hostkey(session, &length, &type), length > 0 else {
      throw SessionFailure(
        error: .ssh(
          node: node, code: LIBSSH2_ERROR_HOSTKEY_INIT, message: "the server sent no host key"))
    }
    let key = Data(bytes: pointer, count: length)
    let keyType = KnownHosts.keyType(ofBlob: key) ?? "unknown"
    let fingerprint = KnownHosts.fingerprint(of: key)
    let name = endpoint.knownHostsName
    let file = endpoint.knownHostsFile
    var verdict = knownHosts.verdict(host: endpoint.host, port: endpoint.port, key: key)
    if verdict == .unknown && settings.acceptNewHostKeys {
      do {
        verdict = try KnownHosts.recordIfNew(
          host: endpoint.host, port: endpoint.port, keyType: keyType, key: key, path: file)
        if verdict == .unknown { return (keyType, key, .recorded) }
      } catch {
        throw SessionFailure(
          error: .ssh(
            node: node, code: LIBSSH2_ERROR_KNOWN_HOSTS,
            message:
              "cannot record the host key \(fingerprint) in \(file): \(error.localizedDescription); make the file writable or add the key by hand"
          ))
      }
    }
    switch verdict {
    case .known:
      return (keyType, key, .known)
    case .revoked:
      throw SessionFailure(error: .revokedHostKey(node: node, host: name, fingerprint: fingerprint))
    case .changed:
      throw SessionFailure(
        error: .changedHostKey(node: node, host: name, fingerprint: fingerprint, knownHosts: file))
    case .unknown:
      throw SessionFailure(
        error: .unknownHostKey(node: node, host: name, fingerprint: fingerprint, knownHosts: file))
    }
  }

  /// The agent socket to use, if any.
  private var agentSocket: String? {
    switch endpoint.agent {
    case .none: return nil
    case .environment: return Environment.value("SSH_AUTH_SOCK")
    case .socket(let path): return path
    }
  }

  /// Tries the agent's keys, then the key files; returns how it succeeded.
  private func authenticate(_ session: OpaquePointer, deadline: ContinuousClock.Instant)
    throws(SessionFailure) -> String
  {
    let user = endpoint.user
    var attempts: [String] = []
    var usableOffered = false
    var rsaKey: String?
    if let socket = agentSocket {
      let outcome = try authenticateWithAgent(session, socket: socket, deadline: deadline)
      if let method = outcome.method { return method }
      attempts.append(outcome.note)
      usableOffered = usableOffered || outcome.offeredUsable
    }
    for path in endpoint.identityFiles {
      guard let key = IdentityKey.inspect(path: path) else { continue }
      if key.kind == .rsa || key.kind == .dsa {
        rsaKey = rsaKey ?? path
        attempts.append(
          "\(path): \(key.kind.rawValue) keys cannot sign for OpenSSH ≥ 8.8 with libssh2 1.10")
        continue
      }
      var passphrase: String?
      if key.encrypted {
        passphrase = settings.passphrase(path)
        if passphrase == nil {
          attempts.append(
            "\(path) is encrypted and no passphrase was given (set \(SSHSettings.passphraseVariable))"
          )
          continue
        }
      }
      usableOffered = true
      let publicKey: String? =
        FileManager.default.fileExists(atPath: path + ".pub") ? path + ".pub" : nil
      let rc = retrying(until: deadline) { session in
        pvemend_userauth_publickey_fromfile(
          session, user, UInt32(user.utf8.count), publicKey, path, passphrase)
      }
      guard let rc else {
        throw SessionFailure(
          error: .authenticationFailed(node: node, user: user, detail: "timed out offering \(path)")
        )
      }
      if rc == 0 { return "key \(path)" }
      let (code, message) = lastError()
      if LibSSH2.socketErrors.contains(code) {
        throw SessionFailure(
          error: .unreachable(
            node: node, detail: "connection closed during authentication: \(message)"))
      }
      let hint = code == LIBSSH2_ERROR_FILE && key.encrypted ? " (wrong passphrase?)" : ""
      attempts.append("\(path) (\(key.kind.rawValue)): \(message)\(hint)")
    }
    if !usableOffered, let rsaKey {
      throw SessionFailure(error: .rsaKeyUnsupported(node: node, path: rsaKey))
    }
    if attempts.isEmpty {
      let files = endpoint.identityFiles.joined(separator: ", ")
      attempts.append(
        "no identity: none of \(files.isEmpty ? "the identity files" : files) exists and no ssh-agent is available (create a key with ssh-keygen -t ed25519)"
      )
    }
    throw SessionFailure(
      error: .authenticationFailed(node: node, user: user, detail: attempts.joined(separator: "; "))
    )
  }

  private func authenticateWithAgent(
    _ session: OpaquePointer, socket: String, deadline: ContinuousClock.Instant
  ) throws(SessionFailure) -> (method: String?, note: String, offeredUsable: Bool) {
    guard let agent = libssh2_agent_init(session) else {
      return (nil, "ssh-agent: cannot initialise", false)
    }
    defer {
      libssh2_agent_disconnect(agent)
      libssh2_agent_free(agent)
    }
    libssh2_agent_set_identity_path(agent, socket)
    guard libssh2_agent_connect(agent) == 0 else {
      return (nil, "ssh-agent at \(socket): \(lastError().1)", false)
    }
    guard libssh2_agent_list_identities(agent) == 0 else {
      return (nil, "ssh-agent at \(socket): cannot list keys: \(lastError().1)", false)
    }
    let user = endpoint.user
    var previous: UnsafeMutablePointer<libssh2_agent_publickey>?
    var skipped = 0
    var offered = 0
    while true {
      var identity: UnsafeMutablePointer<libssh2_agent_publickey>?
      guard libssh2_agent_get_identity(agent, &identity, previous) == 0, let identity else { break }
      previous = identity
      let blob = Data(bytes: identity.pointee.blob, count: Int(identity.pointee.blob_len))
      let kind = IdentityKey.kind(ofKeyType: KnownHosts.keyType(ofBlob: blob) ?? "")
      // Each refused key counts against sshd's MaxAuthTries; RSA keys would always be refused.
      if kind == .rsa || kind == .dsa {
        skipped += 1
        continue
      }
      offered += 1
      let rc = retrying(until: deadline) { _ in libssh2_agent_userauth(agent, user, identity) }
      guard let rc else {
        throw SessionFailure(
          error: .authenticationFailed(node: node, user: user, detail: "timed out using ssh-agent"))
      }
      if rc == 0 {
        let comment = identity.pointee.comment.map { String(cString: $0) } ?? ""
        return ("ssh-agent key \(comment)", "", true)
      }
      let (code, message) = lastError()
      if LibSSH2.socketErrors.contains(code) {
        throw SessionFailure(
          error: .unreachable(
            node: node, detail: "connection closed during authentication: \(message)"))
      }
    }
    let note =
      "ssh-agent at \(socket): \(offered) key(s) refused"
      + (skipped > 0 ? ", \(skipped) RSA/DSA key(s) skipped (libssh2 1.10 cannot use them)" : "")
    return (nil, note, offered > 0)
  }

  // MARK: Running

  /// Runs one command on a new channel: stdin written, stdout and stderr read in one poll loop.
  /// With `output`, each chunk goes to it as it arrives (on this thread) instead of into the
  /// result: nothing is buffered beyond one 64 KiB read.
  func exec(
    _ command: String, stdin: Data?, deadline: ContinuousClock.Instant?, argv: [String],
    timeout: Duration?, output: RunOptions.Output? = nil, silenceTimeout: Duration? = nil
  ) throws(SessionFailure) -> ExecOutput {
    guard let session = raw, !isBroken else {
      throw SessionFailure(error: .connectionLost(node: node, detail: "session closed"))
    }
    lastUsed = .now
    defer { lastUsed = .now }
    let timedOut = SessionFailure(
      error: .timedOut(node: node, argv: argv, seconds: timeout?.seconds ?? 0), commandSent: true)

    var channel: OpaquePointer?
    while channel == nil {
      channel = pvemend_channel_open_session(session)
      if channel != nil { break }
      let code = libssh2_session_last_errno(session)
      guard code == LibSSH2.eagain else { throw failure(code, "opening a channel", sent: false) }
      guard wait(deadline: deadline) else {
        isBroken = true
        throw SessionFailure(error: timedOut.error, commandSent: false)
      }
    }
    guard let channel else {
      throw failure(LIBSSH2_ERROR_CHANNEL_FAILURE, "opening a channel", sent: false)
    }
    var freed = false
    defer {
      if !freed { abandon(channel) }
    }

    let execResult = command.withCString { pointer in
      retrying(until: deadline) { _ in
        pvemend_channel_exec(channel, pointer, UInt32(command.utf8.count))
      }
    }
    guard let execResult else { throw timedOut }
    if execResult != 0 {
      let code = libssh2_session_last_errno(session)
      throw failure(code, "starting the command", sent: LibSSH2.socketErrors.contains(code))
    }

    var stdout = Data()
    var stderr = Data()
    let input = stdin ?? Data()
    var written = 0
    var eofSent = false
    var lastByte = ContinuousClock.now
    while true {
      var progressed = false
      if !eofSent {
        var inputClosed = false
        while written < input.count {
          let n = input.withUnsafeBytes { bytes -> Int in
            guard let base = bytes.baseAddress else { return 0 }
            return pvemend_channel_write(
              channel, base.advanced(by: written).assumingMemoryBound(to: CChar.self),
              min(input.count - written, 32 * 1024))
          }
          if n > 0 {
            written += n
            progressed = true
          } else if n == Int(LibSSH2.eagain) {
            break
          } else {
            let code = Int32(clamping: n)
            if LibSSH2.socketErrors.contains(code) {
              throw failure(code, "writing stdin", sent: true)
            }
            inputClosed = true  // the command closed its stdin or exited; stop writing
            break
          }
        }
        if written >= input.count || inputClosed {
          let rc = libssh2_channel_send_eof(channel)
          if rc == 0 || (rc != LibSSH2.eagain && !LibSSH2.socketErrors.contains(rc)) {
            eofSent = true
            progressed = true
          } else if rc != LibSSH2.eagain {
            throw failure(rc, "closing stdin", sent: true)
          }
        }
      }
      let readOut = try drain(channel, stream: 0, into: &stdout, output: output)
      let readErr = try drain(channel, stream: 1, into: &stderr, output: output)
      let read = readOut || readErr
      if read { lastByte = .now }
      progressed = read || progressed
      if libssh2_channel_eof(channel) == 1 { break }
      if let silenceTimeout, lastByte.duration(to: .now) >= silenceTimeout {
        _ = libssh2_channel_close(channel)
        isBroken = true
        throw SessionFailure(
          error: .connectionLost(
            node: node, detail: "nothing arrived for \(silenceTimeout) (the connection is dead)"),
          commandSent: true)
      }
      if Task.isCancelled {
        // The caller stopped following (Ctrl-C): drop the channel; the remote command runs on.
        _ = libssh2_channel_close(channel)
        isBroken = true
        throw SessionFailure(
          error: .connectionLost(node: node, detail: "cancelled by pvemend"), commandSent: true)
      }
      if !progressed {
        guard wait(deadline: deadline) else {
          _ = libssh2_channel_close(channel)
          isBroken = true  // the channel is still open on the node; start afresh next time
          throw timedOut
        }
      }
    }

    // Exit status and signal arrive before the close; wait for it (bounded).
    let closeDeadline = ContinuousClock.now + .seconds(5)
    let closed =
      retrying(until: closeDeadline) { _ in libssh2_channel_close(channel) } != nil
      && retrying(until: closeDeadline) { _ in libssh2_channel_wait_closed(channel) } != nil
    if !closed { isBroken = true }
    let status = libssh2_channel_get_exit_status(channel)
    var signalName: UnsafeMutablePointer<CChar>?
    var signalLength = 0
    _ = libssh2_channel_get_exit_signal(channel, &signalName, &signalLength, nil, nil, nil, nil)
    var exitSignal: String?
    if let signalName {
      if signalLength > 0 {
        exitSignal = String(
          decoding: UnsafeRawBufferPointer(start: signalName, count: signalLength), as: UTF8.self)
      }
      libssh2_free(session, signalName)
    }
    if closed, retrying(until: closeDeadline, { _ in libssh2_channel_free(channel) }) == 0 {
      freed = true
    }
    return ExecOutput(stdout: stdout, stderr: stderr, exitStatus: status, exitSignal: exitSignal)
  }

  /// Reads one stream until libssh2 has nothing more buffered; true when bytes arrived.
  private func drain(
    _ channel: OpaquePointer, stream: Int32, into data: inout Data, output: RunOptions.Output?
  )
    throws(SessionFailure)
    -> Bool
  {
    var progressed = false
    while true {
      let n = buffer.withUnsafeMutableBufferPointer { bytes -> Int in
        guard let base = bytes.baseAddress else { return 0 }
        return base.withMemoryRebound(to: CChar.self, capacity: bytes.count) { pointer in
          stream == 0
            ? pvemend_channel_read(channel, pointer, bytes.count)
            : pvemend_channel_read_stderr(channel, pointer, bytes.count)
        }
      }
      if n > 0 {
        if let output {
          output(Data(buffer[0..<n]), stream == 1)
        } else {
          data.append(contentsOf: buffer[0..<n])
        }
        progressed = true
        continue
      }
      if n == 0 || n == Int(LibSSH2.eagain) { return progressed }
      let code = Int32(clamping: n)
      if code == LIBSSH2_ERROR_CHANNEL_CLOSED || code == LIBSSH2_ERROR_CHANNEL_EOF_SENT {
        return progressed
      }
      throw failure(code, "reading output", sent: true)
    }
  }

  /// A channel that could not be closed cleanly: the whole session is given up.
  private func abandon(_ channel: OpaquePointer) {
    isBroken = true
  }

  /// Sends a keepalive if one is due (libssh2 tracks the interval).
  func keepalive() {
    guard let raw, keepaliveArmed, !isBroken else { return }
    var next: Int32 = 0
    if libssh2_keepalive_send(raw, &next) != 0 {
      let code = libssh2_session_last_errno(raw)
      if LibSSH2.socketErrors.contains(code) { isBroken = true }
    }
  }

  // MARK: Plumbing

  /// Calls `body` until it stops returning EAGAIN, waiting on the socket in between; nil when the
  /// deadline passed first.
  private func retrying(until deadline: ContinuousClock.Instant?, _ body: (OpaquePointer) -> Int32)
    -> Int32?
  {
    while let raw {
      let rc = body(raw)
      if rc != LibSSH2.eagain { return rc }
      guard wait(deadline: deadline) else { return nil }
    }
    return nil
  }

  /// Waits (at most one second, for keepalives) until the socket is ready in the direction libssh2
  /// is blocked on. False when the deadline has passed.
  private func wait(deadline: ContinuousClock.Instant?) -> Bool {
    guard let raw else { return false }
    let now = ContinuousClock.now
    var limit = Duration.seconds(1)
    if let deadline {
      guard now < deadline else { return false }
      limit = min(limit, now.duration(to: deadline))
    }
    let directions = libssh2_session_block_directions(raw)
    var events: Int16 = 0
    if directions & pvemend_block_inbound() != 0 { events |= Int16(POLLIN) }
    if directions & pvemend_block_outbound() != 0 { events |= Int16(POLLOUT) }
    if events == 0 { events = Int16(POLLIN) }
    var entry = pollfd(fd: fd, events: events, revents: 0)
    _ = poll(&entry, 1, Int32(clamping: max(1, limit.milliseconds)))
    if keepaliveArmed { keepalive() }
    return true
  }

  private func lastError() -> (Int32, String) {
    guard let raw else { return (0, "no session") }
    var message: UnsafeMutablePointer<CChar>?
    var length: Int32 = 0
    let code = libssh2_session_last_error(raw, &message, &length, 0)
    return (code, message.map { String(cString: $0) } ?? "unknown error")
  }

  private func failure(_ code: Int32, _ what: String, sent: Bool) -> SessionFailure {
    let message = lastError().1
    if LibSSH2.socketErrors.contains(code) {
      isBroken = true
      return SessionFailure(
        error: .connectionLost(node: node, detail: "\(what): \(message) (libssh2 \(code))"),
        commandSent: sent)
    }
    return SessionFailure(
      error: .ssh(node: node, code: code, message: "\(what): \(message)"), commandSent: sent)
  }

  /// Disconnects (bounded to one second) and frees everything. Safe to call more than once.
  func close() {
    if let raw {
      libssh2_session_set_blocking(raw, 1)
      libssh2_session_set_timeout(raw, 1000)
      if handshaken && !isBroken { _ = pvemend_session_disconnect(raw, "pvemend closing") }
      libssh2_session_free(raw)
      self.raw = nil
    }
    if fd >= 0 {
      #if canImport(Glibc)
        _ = Glibc.close(fd)
      #else
        _ = Darwin.close(fd)
      #endif
      fd = -1
    }
    isBroken = true
  }
}
