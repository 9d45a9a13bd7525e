import Foundation
import PVEModel
import Transport

/// Runs `ClusterRead` batches and parses their framed output (`pvemend-read/1`).
package enum ReadBatch {
  /// One record of a batch's output.
  package struct Record: Sendable, Hashable {
    /// What produced it.
    package enum Kind: String, Sendable, Hashable {
      /// `pvesh get <name>`: payload is stdout (status 0) or stderr.
      case get
      /// A file, `name` its path: payload is its bytes.
      case file
      /// A directory that was listed (`/etc/pve/nodes`): status 0 when readable, else the reason.
      case dir
    }

    package var kind: Kind
    package var status: Int32
    package var name: String
    package var payload: Data

    package var succeeded: Bool { status == 0 }
    /// The payload as text, trimmed, its first two lines joined: for error messages.
    package var reason: String {
      let text = String(decoding: payload, as: UTF8.self)
        .trimmingCharacters(in: .whitespacesAndNewlines)
        .split(separator: "\n").prefix(2).joined(separator: " / ")
      return text.isEmpty ? "exit \(status)" : "exit \(status): \(text)"
    }
  }

  /// Why a batch's output could not be used. Messages say what happened and what to do.
  package struct FormatError: Error, Sendable, Hashable, CustomStringConvertible {
    package var node: String
    package var detail: String
    /// The batch command itself failed (exit status or signal), before printing its records.
    package var commandFailed = false

    package var description: String {
      commandFailed
        ? "\(node): the read batch (sh -c …) \(detail); check that 'sh', 'mktemp', 'wc' and 'cat' work on the node, or collect with --per-path"
        : "\(node): the read batch printed output pvemend cannot parse (\(detail)); run it again, and if it persists collect with --per-path and report it with the node's 'wc --version'"
    }
  }

  /// Runs one batch command and returns its records; throws `TransportError` when it cannot run,
  /// `CollectError.FailedPath`-style failures are left to the caller (records with a status).
  package static func run(
    _ command: RemoteCommand, transport: any Transport, timeout: Duration? = nil
  ) async throws -> [Record] {
    let result = try await transport.run(command, options: RunOptions(timeout: timeout))
    guard result.succeeded else {
      let text = result.stderrText.trimmingCharacters(in: .whitespacesAndNewlines)
        .split(separator: "\n").prefix(2).joined(separator: " / ")
      let how = result.exitSignal.map { "killed by SIG\($0)" } ?? "exit \(result.exitStatus)"
      throw FormatError(
        node: command.node, detail: "\(how)\(text.isEmpty ? "" : ": \(text)")",
        commandFailed: true)
    }
    do {
      return try parse(result.stdout)
    } catch {
      throw FormatError(node: command.node, detail: error.detail)
    }
  }

  /// Parses a `pvemend-read/1` stream.
  package static func parse(_ data: Data) throws(FormatError) -> [Record] {
    let bytes = [UInt8](data)
    var at = 0
    func line() throws(FormatError) -> String {
      guard let end = bytes[at...].firstIndex(of: 0x0A) else {
        throw FormatError(node: "", detail: "output ends in the middle of a header at byte \(at)")
      }
      let text = String(decoding: bytes[at..<end], as: UTF8.self)
      at = end + 1
      return text
    }
    let first = try line()
    let head = first.split(separator: " ")
    guard head.count == 2, head[0] == ClusterRead.formatWord, let count = Int(head[1]), count >= 0
    else {
      throw FormatError(
        node: "",
        detail: "expected '\(ClusterRead.formatWord) <records>', found '\(first.prefix(60))'")
    }
    var headers: [(Record.Kind, Int32, Int, String)] = []
    for i in 0..<count {
      let text = try line()
      let fields = text.split(separator: " ", maxSplits: 3, omittingEmptySubsequences: false)
      guard fields.count == 4, let kind = Record.Kind(rawValue: String(fields[0])),
        let status = Int32(fields[1]), let size = Int(fields[2]), size >= 0
      else {
        throw FormatError(
          node: "",
          detail:
            "record \(i + 1) header '\(text.prefix(80))' is not '<type> <status> <bytes> <name>'")
      }
      headers.append((kind, status, size, String(fields[3])))
    }
    var records: [Record] = []
    for (kind, status, size, name) in headers {
      guard at + size <= bytes.count else {
        throw FormatError(
          node: "",
          detail:
            "record '\(name)' announces \(size) bytes but the output ends after \(bytes.count - at)"
        )
      }
      records.append(
        Record(kind: kind, status: status, name: name, payload: Data(bytes[at..<(at + size)])))
      at += size
    }
    let trailer = try line()
    guard trailer == "\(ClusterRead.formatWord) end", at == bytes.count else {
      throw FormatError(
        node: "",
        detail:
          "expected '\(ClusterRead.formatWord) end' after the payloads, found '\(trailer.prefix(60))'"
      )
    }
    return records
  }
}
