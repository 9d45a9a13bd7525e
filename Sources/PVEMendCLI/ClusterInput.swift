import ArgumentParser
import Execution
import Foundation
import PVEModel
import Planning
import Playbook

/// What the planning and reporting commands read: a snapshot, the cluster derived from it, and the
/// policy of a playbook (or the built-in default). Errors name the file and the fix.
struct ClusterInput {
  var snapshot: Snapshot
  var cluster: Cluster
  var policy: Policy
  /// The playbook as given (`(built-in default)` without one) and its text (empty without one),
  /// recorded and hashed in plans.
  var playbookPath: String
  var playbookText: String

  /// Reads `snapshotPath` and, when given, `playbookPath`.
  static func load(snapshot snapshotPath: String, playbook playbookPath: String?) throws
    -> ClusterInput
  {
    let snapshot = try Snapshot.decode(CLIFiles.read(snapshotPath), file: snapshotPath)
    let cluster = try Cluster(snapshot: snapshot, file: snapshotPath)
    guard let playbookPath else {
      return ClusterInput(
        snapshot: snapshot, cluster: cluster, policy: .builtinDefault,
        playbookPath: "(built-in default)", playbookText: "")
    }
    let text = try CLIFiles.text(playbookPath)
    return ClusterInput(
      snapshot: snapshot, cluster: cluster,
      policy: try PlaybookDecoder.decode(text, file: playbookPath),
      playbookPath: playbookPath, playbookText: text)
  }
}

extension CLIFiles {
  /// Writes a plan document to `path` (atomically), or exits with `badInput` naming the file.
  static func writePlan(_ document: Data, to path: String, command: String) throws {
    do {
      try document.write(to: URL(fileURLWithPath: path), options: .atomic)
    } catch {
      standardError(
        "pvemend \(command): \(path): cannot write the plan (\(error.localizedDescription)); check the directory exists and is writable\n"
      )
      throw ExitCode(ExitStatus.badInput)
    }
  }
}

/// What `plan` and `evacuate` print of the plan they write.
enum PlanFormat: String, CaseIterable, ExpressibleByArgument {
  case text, json, markdown, html

  /// Prints `plan` in this format; `document` is its encoded bytes (printed as they are for json;
  /// the review page names their digest).
  func print(_ plan: Plan, document: Data) {
    switch self {
    case .text: CLIFiles.standardOutput(PlanTextView.render(plan))
    case .markdown: CLIFiles.standardOutput(PlanMarkdownView.render(plan))
    case .json: FileHandle.standardOutput.write(document)
    case .html:
      CLIFiles.standardOutput(PlanHTMLView.render(plan, digest: PlanDigest.of(document)))
    }
  }
}
