import Foundation
import PVEModel
import Planning

/// What the user answers before a step at `--step` (Ansible's `(y/n/c)`, plus quit).
package enum StepDecision: Sendable, Hashable {
  /// Run this step.
  case run
  /// Do not run it (its dependents are blocked).
  case skip
  /// Run it and every following step without asking.
  case all
  /// Stop: run nothing more.
  case quit
}

/// Asks the user. The CLI asks on the terminal; tests script the answers.
package protocol Confirmation: Sendable {
  /// Asked once before executing: only true proceeds.
  func confirmRun(cluster: String, steps: Int) async -> Bool
  /// Asked before each step at `--step`.
  func confirmStep(_ step: Step, index: Int, total: Int) async -> StepDecision
}

/// `--yes`: approves everything without asking.
package struct AutoConfirmation: Confirmation {
  package init() {}
  package func confirmRun(cluster: String, steps: Int) async -> Bool { true }
  package func confirmStep(_ step: Step, index: Int, total: Int) async -> StepDecision { .run }
}

/// Asks through a line reader and writer (the terminal in the CLI, scripted lines in tests).
package struct LineConfirmation: Confirmation {
  let readLine: @Sendable () -> String?
  let write: @Sendable (String) -> Void

  package init(
    readLine: @escaping @Sendable () -> String?, write: @escaping @Sendable (String) -> Void
  ) {
    self.readLine = readLine
    self.write = write
  }

  /// "Type 'yes' to apply 3 steps to cluster homelab: ".
  package static func runPrompt(cluster: String, steps: Int) -> String {
    "Type 'yes' to apply \(steps) step\(steps == 1 ? "" : "s") to cluster \(DisplayText.oneLine(cluster)): "
  }

  package static func stepPrompt(_ step: Step, index: Int, total: Int) -> String {
    "Perform step \(DisplayText.oneLine(step.id)) (\(index)/\(total)) \(DisplayText.oneLine(step.title, limit: .max))? [y]es/[n]o/[c]ontinue all/[q]uit: "
  }

  package func confirmRun(cluster: String, steps: Int) async -> Bool {
    write(Self.runPrompt(cluster: cluster, steps: steps))
    return readLine()?.trimmingCharacters(in: .whitespaces) == "yes"
  }

  package func confirmStep(_ step: Step, index: Int, total: Int) async -> StepDecision {
    while true {
      write(Self.stepPrompt(step, index: index, total: total))
      guard let answer = readLine()?.trimmingCharacters(in: .whitespaces).lowercased() else {
        return .quit
      }
      switch answer {
      case "y", "yes": return .run
      case "n", "no": return .skip
      case "c", "continue": return .all
      case "q", "quit": return .quit
      default: continue
      }
    }
  }
}
