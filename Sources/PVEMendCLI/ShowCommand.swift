import ArgumentParser
import Execution
import Foundation
import Planning

/// `pvemend show PLAN`: a saved plan, rendered again from the document alone.
struct ShowCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "show",
    abstract: "Show a saved plan (pvemend-plan/1) as text, markdown, JSON or an HTML review page.",
    discussion: """
      Renders the plan written by 'pvemend plan --out FILE' without looking at the cluster.
      html: one self-contained page (inline CSS and SVG, no script, nothing fetched) to open in a \
      browser or attach to a change request; it names the plan file by the SHA-256 of its bytes.

      Exit codes:
        0  shown
        2  the file cannot be read or is not a pvemend-plan/1 document, or --out cannot be written
           (the message says why)
        64 bad command line
      """)

  /// Output formats.
  enum Format: String, CaseIterable, ExpressibleByArgument {
    case text, json, markdown, html
  }

  @Argument(help: "The plan file (pvemend-plan/1 JSON), or '-' for standard input.")
  var plan: String

  @Option(help: "What to print: text, json, markdown or html.")
  var format: Format = .text

  @Option(help: ArgumentHelp("Write to this file instead of standard output.", valueName: "file"))
  var out: String?

  func run() throws {
    let document: Plan
    let bytes: Data
    do {
      bytes = try CLIFiles.read(plan)
      document = try PlanFile.decode(bytes, file: plan)
    } catch {
      CLIFiles.standardError("pvemend show: \(error)\n")
      throw ExitCode(ExitStatus.badInput)
    }
    let output: Data
    switch format {
    case .text: output = Data(PlanTextView.render(document).utf8)
    case .markdown: output = Data(PlanMarkdownView.render(document).utf8)
    case .json: output = PlanFile.encode(document)
    case .html: output = Data(PlanHTMLView.render(document, digest: PlanDigest.of(bytes)).utf8)
    }
    guard let out else {
      FileHandle.standardOutput.write(output)
      return
    }
    do {
      try output.write(to: URL(fileURLWithPath: out), options: .atomic)
    } catch {
      CLIFiles.standardError(
        "pvemend show: \(out): cannot write it (\(error.localizedDescription)); check the directory exists and is writable\n"
      )
      throw ExitCode(ExitStatus.badInput)
    }
    CLIFiles.standardError("Wrote \(out) (\(format.rawValue)).\n")
  }
}
