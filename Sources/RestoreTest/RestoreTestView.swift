import PVEModel
import Planning

/// The restore-test plan as text: header, each step with its commands, waits and conditions, the
/// guests that cannot be tested, and a closing line. Pure; same plan, same text.
package enum RestoreTestView {
  package static func render(_ plan: Plan, tests: [RestoreTestPlanner.Test]) -> String {
    var out = [
      "Restore tests for \(plan.cluster) · PVE \(plan.pveMajor) · snapshot \(plan.createdAt)",
      "Playbook \(plan.playbook.name) (\(plan.playbook.path)) · pvemend plan document \(Plan.formatVersion)",
      "",
    ]
    for step in plan.steps {
      out.append("  \(step.kind.symbol) \(step.id)  \(step.title)")
      if !step.after.isEmpty { out.append("         after: \(step.after.joined(separator: ", "))") }
      for c in step.commands { out.append("         on \(c.node): \(c.shellLine)") }
      if let wait = step.wait {
        out.append(
          "         wait: \(wait.kind) \(wait.sid) on \(wait.node), at most \(wait.timeoutSeconds) s"
        )
      }
      if !step.preconditions.isEmpty {
        out.append(
          "         requires: \(step.preconditions.map(\.expectation).joined(separator: "; "))")
      }
      if let detail = step.detail { out.append("         \(detail)") }
    }
    if !plan.unresolved.isEmpty {
      out += ["", "Not tested (\(plan.unresolved.count))"]
      for u in plan.unresolved {
        out.append("  ? \(u.finding)\(u.limit.map { " [\($0)]" } ?? "")")
        out.append("      \(u.reason)")
      }
    }
    out += ["", "Restore tests (\(tests.count)):"]
    for t in tests {
      out.append(
        "  \(t.guest): \(t.archive) → scratch \(t.scratchVMID) on \(t.node) (\(t.storage))"
          + (t.agent ? ", guest agent checked" : ""))
    }
    out.append("")
    out.append(
      "Plan: \(tests.count) restore test(s), \(plan.steps.count) steps; \(plan.unresolved.count) guest(s) not tested"
    )
    return out.joined(separator: "\n") + "\n"
  }
}
