import Foundation
import PVEMendTestSupport
import Testing

/// The built `pvemend` executable, run as a child process the way a user runs it.
///
/// Where it is found, first hit wins:
/// 1. `PVEMEND_BIN`, if set (a path to any pvemend binary, e.g. a release build);
/// 2. next to the test bundle: SwiftPM puts every product of the package in the same build
///    directory as `pvemendPackageTests.xctest` (`.build/<triple>/debug/`), and `swift test` /
///    `swift build --build-tests` build `pvemend` too, so the binary under test is the one built
///    from this checkout;
/// 3. `.build/debug/pvemend` under the package root (`Fixtures.root`).
///
/// A missing binary fails the test with the build command; it is never a skip.
enum PVEMendBinary {
  static let path: String? = {
    let environment = ProcessInfo.processInfo.environment
    var candidates: [String] = []
    if let explicit = environment["PVEMEND_BIN"], !explicit.isEmpty { candidates.append(explicit) }
    var bundleDirectories: [URL] = []
    if let executable = Bundle.main.executableURL { bundleDirectories.append(executable) }
    if let argv0 = CommandLine.arguments.first {
      bundleDirectories.append(URL(fileURLWithPath: argv0))
    }
    for start in bundleDirectories {
      // From …/debug/pvemendPackageTests.xctest (Linux) or …/debug/X.xctest/Contents/MacOS/X.
      var dir = start.deletingLastPathComponent()
      for _ in 0..<4 {
        candidates.append(dir.appendingPathComponent("pvemend").path)
        dir.deleteLastPathComponent()
      }
    }
    candidates.append(Fixtures.root.appendingPathComponent(".build/debug/pvemend").path)
    return candidates.first { FileManager.default.isExecutableFile(atPath: $0) }
  }()

  /// The binary, or a test failure telling how to build it.
  static func require(sourceLocation: SourceLocation = #_sourceLocation) throws -> String {
    try #require(
      path, "pvemend is not built; run 'swift build --build-tests' (or set PVEMEND_BIN)",
      sourceLocation: sourceLocation)
  }
}

/// What a child process did.
struct ProcessRun: Sendable {
  /// The command line, for messages and golden headers (relative paths only).
  var commandLine: String
  /// Exit status, or the signal number when `signalled`.
  var status: Int32
  /// Killed by a signal (a crash: trap, abort, segfault).
  var signalled: Bool
  /// Killed by the test after its time limit.
  var timedOut = false
  var stdout: Data
  var stderr: Data

  var stdoutText: String { String(decoding: stdout, as: UTF8.self) }
  var stderrText: String { String(decoding: stderr, as: UTF8.self) }

  /// `exit 0`, or `killed by signal 4` for a crash.
  var outcome: String {
    timedOut
      ? "killed after its time limit" : signalled ? "killed by signal \(status)" : "exit \(status)"
  }

  /// One golden document: the command, how it ended, and both streams.
  var transcript: String {
    "$ \(commandLine)\n\(outcome)\n--- stdout\n\(stdoutText)\n--- stderr\n\(stderrText)"
  }
}

/// Runs programs with their output in files (no pipe can fill up and block the child).
enum Spawn {
  static func run(
    _ executable: String, _ arguments: [String], label: String, in directory: URL,
    environment: [String: String] = [:], replacingEnvironment: Bool = false,
    timeLimit: Double = 120
  ) throws -> ProcessRun {
    let token = UUID().uuidString
    let outURL = directory.appendingPathComponent(".out-\(token)")
    let errURL = directory.appendingPathComponent(".err-\(token)")
    FileManager.default.createFile(atPath: outURL.path, contents: nil)
    FileManager.default.createFile(atPath: errURL.path, contents: nil)
    defer {
      try? FileManager.default.removeItem(at: outURL)
      try? FileManager.default.removeItem(at: errURL)
    }
    let out = try FileHandle(forWritingTo: outURL)
    let err = try FileHandle(forWritingTo: errURL)
    let process = Process()
    process.executableURL = URL(fileURLWithPath: executable)
    process.arguments = arguments
    process.currentDirectoryURL = directory
    var env = replacingEnvironment ? [:] : ProcessInfo.processInfo.environment
    for (k, v) in environment { env[k] = v }
    process.environment = env
    process.standardInput = FileHandle.nullDevice
    process.standardOutput = out
    process.standardError = err
    try process.run()
    // A hung child (a script polling forever) is killed, and the test says so.
    let pid = process.processIdentifier
    let limit = DispatchWorkItem { kill(pid, SIGKILL) }
    DispatchQueue.global().asyncAfter(deadline: .now() + timeLimit, execute: limit)
    process.waitUntilExit()
    limit.cancel()
    try out.close()
    try err.close()
    let signalled = process.terminationReason == .uncaughtSignal
    return ProcessRun(
      commandLine: label, status: process.terminationStatus, signalled: signalled,
      timedOut: signalled && process.terminationStatus == SIGKILL,
      stdout: try Data(contentsOf: outURL), stderr: try Data(contentsOf: errURL))
  }

  /// `pvemend <arguments>` in `directory`.
  static func pvemend(_ arguments: [String], in directory: URL) throws -> ProcessRun {
    try run(
      PVEMendBinary.require(), arguments,
      label: (["pvemend"] + arguments).map(displayWord).joined(separator: " "), in: directory)
  }

  /// The absolute path of a program on PATH.
  static func which(_ name: String) -> String? {
    let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
    for dir in path.split(separator: ":") {
      let candidate = "\(dir)/\(name)"
      if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
    }
    return nil
  }

  private static func displayWord(_ word: String) -> String {
    word.isEmpty || word.contains(where: { $0 == " " || $0 == "'" }) ? "'\(word)'" : word
  }

  /// A fresh temporary directory; the caller removes it.
  static func temporaryDirectory(_ hint: String) throws -> URL {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent(
      "pvemend-cli-\(hint)-\(UUID().uuidString.prefix(8))")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
  }
}
