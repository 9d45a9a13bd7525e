import ArgumentParser
import Audit
import Foundation
import PVEModel
import Playbook

/// `pvemend audit SNAPSHOT`: the audit report of a snapshot, computed from data.
///
/// The CLI is the I/O edge: it reads the snapshot and the playbook, the Audit module does the rest.
struct AuditCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "audit",
    abstract: "Audit a cluster snapshot: findings, figures, scores, risks.",
    discussion: """
      Reads a pvemend-snapshot/1 file (from 'pvemend collect', or '-' for standard input) and prints the audit report. Which guests are critical comes from the playbook (--playbook); without one the built-in default policy is used. The report is dated with the snapshot's collectedAt: the same snapshot and playbook always give the same bytes.

      Exit codes:
        0   the audit ran (findings are not errors)
        2   bad input: snapshot or playbook unreadable or invalid (the message names the file, the JSON path or line, and the fix)
        3   --fail-on: a finding at or above that severity exists
        64  bad command line
      """)

  /// Output formats.
  enum Format: String, CaseIterable, ExpressibleByArgument {
    case text, markdown, json
  }

  /// Severities for `--fail-on`.
  enum FailOn: String, CaseIterable, ExpressibleByArgument {
    case critical, high, medium, low, info

    var severity: Severity { Severity(rawValue: rawValue) ?? .info }
  }

  @Argument(help: "The snapshot file (pvemend-snapshot/1 JSON), or '-' for standard input.")
  var snapshot: String

  @Option(help: "A playbook (YAML) stating which guests are critical and the capacity policy.")
  var playbook: String?

  @Option(help: "Output format: text, markdown or json.")
  var format: Format = .text

  @Option(
    name: .customLong("fail-on"),
    help: "Exit with status 3 when a finding at or above this severity exists (for CI).")
  var failOn: FailOn?

  func run() throws {
    let report: AuditReport
    do {
      let data = try Self.read(snapshot)
      let snap = try Snapshot.decode(data, file: snapshot)
      let cluster = try Cluster(snapshot: snap, file: snapshot)
      let policy: Policy
      if let playbook {
        let bytes = try Self.read(playbook)
        guard let text = String(data: bytes, encoding: .utf8) else {
          throw AuditCommandError.notText(file: playbook)
        }
        policy = try PlaybookDecoder.decode(text, file: playbook)
      } else {
        policy = .builtinDefault
      }
      report = AuditReport(cluster: cluster, policy: policy)
    } catch {
      Self.standardError("pvemend audit: \(error)\n")
      throw ExitCode(2)
    }
    let output: String
    switch format {
    case .text: output = report.text()
    case .markdown: output = report.markdown()
    case .json: output = report.json()
    }
    FileHandle.standardOutput.write(Data(output.utf8))
    if let failOn, let worst = report.findings.first, worst.severity <= failOn.severity {
      let count = report.findings.filter { $0.severity <= failOn.severity }.count
      Self.standardError(
        "pvemend audit: \(count) finding(s) at or above \(failOn.rawValue) (worst: \(worst.id))\n")
      throw ExitCode(3)
    }
  }

  /// The bytes of a file, or of standard input for `-`.
  static func read(_ path: String) throws(AuditCommandError) -> Data {
    if path == "-" { return FileHandle.standardInput.readDataToEndOfFile() }
    var isDirectory: ObjCBool = false
    guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
      throw .unreadable(file: path, reason: "no such file")
    }
    guard !isDirectory.boolValue else { throw .unreadable(file: path, reason: "it is a directory") }
    guard let data = FileManager.default.contents(atPath: path) else {
      throw .unreadable(file: path, reason: "permission denied or unreadable")
    }
    return data
  }

  static func standardError(_ text: String) {
    FileHandle.standardError.write(Data(text.utf8))
  }
}

/// Why `pvemend audit` could not read its input.
enum AuditCommandError: Error, CustomStringConvertible {
  /// The file cannot be opened.
  case unreadable(file: String, reason: String)
  /// The playbook is not UTF-8 text.
  case notText(file: String)

  var description: String {
    switch self {
    case .unreadable(let file, let reason):
      return "\(file): cannot read it (\(reason)); check the path"
    case .notText(let file):
      return "\(file): not UTF-8 text; save the playbook as UTF-8 YAML"
    }
  }
}
