import Audit
import PVEModel
import Planning

/// The plan as a change-request document to attach to a ticket: what, why, order, downtime, rollback.
///
/// Names from the cluster are escaped for markdown; commands sit in fenced blocks longer than any
/// backtick run they contain.
package enum MarkdownExport {
  package static func render(_ plan: Plan, digest: String) -> String {
    let e = escape
    var o: [String] = []
    let runnable = plan.steps.filter { $0.kind != .advice && !$0.commands.isEmpty }
    let advice = plan.steps.filter { $0.kind == .advice || $0.commands.isEmpty }
    let downtime = plan.steps.reduce(0) { $0 + $1.downtime.seconds }
    o.append("# Change request: pvemend plan for cluster \(e(plan.cluster))")
    o.append("")
    o.append("| | |")
    o.append("|---|---|")
    o.append(
      "| Cluster | \(e(plan.cluster)) (Proxmox VE \(plan.pveMajor), HA placement: \(e(plan.haPlacement))) |"
    )
    o.append("| Plan | \(code(digest)) (SHA-256 of the plan file) |")
    o.append(
      "| Planned from | snapshot of \(e(plan.createdAt)); playbook \(e(plan.playbook.name)) (\(e(plan.playbook.path))) |"
    )
    o.append("| Tool | \(e(plan.tool)) |")
    o.append(
      "| Changes | \(runnable.count) step\(runnable.count == 1 ? "" : "s") with commands"
        + "\(advice.isEmpty ? "" : ", \(advice.count) advice") |")
    o.append("| Expected downtime | \(PlanExport.downtime(downtime)) |")
    o.append(
      "| Health score | \(score(plan.before.score)) → \(score(plan.after.score)) (findings "
        + "\(plan.before.findings) → \(plan.after.findings), predicted) |")
    o.append("")
    o.append("## What")
    o.append("")
    if plan.steps.isEmpty { o.append("Nothing: the plan has no steps.") }
    for (i, s) in plan.steps.enumerated() {
      o.append(
        "\(i + 1). **\(e(s.id))** \(e(s.title))\(s.kind == .advice ? " (advice, by hand)" : "")")
    }
    o.append("")
    o.append("## Why")
    o.append("")
    let findings = Dictionary(plan.findings.map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
    var seen = Set<String>()
    for s in plan.steps {
      for r in s.reasons where !seen.contains(r) {
        seen.insert(r)
        if let f = findings[r] {
          o.append("- \(code(r)) (\(f.severity.rawValue)): \(e(f.message)) (fixed by \(e(s.id)))")
        } else {
          o.append("- \(code(r)) (fixed by \(e(s.id)))")
        }
      }
    }
    if seen.isEmpty { o.append("No findings are named.") }
    o.append("")
    o.append("## Order")
    o.append("")
    o.append(
      "Steps run in this order. A step starts only after the steps in *After* succeeded; the")
    o.append(
      "run stops at the first failure. `pvemend apply` re-checks each step's preconditions first.")
    o.append("")
    o.append("| Step | Kind | After | Runs on | Downtime |")
    o.append("|---|---|---|---|---|")
    for s in plan.steps {
      let nodes = Set(s.commands.map(\.node)).sorted().joined(separator: ", ")
      o.append(
        "| \(e(s.id)) | \(s.kind.rawValue) | \(s.after.isEmpty ? "-" : e(s.after.joined(separator: ", "))) "
          + "| \(nodes.isEmpty ? "-" : e(nodes)) | \(PlanExport.downtime(s.downtime.seconds)) |")
    }
    o.append("")
    o.append("## Steps")
    for s in plan.steps {
      o.append("")
      o.append("### \(e(s.id)): \(e(s.title))")
      o.append("")
      o.append("- Kind: \(s.kind.rawValue)")
      if !s.reasons.isEmpty { o.append("- Fixes: \(s.reasons.map(code).joined(separator: ", "))") }
      o.append("- Expects before: \(e(PlanExport.conditions(s.preconditions)))")
      o.append("- Leaves after: \(e(PlanExport.conditions(s.effects)))")
      if s.downtime.seconds > 0 || s.downtime.note != nil {
        o.append(
          "- Downtime: \(PlanExport.downtime(s.downtime.seconds))"
            + (s.downtime.note.map { " (\(e($0)))" } ?? ""))
      }
      if let w = s.wait, w.kind == Wait.agentPing, let vmid = PlanExport.agentVMID(w) {
        o.append(
          "- Waits until the guest agent answers `qm agent \(vmid) ping` on \(e(w.node)) (up to "
            + "\(w.timeoutSeconds) s)")
        o.append("")
        o.append(
          contentsOf: codeBlock([
            RemoteCommand(node: w.node, argv: ["qm", "agent", "\(vmid)", "ping"], mutating: false)
          ]))
      } else if let w = s.wait {
        o.append(
          "- Waits until \(e(w.sid)) is settled on \(e(w.node)) (HA acts asynchronously; up to "
            + "\(w.timeoutSeconds) s)")
      }
      if let d = s.detail { o.append("- Detail: \(e(d))") }
      if !s.commands.isEmpty {
        o.append("")
        o.append(contentsOf: codeBlock(s.commands))
      }
    }
    o.append("")
    o.append("## Downtime")
    o.append("")
    let down = plan.steps.filter { $0.downtime.seconds > 0 }
    if down.isEmpty {
      o.append("No step is expected to interrupt a guest.")
    } else {
      for s in down {
        o.append(
          "- \(e(s.id)) \(e(s.title)): \(PlanExport.downtime(s.downtime.seconds))"
            + (s.downtime.note.map { " (\(e($0)))" } ?? ""))
      }
      o.append("")
      o.append("Total: \(PlanExport.downtime(downtime)).")
    }
    o.append("")
    o.append("## Rollback")
    o.append("")
    o.append(
      "`pvemend undo <plan>.journal.jsonl` builds the undo plan from what actually ran (a dry")
    o.append("run unless `--execute`). By hand, undo the executed steps in reverse order:")
    for s in plan.steps.reversed() where s.kind != .advice && !s.commands.isEmpty {
      o.append("")
      o.append(
        "- \(e(s.id)) \(e(s.title)):"
          + (s.inverse.isEmpty ? " no Proxmox inverse; undo by hand." : ""))
      if !s.inverse.isEmpty {
        o.append("")
        o.append(contentsOf: codeBlock(s.inverse).map { "  " + $0 })
      }
    }
    if !plan.unresolved.isEmpty {
      o.append("")
      o.append("## Not addressed")
      o.append("")
      for u in plan.unresolved { o.append("- \(code(u.finding)): \(e(u.reason))") }
    }
    return o.joined(separator: "\n") + "\n"
  }

  /// Commands grouped under `# on <node>` lines in a fenced block.
  static func codeBlock(_ commands: [RemoteCommand]) -> [String] {
    var body: [String] = []
    var last: String?
    for c in commands {
      if c.node != last { body.append("# on \(DisplayText.oneLine(c.node, limit: .max))") }
      last = c.node
      body.append(DisplayText.oneLine(c.shellLine, limit: .max))
    }
    let longest = body.map(longestBacktickRun).max() ?? 0
    let fence = String(repeating: "`", count: max(3, longest + 1))
    return [fence + "sh"] + body + [fence]
  }

  /// An inline code span on one line, fenced past any backticks it holds.
  static func code(_ text: String) -> String {
    let t = DisplayText.oneLine(text, limit: .max)
    guard t.contains("`") else { return "`\(t)`" }
    let fence = String(repeating: "`", count: longestBacktickRun(t) + 1)
    return "\(fence) \(t) \(fence)"
  }

  static func longestBacktickRun(_ text: String) -> Int {
    var longest = 0
    var run = 0
    for ch in text {
      run = ch == "`" ? run + 1 : 0
      longest = max(longest, run)
    }
    return longest
  }

  /// Markdown-inert text on one line.
  static func escape(_ text: String) -> String {
    DisplayText.escapeMarkdown(DisplayText.oneLine(text, limit: .max))
  }

  static func score(_ value: Double) -> String {
    let tenths = Int((value * 10).rounded())
    return "\(tenths / 10).\(abs(tenths % 10))"
  }
}
