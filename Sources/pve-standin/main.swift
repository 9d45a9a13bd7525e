import Foundation
import SandboxCore

// The Proxmox stand-ins: one executable linked as pvesh, qm, pct, ha-manager and pveversion.
let environment = ProcessInfo.processInfo.environment
let outcome: Outcome
if CommandLine.arguments.count == 3, CommandLine.arguments[1] == "--list-nodes" {
  outcome = StandIn.nodeList(statePath: CommandLine.arguments[2])
} else {
  do {
    let invocation = try Invocation.fromEnvironment(
      argv: CommandLine.arguments, environment: environment,
      now: Date().timeIntervalSince1970)
    outcome = StandIn.run(invocation)
  } catch {
    outcome = Outcome(stderr: error.message, exitCode: error.exitCode)
  }
}
FileHandle.standardOutput.write(Data(outcome.stdout.utf8))
FileHandle.standardError.write(Data(outcome.stderr.utf8))
exit(outcome.exitCode)
