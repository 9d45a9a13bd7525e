import Foundation
import PVEMendTestSupport
import PVEModel
import SandboxCore
import Synchronization
import Transport

/// A test-only `Transport` that plays every node locally: each command runs the stand-in with the
/// node's environment (`PVEMEND_SANDBOX_NODE`), either as the real `pve-standin` executable in a
/// child process or in-process through `StandIn.run`. It records every argv and its exit status.
final class StandInTransport: Transport {
  enum Mode: Sendable {
    case process(URL)
    case inProcess
  }

  /// One command as it ran.
  struct Call: Sendable, Hashable {
    var node: String
    var argv: [String]
    var exitStatus: Int32
  }

  let mode: Mode
  let statePath: String
  let haDelay: Double
  private let recorded = Mutex<[Call]>([])

  init(mode: Mode, statePath: String, haDelay: Double = 0) {
    self.mode = mode
    self.statePath = statePath
    self.haDelay = haDelay
  }

  var calls: [Call] { recorded.withLock { $0 } }

  func run(_ command: RemoteCommand, options: RunOptions) async throws -> CommandResult {
    let result: CommandResult
    if command.argv.first == "sh" {
      // A read batch: the real /bin/sh with the stand-ins first on PATH, as on a sandbox node.
      let binary: URL
      switch mode {
      case .process(let b): binary = b
      case .inProcess: binary = try Sandbox.standInBinary()
      }
      result = try await Self.exec(
        URL(fileURLWithPath: "/bin/sh"), command, statePath: statePath, haDelay: haDelay,
        path: try Self.toolDirectory(binary).path + ":/usr/bin:/bin",
        arguments: command.argv.dropFirst())
      recorded.withLock {
        $0.append(Call(node: command.node, argv: command.argv, exitStatus: result.exitStatus))
      }
      return result
    }
    switch mode {
    case .inProcess:
      let outcome = StandIn.run(
        Invocation(
          argv: command.argv, node: command.node, statePath: statePath,
          now: Date().timeIntervalSince1970, haDelay: haDelay))
      result = CommandResult(
        stdout: Data(outcome.stdout.utf8), stderr: Data(outcome.stderr.utf8),
        exitStatus: outcome.exitCode)
    case .process(let binary):
      result = try await Self.exec(binary, command, statePath: statePath, haDelay: haDelay)
    }
    recorded.withLock {
      $0.append(Call(node: command.node, argv: command.argv, exitStatus: result.exitStatus))
    }
    return result
  }

  func hostKeyFingerprint(node: String) async -> String? { nil }
  func shutdown() async {}

  /// Runs `pve-standin <tool> <args…>` with the node's environment; stdout and stderr go to files
  /// (a full pipe would block the child).
  static func exec(
    _ binary: URL, _ command: RemoteCommand, statePath: String, haDelay: Double,
    path: String = "/usr/bin:/bin", arguments: ArraySlice<String>? = nil
  ) async throws -> CommandResult {
    let dir = FileManager.default.temporaryDirectory
    let id = UUID().uuidString
    let outURL = dir.appendingPathComponent("standin-\(id).out")
    let errURL = dir.appendingPathComponent("standin-\(id).err")
    FileManager.default.createFile(atPath: outURL.path, contents: nil)
    FileManager.default.createFile(atPath: errURL.path, contents: nil)
    defer {
      try? FileManager.default.removeItem(at: outURL)
      try? FileManager.default.removeItem(at: errURL)
    }
    let out = try FileHandle(forWritingTo: outURL)
    let err = try FileHandle(forWritingTo: errURL)
    let process = Process()
    process.executableURL = binary
    process.arguments = Array(arguments ?? command.argv[...])
    process.environment = [
      "PATH": path, "PVEMEND_SANDBOX_STATE": statePath,
      "PVEMEND_SANDBOX_NODE": command.node, "PVEMEND_SANDBOX_HA_DELAY": String(haDelay),
    ]
    process.standardOutput = out
    process.standardError = err
    process.standardInput = FileHandle.nullDevice
    let started = Date()
    try await withCheckedThrowingContinuation {
      (continuation: CheckedContinuation<Void, any Error>) in
      process.terminationHandler = { _ in continuation.resume() }
      do { try process.run() } catch { continuation.resume(throwing: error) }
    }
    try? out.close()
    try? err.close()
    return CommandResult(
      stdout: (try? Data(contentsOf: outURL)) ?? Data(),
      stderr: (try? Data(contentsOf: errURL)) ?? Data(),
      exitStatus: process.terminationStatus, duration: Date().timeIntervalSince(started))
  }
}

extension StandInTransport {
  private static let toolDirectories = Mutex<[String: URL]>([:])

  /// A directory holding `pvesh`, `qm`, `pct`, `ha-manager`, `pveversion` as links to `binary`.
  static func toolDirectory(_ binary: URL) throws -> URL {
    try toolDirectories.withLock { dirs in
      if let dir = dirs[binary.path] { return dir }
      let dir = FileManager.default.temporaryDirectory.appendingPathComponent(
        "pvemend-standin-bin-\(UUID().uuidString.prefix(8))")
      try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
      for tool in ["pvesh", "qm", "pct", "ha-manager", "pveversion", "qmrestore"] {
        try FileManager.default.createSymbolicLink(
          at: dir.appendingPathComponent(tool), withDestinationURL: binary)
      }
      dirs[binary.path] = dir
      return dir
    }
  }
}

/// A state file in a fresh temporary directory, seeded from a snapshot; removed by `remove()`.
struct StateFixture {
  let directory: URL
  var path: String { directory.appendingPathComponent("state.json").path }

  init(_ snapshot: Snapshot) throws {
    directory = FileManager.default.temporaryDirectory.appendingPathComponent(
      "pvemend-state-\(UUID().uuidString.prefix(8))")
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    try snapshot.encoded().write(to: URL(fileURLWithPath: path))
  }

  init(file: URL) throws {
    directory = FileManager.default.temporaryDirectory.appendingPathComponent(
      "pvemend-state-\(UUID().uuidString.prefix(8))")
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    try FileManager.default.copyItem(at: file, to: URL(fileURLWithPath: path))
  }

  func state() throws -> ClusterState {
    try ClusterState(bytes: [UInt8](Data(contentsOf: URL(fileURLWithPath: path))), file: path)
  }

  func remove() { try? FileManager.default.removeItem(at: directory) }
}
