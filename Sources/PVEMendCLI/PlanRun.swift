import Execution
import Foundation
import Planning

/// Runs a plan the way `apply` and `undo` do: services from the `Environment`, signals, progress,
/// journal, the summary table; returns the exit code.
enum PlanRun {
  static func execute(
    _ plan: Plan, digest: String, planPath: String, journalPath: String, options: RunOptionsGroup,
    resume: ResumeState?, environment: Environment = .live()
  ) async -> Int32 {
    let services: RunServices
    do {
      services = try environment.runServices(
        for: plan, journalPath: journalPath, options: options)
    } catch {
      printError("pvemend: \(error)")
      return error.exitCode
    }
    let interruption = Interruption()
    let signals = SignalWatch.install(interruption)
    defer { signals.cancel() }
    let view = ProgressView(
      terminal: environment.outputIsTerminal, mode: options.executionOptions.mode)
    let executor = Executor(
      transport: services.transport, readFacts: services.readFacts, clock: environment.clock,
      journal: services.journal, observer: view, confirmation: services.confirmation,
      interruption: interruption, lock: services.lock)
    let report = await executor.apply(
      plan, planDigest: digest, planPath: planPath, options: options.executionOptions,
      resume: resume)
    await services.shutdown()
    view.finish(report, journal: journalPath)
    return ExitStatus.code(report.status)
  }
}
