import ArgumentParser
import Audit
import Execution
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

      --restore-tests JOURNAL… reads the journals of restore-test runs ('pvemend restore-test SNAPSHOT --out PLAN', then 'pvemend apply PLAN --execute', which writes PLAN.journal.jsonl; the plan must stay beside its journal or where the journal names it). Each test becomes a record (guest, backup age and size, restore and boot seconds, verdict); the newest record per guest wins. The report then gains a measured recovery table (section 9, 'untested' for critical guests without a test), the failure scenarios state measured restore times, failed or unfinished tests are restore.failed findings, and the disaster-recovery score adds 3 × the share of critical guests with a passed test within 30 days (docs/restore-tests.md).

      Exit codes:
        0   the audit ran (findings are not errors)
        2   bad input: snapshot, playbook or restore-test journal unreadable or invalid (the message names the file, the JSON path or line, and the fix)
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

  @Option(
    name: .customLong("restore-tests"), parsing: .upToNextOption,
    help: ArgumentHelp(
      "Journals of executed restore-test plans (PLAN.journal.jsonl): measured recovery.",
      valueName: "journal"))
  var restoreTests: [String] = []

  func run() throws {
    let report: AuditReport
    do {
      let input = try ClusterInput.load(snapshot: snapshot, playbook: playbook)
      let records = restoreTests.isEmpty ? nil : try RestoreTestJournals.records(restoreTests)
      report = AuditReport(cluster: input.cluster, policy: input.policy, restoreTests: records)
    } catch {
      CLIFiles.standardError("pvemend audit: \(error)\n")
      throw ExitCode(ExitStatus.badInput)
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
      CLIFiles.standardError(
        "pvemend audit: \(count) finding(s) at or above \(failOn.rawValue) (worst: \(worst.id))\n")
      throw ExitCode(ExitStatus.refused)
    }
  }
}
