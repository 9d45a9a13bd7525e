import Foundation

/// A loopback Proxmox sandbox for tests: `scripts/sandbox start` with the already built stand-in,
/// stopped by `stop()`, by `deinit`, and always by `Sandbox.with { … }` even when the test fails.
package final class Sandbox: @unchecked Sendable {
  /// The sandbox directory (state.json, bin/, nodes/<n>/, inventory.yaml, known_hosts).
  package let directory: URL
  package let inventory: URL
  /// Node name → sshd port on 127.0.0.1 (offline nodes have a port nobody listens on).
  package let ports: [String: Int]
  private let lock = NSLock()
  private var stopped = false

  package var statePath: String { directory.appendingPathComponent("state.json").path }
  package var knownHosts: URL { directory.appendingPathComponent("known_hosts") }
  package var identity: URL { directory.appendingPathComponent("client_ed25519") }

  /// Why a sandbox could not start or stop.
  package enum Failure: Error, CustomStringConvertible {
    case productMissing(String, searched: String)
    case script(status: Int32, stderr: String)

    package var description: String {
      switch self {
      case .productMissing(let name, let searched):
        return "\(name) is not built (looked in \(searched)); run 'swift build --build-tests' first"
      case .script(let status, let stderr):
        return "scripts/sandbox exited \(status): \(stderr)"
      }
    }
  }

  private init(directory: URL, inventory: URL) {
    self.directory = directory
    self.inventory = inventory
    var ports: [String: Int] = [:]
    var node: String?
    let text = (try? String(contentsOf: inventory, encoding: .utf8)) ?? ""
    for line in text.split(separator: "\n") {
      if line.hasPrefix("  "), !line.hasPrefix("    "), line.hasSuffix(":") {
        node = String(line.dropFirst(2).dropLast())
      } else if let n = node, line.hasPrefix("    port: "), let p = Int(line.dropFirst(10)) {
        ports[n] = p
      }
    }
    self.ports = ports
  }

  deinit { stop() }

  /// The built `pve-standin` beside the test binary (or in `.build/debug`).
  package static func standInBinary() throws -> URL { try builtProduct("pve-standin") }

  /// An executable product of this package, built beside the test binary (or in `.build/debug`).
  package static func builtProduct(_ name: String) throws -> URL {
    var candidates: [URL] = []
    if let argv0 = CommandLine.arguments.first {
      var dir = URL(fileURLWithPath: argv0).deletingLastPathComponent()
      // macOS: …/debug/pvemendPackageTests.xctest/Contents/MacOS/…
      for _ in 0..<4 {
        candidates.append(dir.appendingPathComponent(name))
        dir.deleteLastPathComponent()
      }
    }
    candidates.append(Fixtures.root.appendingPathComponent(".build/debug/\(name)"))
    for c in candidates where FileManager.default.isExecutableFile(atPath: c.path) { return c }
    throw Failure.productMissing(name, searched: candidates.map(\.path).joined(separator: ", "))
  }

  /// Starts a sandbox seeded with `snapshot` in a fresh temporary directory.
  ///
  /// - `pveshDelay`: milliseconds every stand-in `pvesh` call sleeps first (a real node's pvesh
  ///   start-up; `scripts/sandbox --pvesh-delay`).
  /// - `commandDelay`: seconds slow mutating commands take, by key (`move-volume`, `migrate`,
  ///   `start`, `shutdown`, `stop`), printing progress lines meanwhile (`--command-delay`).
  package static func start(
    snapshot: URL, haDelay: Double = 0, pveshDelay: Int = 0, commandDelay: [String: Double] = [:]
  ) throws -> Sandbox {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent(
      "pvemend-sandbox-\(UUID().uuidString.prefix(8))")
    var arguments = [
      "start", "--snapshot", snapshot.path, "--dir", dir.path, "--ha-delay", String(haDelay),
      "--pvesh-delay", String(pveshDelay), "--bin", try standInBinary().path,
    ]
    if !commandDelay.isEmpty {
      arguments += [
        "--command-delay",
        commandDelay.keys.sorted().map { "\($0)=\(commandDelay[$0] ?? 0)" }.joined(separator: ","),
      ]
    }
    let out = try script(arguments)
    let inventory = URL(fileURLWithPath: out.trimmingCharacters(in: .whitespacesAndNewlines))
    return Sandbox(directory: dir, inventory: inventory)
  }

  /// Runs `body` with a started sandbox and stops it afterwards, whatever happens.
  package static func with<T>(
    snapshot: URL, haDelay: Double = 0, pveshDelay: Int = 0, commandDelay: [String: Double] = [:],
    _ body: (Sandbox) async throws -> T
  ) async throws -> T {
    let sandbox = try start(
      snapshot: snapshot, haDelay: haDelay, pveshDelay: pveshDelay, commandDelay: commandDelay)
    defer { sandbox.stop() }
    return try await body(sandbox)
  }

  /// The cluster file system every node sees at `/etc/pve` (`DIR/pmxcfs`).
  package var pmxcfs: URL { directory.appendingPathComponent("pmxcfs") }

  /// Why this sandbox serves no `/etc/pve` (no mount namespace could be made), or nil when every
  /// node's sshd sees `DIR/pmxcfs` at `/etc/pve`.
  package var pmxcfsUnavailable: String? {
    (try? String(
      contentsOf: directory.appendingPathComponent("pmxcfs-unavailable"), encoding: .utf8))?
      .trimmingCharacters(in: .whitespacesAndNewlines)
  }

  /// One mutating stand-in command as `DIR/commands.jsonl` records it.
  package struct Command: Sendable, Hashable, Decodable {
    package var node: String
    package var argv: [String]
    package var pid: Int32
    /// Seconds since 1970.
    package var start: Double
    package var end: Double
    package var exit: Int32
  }

  /// Every mutating stand-in command run so far, in the order they ended.
  package func commands() throws -> [Command] {
    let url = directory.appendingPathComponent("commands.jsonl")
    let text = try String(contentsOf: url, encoding: .utf8)
    return try text.split(separator: "\n").map {
      try JSONDecoder().decode(Command.self, from: Data($0.utf8))
    }
  }

  /// Stops one node's sshd (`scripts/sandbox stop-node`): new connections to it fail; commands
  /// already running on it go on (their sessions die with the listener only if killed).
  package func stopNode(_ node: String) throws {
    try Sandbox.script(["stop-node", "--dir", directory.path, "--node", node])
  }

  /// Starts a node's sshd again on the same port, host key and `/etc/pve`.
  package func startNode(_ node: String) throws {
    try Sandbox.script(["start-node", "--dir", directory.path, "--node", node])
  }

  /// The PID of a node's listening sshd, while it runs.
  package func sshdPID(_ node: String) -> Int32? {
    let file = directory.appendingPathComponent("nodes/\(node)/pid")
    return (try? String(contentsOf: file, encoding: .utf8)).flatMap {
      Int32($0.trimmingCharacters(in: .whitespacesAndNewlines))
    }
  }

  /// The PIDs of a node's SSH session processes (the children of its listening sshd, one per
  /// connection): kill them to cut every connection to the node while it stays reachable.
  package func sessionPIDs(_ node: String) -> [Int32] {
    guard let sshd = sshdPID(node) else { return [] }
    let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
    return entries.compactMap(Int32.init).filter { pid in
      guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
        let close = stat.lastIndex(of: ")")
      else { return false }
      // "pid (comm) state ppid …": the fields after the command name.
      let fields = stat[stat.index(after: close)...].split(separator: " ")
      return fields.count > 1 && Int32(fields[1]) == sshd
    }.sorted()
  }

  /// Stops every sshd of the sandbox (by PID) and removes its directory. Idempotent.
  package func stop() {
    lock.lock()
    let already = stopped
    stopped = true
    lock.unlock()
    guard !already else { return }
    _ = try? Sandbox.script(["stop", "--dir", directory.path])
    try? FileManager.default.removeItem(at: directory)
  }

  @discardableResult
  private static func script(_ arguments: [String]) throws -> String {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/bin/bash")
    process.arguments = [Fixtures.root.appendingPathComponent("scripts/sandbox").path] + arguments
    let stdout = Pipe()
    let stderrFile = FileManager.default.temporaryDirectory.appendingPathComponent(
      "sandbox-stderr-\(UUID().uuidString)")
    FileManager.default.createFile(atPath: stderrFile.path, contents: nil)
    let stderr = try FileHandle(forWritingTo: stderrFile)
    defer {
      try? stderr.close()
      try? FileManager.default.removeItem(at: stderrFile)
    }
    process.standardOutput = stdout
    process.standardError = stderr
    process.standardInput = FileHandle.nullDevice
    try process.run()
    let data = stdout.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    guard process.terminationStatus == 0 else {
      let text = (try? String(contentsOf: stderrFile, encoding: .utf8)) ?? ""
      throw Failure.script(status: process.terminationStatus, stderr: text)
    }
    return String(decoding: data, as: UTF8.self)
  }
}
