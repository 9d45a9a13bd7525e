import ArgumentParser
import Foundation
import Planning

/// `pvemend show PLAN`: a saved plan, rendered again from the document alone.
struct ShowCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "show",
    abstract: "Show a saved plan (pvemend-plan/1) as text, markdown or JSON.",
    discussion: """
      Renders the plan written by 'pvemend plan --out FILE' without looking at the cluster.

      Exit codes:
        0  shown
        2  the file cannot be read or is not a pvemend-plan/1 document (the message says why)
        64 bad command line
      """)

  /// Output formats.
  enum Format: String, CaseIterable, ExpressibleByArgument {
    case text, json, markdown
  }

  @Argument(help: "The plan file (pvemend-plan/1 JSON), or '-' for standard input.")
  var plan: String

  @Option(help: "What to print: text, json or markdown.")
  var format: Format = .text

  func run() throws {
    let document: Plan
    do {
      document = try PlanFile.decode(CLIFiles.read(plan), file: plan)
    } catch {
      CLIFiles.standardError("pvemend show: \(error)\n")
      throw ExitCode(2)
    }
    switch format {
    case .text: CLIFiles.standardOutput(PlanTextView.render(document))
    case .markdown: CLIFiles.standardOutput(PlanMarkdownView.render(document))
    case .json: FileHandle.standardOutput.write(PlanFile.encode(document))
    }
  }
}
