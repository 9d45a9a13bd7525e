import Foundation
import SandboxCore

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

// The Proxmox stand-ins: one executable linked as pvesh, qm, pct, ha-manager and pveversion.
//
// Nothing here depends on the SSH session that started it: a closed stdout or stderr (the session
// died) makes writes fail with EPIPE, which is ignored, so a slow command still completes and
// writes the state.
signal(SIGPIPE, SIG_IGN)

/// Writes all bytes to a descriptor, giving up silently when it is closed.
func put(_ text: String, _ fd: Int32) {
  var bytes = Array(text.utf8)[...]
  while !bytes.isEmpty {
    let n = bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
    if n < 0 && errno == EINTR { continue }
    if n <= 0 { return }
    bytes = bytes.dropFirst(n)
  }
}

let environment = ProcessInfo.processInfo.environment
let arguments = CommandLine.arguments
let outcome: Outcome
if arguments.count == 3, arguments[1] == "--list-nodes" {
  outcome = StandIn.nodeList(statePath: arguments[2])
} else if arguments.count == 4, arguments[1] == "--write-pmxcfs" {
  outcome = StandIn.writePmxcfs(statePath: arguments[2], directory: arguments[3])
} else {
  do {
    let invocation = try Invocation.fromEnvironment(
      argv: arguments, environment: environment, now: Date().timeIntervalSince1970)
    let live = Live(
      now: { Date().timeIntervalSince1970 }, sleep: { Thread.sleep(forTimeInterval: $0) },
      emit: { put($0, 1) })
    outcome = StandIn.run(invocation, live: live)
  } catch {
    outcome = Outcome(stderr: error.message, exitCode: error.exitCode)
  }
}
put(outcome.stdout, 1)
put(outcome.stderr, 2)
exit(outcome.exitCode)
