import Foundation

// Benchmarks, run as `swift run -c release pvemend-bench <name> [options]`.
// Each benchmark lives in its own file (Bench+<Name>.swift).
let args = Array(CommandLine.arguments.dropFirst())
let name = args.first ?? "help"
let rest = Array(args.dropFirst())
switch name {
case "audit": try await benchAudit(rest)
case "plan": try await benchPlan(rest)
case "transport": try await benchTransport(rest)
case "collect": try await benchCollect(rest)
case "apply": try await benchApply(rest)
case "rehearse": try await benchRehearse(rest)
case "runbook": try await benchRunbook(rest)
case "evacuate": try await benchEvacuate(rest)
case "evacuate-packing": try benchEvacuatePacking(rest)
default:
  print(
    "usage: pvemend-bench audit|plan|transport|collect|apply|rehearse|runbook|evacuate|evacuate-packing [options]"
  )
}
