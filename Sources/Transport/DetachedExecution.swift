import Foundation
import PVEModel

/// Names one detached command: `<root>/<run>/<command>/` on its node.
package struct DetachedID: Sendable, Hashable, Codable, CustomStringConvertible {
  /// The run (one per `apply`/`undo` run), e.g. `20261203T195411Z-execute-2-1a2b3c4d`.
  package var run: String
  /// The command within the run, e.g. `s03.0` (step and index).
  package var command: String

  package init(run: String, command: String) {
    self.run = run
    self.command = command
  }

  package var description: String { "\(run)/\(command)" }

  /// Letters, digits, `.`, `_`, `-`; not starting with `.` or `-` (one path component each).
  static func isValid(_ word: String) -> Bool {
    guard let first = word.unicodeScalars.first, first != ".", first != "-" else { return false }
    return word.unicodeScalars.allSatisfy {
      ("a"..."z").contains($0) || ("A"..."Z").contains($0) || ("0"..."9").contains($0)
        || $0 == "." || $0 == "_" || $0 == "-"
    }
  }

  /// Turns any text (a journal run name) into a valid component.
  package static func component(_ text: String) -> String {
    var out = String(
      text.unicodeScalars.map {
        ("a"..."z").contains($0) || ("A"..."Z").contains($0) || ("0"..."9").contains($0)
          || $0 == "." || $0 == "_" || $0 == "-" ? Character($0) : "-"
      })
    while out.hasPrefix(".") || out.hasPrefix("-") { out.removeFirst() }
    return out.isEmpty ? "run" : out
  }
}

/// What `status` finds for a detached command on its node.
package enum DetachedStatus: Sendable, Hashable {
  /// Its folder does not exist: it never started (starting it now is safe).
  case neverStarted
  /// It runs (`pid` alive), or is starting (`pid` nil, for a moment after the folder was made).
  case running(pid: Int?)
  /// It ended: exit status, and the signal's name when the shell reported 128+n.
  case finished(exitStatus: Int32, signal: String?)
  /// Its wrapper is gone without writing a status (the node rebooted, someone killed it).
  case lost(pid: Int?)
}

/// How a detached command ended, and what following it cost.
package struct DetachedResult: Sendable, Hashable {
  package var id: DetachedID
  package var exitStatus: Int32
  package var exitSignal: String?
  /// The log's last bytes (at most `DetachedExecution.keepBytes`).
  package var output: Data
  /// Bytes of log seen in all.
  package var outputBytes: Int
  /// Proxmox task ids (`UPID:node:…`) the output named, in order.
  package var upids: [String]
  /// Remote commands sent: 1 when nothing went wrong (the launcher also follows).
  package var remoteCommands: Int
  /// Seconds from each connection loss to attached again, and from the successful attempt's
  /// start (TCP, handshake, authentication, exec) to attached.
  package var reattachments: [Reattachment]

  package struct Reattachment: Sendable, Hashable {
    package var sinceLoss: Double
    package var attemptToAttached: Double
    package var attempts: Int
  }

  package var succeeded: Bool { exitStatus == 0 && exitSignal == nil }

  /// The result as a `CommandResult` (the log is stdout: the command's stderr went to the log too).
  package var commandResult: CommandResult {
    CommandResult(stdout: output, stderr: Data(), exitStatus: exitStatus, exitSignal: exitSignal)
  }
}

/// Why a detached command's outcome could not be learned. Messages name the node, the folder and
/// end with the fix.
package enum DetachedError: Error, Sendable, Hashable, CustomStringConvertible {
  /// The folder exists: this command id was started before; it is never run twice.
  case alreadyStarted(node: String, directory: String)
  /// The node stayed unreachable for the whole reconnect timeout; the command may still run.
  case unreachable(node: String, directory: String, waited: Double, detail: String)
  /// The wrapper died without a status (`upid` when the output named a Proxmox task).
  case lost(node: String, directory: String, upid: String?)
  /// The launcher could not start it (cannot create the folder, no `setsid`, …).
  case launchFailed(node: String, directory: String, detail: String)
  /// A transport error that reconnecting cannot fix (host key, authentication, timeout).
  case transport(TransportError, directory: String)
  /// Following stopped on request (Ctrl-C); the command runs on, detached.
  case detached(node: String, directory: String)
  /// `attach` found no folder: the command never started.
  case neverStarted(node: String, directory: String)

  package var description: String {
    switch self {
    case .alreadyStarted(let node, let dir):
      return "\(node): \(dir) exists: this command was started before and is never run twice; "
        + "resume the run (--resume) to learn how it ended"
    case .unreachable(let node, let dir, let waited, let detail):
      return "\(node): unreachable for \(Int(waited)) s (\(detail)); the command's outcome is "
        + "unknown (it may still run, detached, in \(dir)); when the node is back, --resume "
        + "settles it without running it again"
    case .lost(let node, let dir, let upid):
      return "\(node): the command in \(dir) ended without writing its status"
        + (upid.map { " (Proxmox task \($0))" } ?? "")
        + "; check the node's task log and the guest's lock before going on"
    case .launchFailed(let node, let dir, let detail):
      return "\(node): cannot start the command detached in \(dir): \(detail); check that "
        + "setsid is installed and the folder is writable"
    case .transport(let error, _):
      return error.description
    case .detached(let node, let dir):
      return "\(node): stopped following; the command runs on, detached, in \(dir); "
        + "--resume re-attaches"
    case .neverStarted(let node, let dir):
      return "\(node): \(dir) does not exist: the command never started"
    }
  }

  /// Whether the command's outcome is unknown (it may have run, may still run).
  package var outcomeUnknown: Bool {
    switch self {
    case .unreachable, .lost, .detached: return true
    case .transport(let error, _): return error.isTransient
    case .alreadyStarted, .launchFailed, .neverStarted: return false
    }
  }
}

extension TransportError {
  /// A failure that reconnecting may fix: the connection broke or could not be made.
  package var isTransient: Bool {
    switch self {
    case .unreachable, .connectionLost: return true
    case .ssh(_, let code, _): return code == -43 || code == -13 || code == -7
    default: return false
    }
  }
}

/// Runs commands on their node detached from the connection, and follows them: the command lives
/// in its own session on the node (own process group, no terminal, output to a log, exit status to
/// a file), so a lost connection loses nothing; pvemend reconnects with backoff and re-attaches
/// from the byte it had seen. A command id is started at most once (the node refuses a second
/// `mkdir` of its folder).
///
/// Works over any `Transport`. When nothing goes wrong a command costs one remote command: the
/// launcher itself follows the log until the status appears.
package struct DetachedExecution: Sendable {
  package let transport: any Transport
  /// The node-side folder of all runs.
  package var root: String
  /// How long to keep trying to re-attach after a connection loss.
  package var reconnectTimeout: Duration
  /// First wait before a reconnect attempt; doubles per failed attempt up to `maxBackoff`.
  package var initialBackoff: Duration
  package var maxBackoff: Duration
  /// Bytes of the log kept in the result.
  package var keepBytes: Int
  /// Deadline for the launcher and each attach (the transport's `timeout`); nil: the transport's
  /// default.
  package var followTimeout: Duration?
  /// No byte for this long while following → the connection is taken for dead and re-attached
  /// (the follower prints a heartbeat every ~7 s of quiet).
  package var silenceTimeout: Duration

  package static let defaultRoot = "/var/log/pvemend"

  package init(
    transport: any Transport, root: String = DetachedExecution.defaultRoot,
    reconnectTimeout: Duration = .seconds(300), initialBackoff: Duration = .milliseconds(200),
    maxBackoff: Duration = .seconds(10), keepBytes: Int = 1 << 20, followTimeout: Duration? = nil,
    silenceTimeout: Duration = .seconds(30)
  ) {
    self.silenceTimeout = silenceTimeout
    self.transport = transport
    self.root = root
    self.reconnectTimeout = reconnectTimeout
    self.initialBackoff = initialBackoff
    self.maxBackoff = maxBackoff
    self.keepBytes = keepBytes
    self.followTimeout = followTimeout
  }

  /// The node-side folder of `id`.
  package func directory(_ id: DetachedID) -> String { "\(root)/\(id.run)/\(id.command)" }

  /// The launcher for `command` (mutating: a dry run refuses it).
  package func launchCommand(_ command: RemoteCommand, id: DetachedID) -> RemoteCommand {
    RemoteCommand(
      node: command.node,
      argv: [
        "sh", "-c", DetachedScripts.launch, DetachedScripts.launchName, root, id.run, id.command,
        "--",
      ] + command.argv,
      mutating: true)
  }

  /// The read-only follower from `offset`.
  package func attachCommand(node: String, id: DetachedID, offset: Int) -> RemoteCommand {
    RemoteCommand(
      node: node,
      argv: [
        "sh", "-c", DetachedScripts.attach, DetachedScripts.attachName, root, id.run, id.command,
        String(offset),
      ], mutating: false)
  }

  /// The read-only one-look status.
  package func statusCommand(node: String, id: DetachedID) -> RemoteCommand {
    RemoteCommand(
      node: node,
      argv: [
        "sh", "-c", DetachedScripts.status, DetachedScripts.statusName, root, id.run, id.command,
      ], mutating: false)
  }

  private func validate(_ id: DetachedID, node: String) throws(DetachedError) {
    guard DetachedID.isValid(id.run), DetachedID.isValid(id.command), root.hasPrefix("/"),
      !root.split(separator: "/").contains("..")
    else {
      throw .launchFailed(
        node: node, directory: directory(id),
        detail: "invalid id '\(id)' or root '\(root)' (letters, digits, '.', '_', '-' only)")
    }
  }

  /// Starts `command` detached and follows it to its end, re-attaching after connection losses.
  /// - Parameters:
  ///   - output: log bytes as they arrive (each byte once, also across re-attachments).
  ///   - stop: checked while re-attaching; true → stop with `.detached` (the command runs on).
  package func start(
    _ command: RemoteCommand, id: DetachedID, output: RunOptions.Output? = nil,
    stop: @escaping @Sendable () -> Bool = { false }
  ) async throws(DetachedError) -> DetachedResult {
    try validate(id, node: command.node)
    let stream = DetachedStream(keepBytes: keepBytes, forward: output)
    return try await follow(
      node: command.node, id: id, stream: stream, launch: launchCommand(command, id: id),
      stop: stop)
  }

  /// Follows an already started command from byte `offset` of its log until it ends.
  package func attach(
    node: String, id: DetachedID, offset: Int = 0, output: RunOptions.Output? = nil,
    stop: @escaping @Sendable () -> Bool = { false }
  ) async throws(DetachedError) -> DetachedResult {
    try validate(id, node: node)
    let stream = DetachedStream(keepBytes: keepBytes, forward: output, offset: offset)
    return try await follow(node: node, id: id, stream: stream, launch: nil, stop: stop)
  }

  /// One look at the command's state (one read-only remote command). `upid` is the last Proxmox
  /// task its log names.
  package func status(node: String, id: DetachedID) async throws -> (
    status: DetachedStatus, upid: String?, logBytes: Int
  ) {
    try validate(id, node: node)
    let result = try await transport.run(statusCommand(node: node, id: id))
    var state: DetachedStatus?
    var upid: String?
    var size = 0
    for line in result.stdoutText.split(separator: "\n") {
      let words = line.split(separator: " ").map(String.init)
      guard words.count >= 2, words[0] == DetachedScripts.launchName else { continue }
      switch words[1] {
      case "size": size = words.count > 2 ? Int(words[2]) ?? 0 : 0
      case "upid": upid = words.count > 2 ? words[2] : nil
      case "state": state = Self.parseState(Array(words.dropFirst(2)))
      default: break
      }
    }
    guard let state else {
      throw TransportError.ssh(
        node: node, code: result.exitStatus,
        message: "the status script printed no state: \(result.stderrText)")
    }
    return (state, upid, size)
  }

  static func parseState(_ words: [String]) -> DetachedStatus? {
    switch words.first {
    case "never-started": return .neverStarted
    case "starting": return .running(pid: nil)
    case "running": return .running(pid: words.count > 1 ? Int(words[1]) : nil)
    case "lost": return .lost(pid: words.count > 1 ? Int(words[1]) : nil)
    case "finished":
      let (status, signal) = parseStatusFile(Array(words.dropFirst()))
      return .finished(exitStatus: status, signal: signal)
    default: return nil
    }
  }

  /// `N` or `N NAME` (the shell's 128+n and the signal's name).
  static func parseStatusFile(_ words: [String]) -> (Int32, String?) {
    let status = words.first.flatMap { Int32($0) } ?? -1
    return (status, words.count > 1 ? words[1] : nil)
  }

  /// `pvesh get /nodes/<node>/tasks/<upid>/status --output-format json`: Proxmox's own word on a
  /// task whose detached wrapper left no status (`status` stopped/running, `exitstatus` OK/…).
  package func taskStatus(node: String, upid: String) async throws -> [String: String] {
    let parts = upid.split(separator: ":", omittingEmptySubsequences: false)
    let taskNode = parts.count > 1 && !parts[1].isEmpty ? String(parts[1]) : node
    let result = try await transport.run(
      RemoteCommand(
        node: node,
        argv: [
          "pvesh", "get", "/nodes/\(taskNode)/tasks/\(upid)/status", "--output-format", "json",
        ], mutating: false))
    guard result.succeeded,
      let object = try? JSONSerialization.jsonObject(with: result.stdout) as? [String: Any]
    else { return [:] }
    return object.mapValues { "\($0)" }
  }

  // MARK: Following

  private func follow(
    node: String, id: DetachedID, stream: DetachedStream, launch: RemoteCommand?,
    stop: @escaping @Sendable () -> Bool
  ) async throws(DetachedError) -> DetachedResult {
    let dir = directory(id)
    var sendLauncher = launch != nil
    var launcherSent = false
    var remote = 0
    var reattachments: [DetachedResult.Reattachment] = []
    var lostAt: ContinuousClock.Instant?
    var attempts = 0
    var delay = initialBackoff
    var lastError = ""

    while true {
      if let since = lostAt {
        if stop() { throw .detached(node: node, directory: dir) }
        let waited = since.duration(to: .now)
        if waited >= reconnectTimeout {
          throw .unreachable(node: node, directory: dir, waited: waited.seconds, detail: lastError)
        }
        // The first attempt goes at once (a dropped connection to a live node reconnects in
        // ~90 ms); then 200 ms, doubling, capped.
        if attempts > 0 {
          try? await Task.sleep(for: min(delay, reconnectTimeout - waited))
          if Task.isCancelled || stop() { throw .detached(node: node, directory: dir) }
          delay = min(delay * 2, maxBackoff)
        }
      }
      let command: RemoteCommand
      if sendLauncher, let launch {
        command = launch
      } else {
        command = attachCommand(node: node, id: id, offset: stream.offset)
      }
      stream.beginAttempt()
      let attemptStart = ContinuousClock.now
      remote += 1
      attempts += 1
      if command.mutating { launcherSent = true }

      func noteAttached() {
        guard let since = lostAt, let at = stream.attachedAt else { return }
        reattachments.append(
          .init(
            sinceLoss: since.duration(to: at).seconds,
            attemptToAttached: attemptStart.duration(to: at).seconds, attempts: attempts))
        lostAt = nil
        attempts = 0
      }

      let result: CommandResult
      do {
        result = try await transport.run(
          command,
          options: RunOptions(
            timeout: followTimeout, output: { stream.receive($0, stderr: $1) },
            dedicatedConnection: true, silenceTimeout: silenceTimeout))
      } catch let error as TransportError {
        noteAttached()
        if Task.isCancelled { throw .detached(node: node, directory: dir) }
        guard error.isTransient else { throw .transport(error, directory: dir) }
        sendLauncher = false
        lastError = error.description
        if lostAt == nil {
          lostAt = .now
          delay = initialBackoff
          attempts = 0
        }
        continue
      } catch {
        throw .transport(.ssh(node: node, code: -1, message: "\(error)"), directory: dir)
      }
      stream.absorb(result)  // transports that cannot stream return the bytes here
      noteAttached()
      let frame = stream.lastFrame
      switch frame.first {
      case "end":
        let (status, signal) = Self.parseStatusFile(Array(frame.dropFirst()))
        return DetachedResult(
          id: id, exitStatus: status, exitSignal: signal, output: stream.kept,
          outputBytes: stream.offset, upids: stream.upids, remoteCommands: remote,
          reattachments: reattachments)
      case "refused":
        // A second launcher after a lost first one: ours got there first, follow it.
        guard launcherSent && remote > 1 else { throw .alreadyStarted(node: node, directory: dir) }
        sendLauncher = false
        continue
      case "never-started":
        // The lost launcher never made the folder: sending it again is safe (mkdir guards).
        guard launch != nil else { throw .neverStarted(node: node, directory: dir) }
        sendLauncher = true
        continue
      case "lost":
        throw .lost(node: node, directory: dir, upid: stream.upids.last)
      default:
        let why = stream.otherStderr.isEmpty ? "exit \(result.exitStatus)" : stream.otherStderr
        throw .launchFailed(node: node, directory: dir, detail: why)
      }
    }
  }
}

/// Parses one detached command's byte stream: stdout is the log (counted, forwarded, tail kept,
/// scanned for UPIDs), stderr carries `pvemend-detach …` frames.
final class DetachedStream: @unchecked Sendable {
  private let lock = NSLock()
  private let keepBytes: Int
  private let forward: RunOptions.Output?
  private var _offset: Int
  private var _kept = Data()
  private var line = Data()
  private var _upids: [String] = []
  private var errLine = Data()
  private var frames: [[String]] = []
  private var other = ""
  private var _attachedAt: ContinuousClock.Instant?
  private var _sawStart = false
  private var streamedThisAttempt = false

  init(keepBytes: Int, forward: RunOptions.Output?, offset: Int = 0) {
    self.keepBytes = keepBytes
    self.forward = forward
    self._offset = offset
  }

  var offset: Int { lock.withLock { _offset } }
  var kept: Data { lock.withLock { _kept } }
  var upids: [String] { lock.withLock { _upids } }
  var attachedAt: ContinuousClock.Instant? { lock.withLock { _attachedAt } }
  var sawStart: Bool { lock.withLock { _sawStart } }
  var otherStderr: String { lock.withLock { other } }
  /// The last end-type frame of this attempt (`end …`, `refused …`, `lost …`, `never-started`).
  var lastFrame: [String] {
    lock.withLock {
      frames.last { ["end", "refused", "lost", "never-started", "error"].contains($0.first ?? "") }
        ?? []
    }
  }

  func beginAttempt() {
    lock.withLock {
      frames = []
      other = ""
      _attachedAt = nil
      streamedThisAttempt = false
    }
  }

  func receive(_ data: Data, stderr: Bool) {
    lock.withLock { streamedThisAttempt = true }
    stderr ? receiveFrames(data) : receiveLog(data)
  }

  /// Takes the bytes of a result from a transport that did not stream.
  func absorb(_ result: CommandResult) {
    let streamed = lock.withLock { streamedThisAttempt }
    guard !streamed else { return }
    if !result.stdout.isEmpty { receiveLog(result.stdout) }
    if !result.stderr.isEmpty { receiveFrames(result.stderr) }
    receiveFrames(Data("\n".utf8))
  }

  private func receiveLog(_ data: Data) {
    var found: [String] = []
    lock.withLock {
      _offset += data.count
      if _attachedAt == nil { _attachedAt = .now }
      _kept.append(data)
      if _kept.count > keepBytes { _kept.removeFirst(_kept.count - keepBytes) }
      line.append(data)
      while let nl = line.firstIndex(of: 0x0A) {
        let text = String(decoding: line[line.startIndex..<nl], as: UTF8.self)
        line.removeSubrange(line.startIndex...nl)
        found += Self.upids(in: text)
      }
      if line.count > 64 * 1024 { line.removeAll() }
      _upids += found
    }
    forward?(data, false)
  }

  private func receiveFrames(_ data: Data) {
    lock.withLock {
      errLine.append(data)
      while let nl = errLine.firstIndex(of: 0x0A) {
        let text = String(decoding: errLine[errLine.startIndex..<nl], as: UTF8.self)
        errLine.removeSubrange(errLine.startIndex...nl)
        let words = text.split(separator: " ").map(String.init)
        if words.first == DetachedScripts.launchName, words.count >= 2 {
          let frame = Array(words.dropFirst())
          frames.append(frame)
          if frame[0] == "started" { _sawStart = true }
          if ["attached", "started", "end"].contains(frame[0]), _attachedAt == nil {
            _attachedAt = .now
          }
        } else if !text.isEmpty {
          other += (other.isEmpty ? "" : "; ") + text
        }
      }
    }
  }

  /// `UPID:node:…` words in a line.
  static func upids(in line: String) -> [String] {
    guard line.contains("UPID:") else { return [] }
    return line.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\r" })
      .filter { $0.hasPrefix("UPID:") && $0.split(separator: ":").count >= 7 }
      .map(String.init)
  }
}

extension Duration {
  fileprivate var seconds: Double {
    let (s, a) = components
    return Double(s) + Double(a) / 1e18
  }
}
