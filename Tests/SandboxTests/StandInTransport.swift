import Foundation
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
  static func exec(_ binary: URL, _ command: RemoteCommand, statePath: String, haDelay: Double)
    async throws
    -> CommandResult
  {
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
    process.arguments = command.argv
    process.environment = [
      "PATH": "/usr/bin:/bin", "PVEMEND_SANDBOX_STATE": statePath,
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
