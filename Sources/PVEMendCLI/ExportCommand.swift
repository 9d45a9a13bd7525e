import ArgumentParser
import Execution
import Export
import Foundation
import Planning

/// `pvemend export PLAN --format sh|ansible|markdown [--out FILE]`.
struct ExportCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "export",
    abstract: "Write a plan as a bash script, an Ansible playbook or a change request.",
    discussion: """
      sh: one bash script, a dry run unless started with --execute; ssh to each node (PVEMEND_SSH, \
      PVEMEND_SSH_OPTS, PVEMEND_USER, PVEMEND_HOST_<node>, PVEMEND_PORT_<node>); stops at the first \
      failure; polls HA migrations. ansible: a playbook, one command task per command, delegated to \
      its node. markdown: a change-request document (what, why, order, downtime, rollback).

      Every header names the plan by 'sha256:' and the SHA-256 of the plan file's bytes, the same \
      digest 'apply' writes to its journal.

      Exit codes: 0 written; 2 bad input (the plan file cannot be read or decoded; one line names \
      it); 64 bad command line.

      Exit codes: 0 written; 2 bad input (the plan file cannot be read or decoded; one line names \
      it); 64 bad command line.
      """)

  @Argument(help: "The plan file written by 'pvemend plan'.")
  var plan: String

  @Option(help: "sh, ansible or markdown.")
  var format: String = "sh"

  @Option(help: ArgumentHelp("Write to this file instead of standard output.", valueName: "file"))
  var out: String?

  func validate() throws {
    guard ExportFormat(rawValue: format) != nil else {
      throw ValidationError(
        "unknown format '\(format)'; use one of: \(ExportFormat.allCases.map(\.rawValue).joined(separator: ", "))"
      )
    }
  }

  func run() throws {
    let (decoded, data) = try PlanLoading.load(plan, command: "export")
    let fmt = ExportFormat(rawValue: format) ?? .sh
    let text = PlanExport.render(decoded, format: fmt, digest: PlanDigest.of(data))
    guard let out else {
      FileHandle.standardOutput.write(Data(text.utf8))
      return
    }
    do {
      try Data(text.utf8).write(to: URL(fileURLWithPath: out))
      if fmt == .sh {
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: out)
      }
    } catch {
      throw ValidationError(
        "\(out): cannot write the export (\(error.localizedDescription)); check the path")
    }
    printError("Wrote \(out) (\(fmt.rawValue)). Review it before running.")
  }
}
