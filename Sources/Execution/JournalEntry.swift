import Foundation
import PVEModel
import Planning

/// One line of the journal (`<plan>.journal.jsonl`): what a run did, as it did it.
///
/// Flat so that `jq` and `grep` read it: `event` says which fields are set. Every entry names its
/// `run` (the run-start time and mode) so that resume and undo can ignore dry runs. Encoded with
/// sorted keys, one JSON object per line; append-only.
package struct JournalEntry: Codable, Sendable, Hashable {
  /// What happened.
  package enum Event: String, Codable, Sendable, Hashable {
    /// A run began: plan digest, mode, tool, cluster.
    case runStart = "run-start"
    /// The check before anything ran: one entry per step with its status (`ready`, `satisfied`, …).
    case check
    /// A step began on its nodes.
    case stepStart = "step-start"
    /// A mutating command is about to be launched detached: node, argv, index, and `detached`
    /// (its folder on the node). Written BEFORE it is sent, so a crash leaves the id to settle.
    case commandLaunch = "command-launch"
    /// One command ended (or could not be run): node, argv, exit status, signal, output tails.
    case command
    /// A step ended with an outcome; for succeeded steps also its inverse (for `undo`).
    case stepEnd = "step-end"
    /// The run ended: outcome, exit code, counts, and where it stopped.
    case runEnd = "run-end"
    /// The cluster lock: `status` acquired, broken-and-acquired, refused, failed, renewal-failed,
    /// renewed (after failures), lost, released, release-failed; `detail` names the holder.
    case lock
  }

  package var event: Event
  /// RFC 3339, from the injected clock.
  package var time: String
  /// The run this entry belongs to: `<run-start time>/<mode>/<n>`, n counting the journal's runs.
  package var run: String
  package var mode: ExecutionMode?
  package var planDigest: String?
  package var planPath: String?
  package var tool: String?
  package var cluster: String?
  package var pveMajor: Int?
  package var haPlacement: String?
  package var step: String?
  package var kind: StepKind?
  package var title: String?
  /// `ready`, `satisfied`, `done`, `verify-only`, `advice`, `stale`, `blocked` (check entries).
  package var status: String?
  package var nodes: [String]?
  package var node: String?
  package var argv: [String]?
  package var mutating: Bool?
  /// Index of the command within its step (0-based) and how many the step has.
  package var index: Int?
  package var count: Int?
  package var exitStatus: Int32?
  package var exitSignal: String?
  package var stdoutTail: String?
  package var stderrTail: String?
  /// Seconds.
  package var duration: Double?
  /// `SHA256:…` of the node's host key, as the transport verified it.
  package var hostKey: String?
  package var outcome: String?
  package var detail: String?
  /// The detached command's folder on its node, `<root>/<run>/<step>.<index>` (command-launch,
  /// command).
  package var detached: String?
  /// Proxmox task ids its output named.
  package var upids: [String]?
  /// The command's outcome is not known (command entries): `--resume` settles it.
  package var unknown: Bool?
  /// Seconds from each connection loss to attached again (detached commands that re-attached).
  package var reattached: [Double]?
  /// Remote commands the detached command cost (1 when nothing went wrong).
  package var remoteCommands: Int?
  /// The step's inverse and conditions, recorded when it succeeded: `undo` needs nothing else.
  package var inverse: [RemoteCommand]?
  package var preconditions: [Condition]?
  package var effects: [Condition]?
  package var wait: Wait?
  package var exitCode: Int32?
  /// Outcome → number of steps (run-end).
  package var counts: [String: Int]?
  /// Steps not started because the run stopped (run-end).
  package var notStarted: [String]?

  package init(event: Event, time: String, run: String) {
    self.event = event
    self.time = time
    self.run = run
  }

  /// One JSON line, sorted keys, no trailing newline.
  package func line() -> String {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
    // Plain values only: encoding cannot fail.
    let data = (try? encoder.encode(self)) ?? Data("{}".utf8)
    // Titles and output quote names: bidi and zero-width characters as \u escapes.
    return DisplayText.escapingUnsafe(json: String(decoding: data, as: UTF8.self))
  }

  /// Parses a journal's text; errors name the file and line and end with the fix.
  package static func parse(_ text: String, file: String) throws(ExecutionError) -> [JournalEntry] {
    var entries: [JournalEntry] = []
    let decoder = JSONDecoder()
    for (i, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
      let trimmed = line.trimmingCharacters(in: .whitespaces)
      if trimmed.isEmpty { continue }
      do {
        entries.append(try decoder.decode(JournalEntry.self, from: Data(trimmed.utf8)))
      } catch {
        // A run killed mid-write leaves a partial last line: tolerate exactly that.
        if i == text.split(separator: "\n", omittingEmptySubsequences: false).count - 1 { break }
        throw ExecutionError.badJournal(file: file, line: i + 1, detail: "\(error)")
      }
    }
    return entries
  }
}

/// Where journal entries go. Appending must be safe from concurrent steps.
package protocol JournalSink: Sendable {
  func append(_ entry: JournalEntry)
  /// How many runs the journal holds already (numbers the next run's id).
  var runCount: Int { get }
}

/// A journal kept in memory (tests, benchmarks, and `undo --dry-run` previews).
package final class MemoryJournal: JournalSink, @unchecked Sendable {
  private let lock = NSLock()
  private var stored: [JournalEntry] = []

  package init(_ entries: [JournalEntry] = []) { stored = entries }

  package func append(_ entry: JournalEntry) { lock.withLock { stored.append(entry) } }

  package var entries: [JournalEntry] { lock.withLock { stored } }

  package var runCount: Int { entries.filter { $0.event == .runStart }.count }

  /// The journal as its file would read.
  package var text: String { entries.map { $0.line() + "\n" }.joined() }
}

/// The journal file: JSON lines written one at a time (unbuffered), so a crash of the process loses
/// at most the line being written; synced to disk at the end of each run.
package final class JournalFile: JournalSink, @unchecked Sendable {
  package let path: String
  private let lock = NSLock()
  private let handle: FileHandle
  private var runs: Int

  /// Opens (creating) `path` for appending.
  package init(path: String) throws(ExecutionError) {
    self.path = path
    if !FileManager.default.fileExists(atPath: path) {
      guard FileManager.default.createFile(atPath: path, contents: nil) else {
        throw ExecutionError.journalUnwritable(file: path, detail: "cannot create the file")
      }
    }
    guard let handle = FileHandle(forWritingAtPath: path) else {
      throw ExecutionError.journalUnwritable(file: path, detail: "cannot open it for writing")
    }
    self.handle = handle
    let existing = FileManager.default.contents(atPath: path) ?? Data()
    self.runs =
      String(decoding: existing, as: UTF8.self).components(separatedBy: "\"event\":\"run-start\"")
      .count - 1
    handle.seekToEndOfFile()
  }

  package var runCount: Int { lock.withLock { runs } }

  deinit { try? handle.close() }

  package func append(_ entry: JournalEntry) {
    let data = Data((entry.line() + "\n").utf8)
    lock.withLock {
      if entry.event == .runStart { runs += 1 }
      handle.write(data)
    }
    // Each line is written at once (a crash of pvemend loses nothing written); the disk is synced
    // when a run ends, not per line, so concurrent steps do not queue behind fsync.
    if entry.event == .runEnd { try? handle.synchronize() }
  }

  /// Reads a journal file.
  package static func read(path: String) throws(ExecutionError) -> [JournalEntry] {
    guard let data = FileManager.default.contents(atPath: path) else {
      throw ExecutionError.journalUnreadable(file: path)
    }
    return try JournalEntry.parse(String(decoding: data, as: UTF8.self), file: path)
  }
}
