import Foundation

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// A private OpenSSH server for tests, listening on 127.0.0.1 only: its own host keys, a free port,
/// its own authorized_keys, a log file, stopped by PID. A missing `/usr/sbin/sshd` is an error (the
/// test fails with the install command), never a skip.
///
/// ```swift
/// let sshd = try SSHD.start()
/// defer { sshd.stop() }
/// // connect to 127.0.0.1:sshd.port as sshd.user with sshd.clientKey, known hosts in sshd.knownHostsFile
/// ```
package final class SSHD: @unchecked Sendable {
  /// Host keys and a client key, generated once and reusable by many servers (saves ssh-keygen
  /// runs when a test starts dozens of servers).
  package struct Keys: Sendable {
    package let directory: URL
    /// Host private key paths (`.pub` beside each).
    package let hostKeys: [String]
    /// The client's ed25519 private key (authorized on the server).
    package let clientKey: String

    /// Generates host keys of the given types and an ed25519 client key in a new temp folder.
    package static func generate(hostKeyTypes: [String] = ["ed25519", "ecdsa"]) throws -> Keys {
      let directory = try SSHD.makeTemporaryDirectory(prefix: "pvemend-keys")
      var hostKeys: [String] = []
      for type in hostKeyTypes {
        let path = directory.appendingPathComponent("ssh_host_\(type)_key").path
        try SSHD.keygen(type: type, path: path)
        hostKeys.append(path)
      }
      let client = directory.appendingPathComponent("id_ed25519").path
      try SSHD.keygen(type: "ed25519", path: client)
      return Keys(directory: directory, hostKeys: hostKeys, clientKey: client)
    }
  }

  /// The server's folder: config, authorized_keys, known_hosts, log, pid file.
  package let directory: URL
  package let port: Int
  /// The account tests log in as (the current user; sshd run by a user can only log in as it).
  package let user: String
  package let keys: Keys
  /// The ed25519 key authorized on this server.
  package var clientKey: String { keys.clientKey }
  /// known_hosts with `[127.0.0.1]:port` lines for every host key of this server.
  package let knownHostsFile: String
  package let logFile: String
  package let authorizedKeysFile: String
  private let pid: pid_t
  private let ownsKeys: Bool
  private var stopped = false
  private let lock = NSLock()

  private init(
    directory: URL, port: Int, user: String, keys: Keys, ownsKeys: Bool, pid: pid_t
  ) {
    self.directory = directory
    self.port = port
    self.user = user
    self.keys = keys
    self.ownsKeys = ownsKeys
    self.pid = pid
    knownHostsFile = directory.appendingPathComponent("known_hosts").path
    logFile = directory.appendingPathComponent("sshd.log").path
    authorizedKeysFile = directory.appendingPathComponent("authorized_keys").path
  }

  deinit { stop() }

  /// Starts a server.
  /// - Parameters:
  ///   - keys: shared key material; nil generates new keys for this server.
  ///   - extraConfig: sshd_config lines added before the defaults (sshd keeps the first value of
  ///     an option). `SetEnv` lines are merged into the single `SetEnv` line, since sshd honours
  ///     only the first one: `SetEnv PATH=/x:/usr/bin` works.
  package static func start(keys: Keys? = nil, extraConfig: [String] = []) throws -> SSHD {
    let sshd = "/usr/sbin/sshd"
    guard FileManager.default.isExecutableFile(atPath: sshd) else {
      throw SSHDError(
        "\(sshd) not found: the SSH tests need OpenSSH's server; install it with scripts/install-deps (apt-get install openssh-server openssh-client)"
      )
    }
    if getuid() == 0 {
      // sshd refuses to start as root without its privilege-separation directory.
      try? FileManager.default.createDirectory(
        atPath: "/run/sshd", withIntermediateDirectories: true,
        attributes: [.posixPermissions: 0o755])
    }
    let ownsKeys = keys == nil
    let keys = try keys ?? Keys.generate()
    let directory = try makeTemporaryDirectory(prefix: "pvemend-sshd")
    let user = currentUser()
    let authorized = directory.appendingPathComponent("authorized_keys")
    try Data(contentsOf: URL(fileURLWithPath: keys.clientKey + ".pub")).write(to: authorized)

    var lastLog = ""
    for _ in 0..<5 {
      let port = try freePort()
      let config = directory.appendingPathComponent("sshd_config")
      let log = directory.appendingPathComponent("sshd.log")
      try? FileManager.default.removeItem(at: log)
      try configText(
        port: port, directory: directory, keys: keys, authorized: authorized.path,
        extraConfig: extraConfig
      ).write(to: config, atomically: true, encoding: .utf8)
      // posix_spawn, not Foundation's Process: sshd closes the descriptors Process watches, and
      // Process then blocks its monitor thread in waitpid on the still-running sshd, which stalls
      // every later Process (ssh-keygen) in the test run.
      let pid = try spawn(sshd, ["-D", "-E", log.path, "-f", config.path])
      let server = SSHD(
        directory: directory, port: port, user: user, keys: keys, ownsKeys: ownsKeys,
        pid: pid)
      Registry.add(server)
      let deadline = Date().addingTimeInterval(5)
      while Date() < deadline {
        let text = (try? String(contentsOf: log, encoding: .utf8)) ?? ""
        if text.contains("Server listening on 127.0.0.1 port \(port)") {
          try server.writeKnownHosts()
          return server
        }
        var status: Int32 = 0
        if waitpid(pid, &status, WNOHANG) == pid { break }
        usleep(5_000)
      }
      lastLog = (try? String(contentsOf: log, encoding: .utf8)) ?? ""
      // Do not let this attempt's deinit remove the folder or keys; stop only its process.
      server.terminateProcesses(signal: SIGKILL)
      server.stopped = true
      Registry.remove(server)
      var status: Int32 = 0
      _ = waitpid(pid, &status, 0)
    }
    try? FileManager.default.removeItem(at: directory)
    throw SSHDError("sshd did not start listening on 127.0.0.1 (5 attempts); its log:\n\(lastLog)")
  }

  /// Adds a public key (`.pub` file) to this server's authorized_keys.
  package func authorize(publicKeyFile: String) throws {
    let key = try String(contentsOfFile: publicKeyFile, encoding: .utf8)
    let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: authorizedKeysFile))
    defer { try? handle.close() }
    try handle.seekToEnd()
    try handle.write(contentsOf: Data((key.hasSuffix("\n") ? key : key + "\n").utf8))
  }

  /// The known_hosts line for one of this server's host keys (`ed25519`, `ecdsa`, …).
  package func knownHostsLine(type: String) throws -> String {
    guard let path = keys.hostKeys.first(where: { $0.hasSuffix("_\(type)_key") }) else {
      throw SSHDError("this sshd has no \(type) host key")
    }
    return try Self.knownHostsLine(publicKeyFile: path + ".pub", port: port)
  }

  /// `[127.0.0.1]:port <type> <base64>` for a `.pub` file.
  package static func knownHostsLine(publicKeyFile: String, port: Int) throws -> String {
    let fields = try String(contentsOfFile: publicKeyFile, encoding: .utf8).split(separator: " ")
    guard fields.count >= 2 else { throw SSHDError("\(publicKeyFile) is not a public key") }
    return "[127.0.0.1]:\(port) \(fields[0]) \(fields[1])"
  }

  /// The server's log so far.
  package var log: String { (try? String(contentsOfFile: logFile, encoding: .utf8)) ?? "" }

  /// Stops the server (TERM to it and its session processes) and removes its folder.
  package func stop() {
    lock.lock()
    defer { lock.unlock() }
    guard !stopped else { return }
    stopped = true
    Registry.remove(self)
    terminateProcesses(signal: SIGTERM)
    var status: Int32 = 0
    for _ in 0..<400 {
      let reaped = waitpid(pid, &status, WNOHANG)
      if reaped == pid || (reaped < 0 && errno == ECHILD) { break }
      usleep(5_000)
    }
    try? FileManager.default.removeItem(at: directory)
    if ownsKeys { try? FileManager.default.removeItem(at: keys.directory) }
  }

  /// Kills the server and every session process at once (SIGKILL), as if the node died; connections
  /// drop mid-command. The folder stays until `stop()`.
  package func kill() {
    terminateProcesses(signal: SIGKILL)
  }

  /// Kills the session processes (SIGKILL) but keeps the server listening: open connections drop,
  /// new ones succeed.
  package func dropConnections() {
    for child in Self.descendants(of: pid) { _ = Glibc.kill(child, SIGKILL) }
  }

  private func terminateProcesses(signal: Int32) {
    let family = Self.descendants(of: pid)
    _ = Glibc.kill(pid, signal)
    for child in family { _ = Glibc.kill(child, signal) }
  }

  private func writeKnownHosts() throws {
    let lines = try keys.hostKeys.map {
      try Self.knownHostsLine(publicKeyFile: $0 + ".pub", port: port)
    }
    try (lines.joined(separator: "\n") + "\n").write(
      toFile: knownHostsFile, atomically: true, encoding: .utf8)
  }

  // MARK: Helpers

  /// Runs `ssh-keygen -q -t type -N passphrase -f path` (plus `-m PEM` when asked).
  package static func keygen(type: String, path: String, passphrase: String = "", pem: Bool = false)
    throws
  {
    var arguments = ["-q", "-t", type, "-N", passphrase, "-f", path, "-C", "pvemend-test"]
    if type == "rsa" { arguments += ["-b", "2048"] }
    if pem { arguments += ["-m", "PEM"] }
    try run("/usr/bin/ssh-keygen", arguments)
  }

  /// Runs a program, failing with its output when it exits non-zero. Uses posix_spawn with the
  /// output in a file: Foundation's `Process` never sees a daemonising program (ssh-agent) exit.
  /// - Parameter environment: replaces the environment when given.
  @discardableResult
  package static func run(
    _ program: String, _ arguments: [String], environment: [String: String]? = nil
  ) throws -> String {
    let (status, output) = try execute(program, arguments, environment: environment)
    guard status == 0 else {
      throw SSHDError(
        "\(program) \(arguments.joined(separator: " ")) failed (exit \(status)): \(output)")
    }
    return output
  }

  /// Runs a program and returns its exit status (128 + signal when killed) and its combined
  /// stdout and stderr.
  package static func execute(
    _ program: String, _ arguments: [String], environment: [String: String]? = nil
  ) throws -> (status: Int32, output: String) {
    guard FileManager.default.isExecutableFile(atPath: program) else {
      throw SSHDError(
        "\(program) not found; build it (swift build) or install OpenSSH with scripts/install-deps"
      )
    }
    let output = FileManager.default.temporaryDirectory
      .appendingPathComponent("pvemend-run-\(UUID().uuidString.prefix(8)).out").path
    defer { try? FileManager.default.removeItem(atPath: output) }
    let pid = try spawn(program, arguments, output: output, environment: environment)
    var status: Int32 = 0
    while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
    let text = (try? String(contentsOfFile: output, encoding: .utf8)) ?? ""
    let signal = status & 0x7f
    return (signal == 0 ? (status >> 8) & 0xff : 128 + signal, text)
  }

  /// Starts a program with stdin on /dev/null and stdout+stderr on /dev/null or in `output`;
  /// returns its PID.
  private static func spawn(
    _ program: String, _ arguments: [String], output: String? = nil,
    environment: [String: String]? = nil
  ) throws -> pid_t {
    var actions = posix_spawn_file_actions_t()
    posix_spawn_file_actions_init(&actions)
    defer { posix_spawn_file_actions_destroy(&actions) }
    posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
    posix_spawn_file_actions_addopen(
      &actions, 1, output ?? "/dev/null", O_WRONLY | O_CREAT | O_TRUNC, 0o600)
    posix_spawn_file_actions_adddup2(&actions, 1, 2)
    let argv = ([program] + arguments).map { strdup($0) } + [nil]
    defer { for pointer in argv { free(pointer) } }
    // The calling thread may block signals (dispatch threads do); a child inherits that mask and
    // would then ignore the SIGTERM that stops it. Start it with an empty mask, default handlers.
    var attributes = posix_spawnattr_t()
    posix_spawnattr_init(&attributes)
    defer { posix_spawnattr_destroy(&attributes) }
    var empty = sigset_t()
    sigemptyset(&empty)
    var defaults = sigset_t()
    sigemptyset(&defaults)
    for signal in [SIGTERM, SIGINT, SIGHUP, SIGPIPE, SIGCHLD] { sigaddset(&defaults, signal) }
    posix_spawnattr_setsigmask(&attributes, &empty)
    posix_spawnattr_setsigdefault(&attributes, &defaults)
    posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))
    var pid: pid_t = 0
    let envp = environment.map { $0.map { strdup("\($0.key)=\($0.value)") } + [nil] }
    defer { for pointer in envp ?? [] { free(pointer) } }
    let rc: Int32
    if var list = envp {
      rc = posix_spawn(&pid, program, &actions, &attributes, argv, &list)
    } else {
      rc = posix_spawn(&pid, program, &actions, &attributes, argv, environ)
    }
    guard rc == 0 else {
      throw SSHDError("cannot start \(program): \(String(cString: strerror(rc)))")
    }
    return pid
  }

  package static func makeTemporaryDirectory(prefix: String) throws -> URL {
    let url = FileManager.default.temporaryDirectory
      .appendingPathComponent("\(prefix)-\(UUID().uuidString.prefix(8))")
    try FileManager.default.createDirectory(
      at: url, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
    return url
  }

  private static func configText(
    port: Int, directory: URL, keys: Keys, authorized: String, extraConfig: [String]
  ) -> String {
    var environment = ["SHLVL=1"]
    var extra: [String] = []
    for line in extraConfig {
      let trimmed = line.trimmingCharacters(in: .whitespaces)
      if trimmed.lowercased().hasPrefix("setenv ") {
        environment += trimmed.dropFirst("setenv ".count).split(separator: " ").map(String.init)
      } else {
        extra.append(line)
      }
    }
    var lines = extra
    lines += [
      "ListenAddress 127.0.0.1",
      "Port \(port)",
    ]
    lines += keys.hostKeys.map { "HostKey \($0)" }
    lines += [
      "AuthorizedKeysFile \(authorized)",
      "PidFile \(directory.appendingPathComponent("sshd.pid").path)",
      "UsePAM no",
      "StrictModes no",
      "PasswordAuthentication no",
      "KbdInteractiveAuthentication no",
      "PermitRootLogin prohibit-password",
      "PrintMotd no",
      // bash skips ~/.bashrc at shell level ≥ 2 (root's .bashrc can cost 80 ms per command).
      "SetEnv \(environment.joined(separator: " "))",
      "LogLevel VERBOSE",
    ]
    return lines.joined(separator: "\n") + "\n"
  }

  private static func freePort() throws -> Int {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    guard fd >= 0 else { throw SSHDError("socket() failed: \(errno)") }
    defer { close(fd) }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_port = 0
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    let bound = withUnsafeMutablePointer(to: &address) {
      $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { pointer -> Bool in
        bind(fd, pointer, length) == 0 && getsockname(fd, pointer, &length) == 0
      }
    }
    guard bound else { throw SSHDError("cannot bind 127.0.0.1:0: \(errno)") }
    return Int(UInt16(bigEndian: address.sin_port))
  }

  private static func currentUser() -> String {
    if let entry = getpwuid(getuid()), let name = entry.pointee.pw_name {
      return String(cString: name)
    }
    return "root"
  }

  /// Every process below `root`, from /proc.
  private static func descendants(of root: pid_t) -> [pid_t] {
    var children: [pid_t: [pid_t]] = [:]
    let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
    for entry in entries {
      guard let pid = pid_t(entry),
        let stat = try? String(contentsOfFile: "/proc/\(entry)/stat", encoding: .utf8),
        let close = stat.lastIndex(of: ")")
      else { continue }
      let fields = stat[stat.index(after: close)...].split(separator: " ")
      guard fields.count > 1, let parent = pid_t(fields[1]) else { continue }
      children[parent, default: []].append(pid)
    }
    var result: [pid_t] = []
    var queue = [root]
    while let next = queue.popLast() {
      for child in children[next] ?? [] {
        result.append(child)
        queue.append(child)
      }
    }
    return result
  }
}

/// The servers still running, stopped when the test process exits (servers shared by a whole
/// test file are never deinitialised, and an sshd outlives its parent otherwise).
private enum Registry {
  private static let lock = NSLock()
  nonisolated(unsafe) private static var servers: [ObjectIdentifier: SSHD] = [:]
  nonisolated(unsafe) private static var installed = false

  static func add(_ server: SSHD) {
    lock.lock()
    defer { lock.unlock() }
    servers[ObjectIdentifier(server)] = server
    if !installed {
      installed = true
      atexit { Registry.stopAll() }
    }
  }

  static func remove(_ server: SSHD) {
    lock.lock()
    defer { lock.unlock() }
    servers[ObjectIdentifier(server)] = nil
  }

  static func stopAll() {
    lock.lock()
    let all = Array(servers.values)
    lock.unlock()
    for server in all { server.stop() }
  }
}

/// Why a test sshd could not be prepared.
package struct SSHDError: Error, CustomStringConvertible {
  package let description: String
  package init(_ description: String) { self.description = description }
}
