import Foundation
import PVEModel

/// The plan as Markdown (for change requests and reviews), rendered from the plan document alone.
package enum PlanMarkdownView {
  package static func render(_ plan: Plan) -> String {
    var out: [String] = []
    let placement = plan.haPlacement == "rules" ? "HA rules" : "HA groups"
    out.append("# Plan for \(esc(plan.cluster))")
    out.append("")
    out.append("| | |")
    out.append("|---|---|")
    out.append(
      "| Snapshot | \(esc(plan.createdAt)), sha256 `\(code(String(plan.snapshotSHA256.prefix(16))))` |"
    )
    out.append(
      "| Playbook | \(esc(plan.playbook.name)) (`\(code(plan.playbook.path))`), sha256 `\(code(String(plan.playbook.sha256.prefix(16))))` |"
    )
    out.append("| Proxmox VE | \(plan.pveMajor), placement by \(placement) |")
    if let line = PlanTextView.evacuationLine(plan) { out.append("| Evacuation | \(esc(line)) |") }
    out.append(
      "| Score | \(PlanTextView.score(plan.before.score)) → \(PlanTextView.score(plan.after.score)) (predicted) |"
    )
    out.append("| Findings | \(plan.before.findings) → \(plan.after.findings) (predicted) |")
    out.append(
      "| Downtime | \(plan.summary.downtimeSeconds == 0 ? "none" : Elapsed.duration(plan.summary.downtimeSeconds)) in total |"
    )
    if let line = PlanTextView.outageLine(plan) { out.append("| Outages | \(esc(line)) |") }
    for f in plan.summary.failover ?? [] {
      out.append("| If \(esc(f.failed)) fails | \(esc(f.text)) |")
    }
    out.append("| Tool | \(esc(plan.tool)) |")
    out.append("")
    out.append("**\(PlanTextView.summaryLine(plan))**")

    for (kind, heading) in PlanTextView.groups {
      let steps = plan.steps.filter { $0.kind == kind }
      guard !steps.isEmpty else { continue }
      out.append("")
      out.append("## \(heading)")
      for step in steps { out += section(step) }
    }

    if !plan.unresolved.isEmpty {
      out.append("")
      out.append("## Unresolved")
      out.append("")
      out.append("| Finding | Limit | Why |")
      out.append("|---|---|---|")
      for u in plan.unresolved {
        out.append("| `\(code(u.finding))` | \(esc(u.limit ?? "–")) | \(esc(u.reason)) |")
      }
    }

    out.append("")
    out.append("## Before and after (predicted)")
    out.append("")
    out.append("| Node | Cores | vCPU/core | Memory claimed | Guests | HA guests | Local free |")
    out.append("|---|---:|---|---|---|---|---|")
    for b in plan.before.nodes {
      let a = plan.after.nodes.first { $0.node == b.node } ?? b
      out.append(
        "| \(esc(b.node)) | \(b.cores) | \(Format.ratio(b.vcpuPerCore)) → \(Format.ratio(a.vcpuPerCore)) | \(PlanTextView.gib(b.memory)) → \(PlanTextView.gib(a.memory)) of \(PlanTextView.gib(b.memoryTotal)) | \(b.guests) → \(a.guests) | \(b.haGuests) → \(a.haGuests) | \(Format.bytes(b.localFree)) → \(Format.bytes(a.localFree)) |"
      )
    }
    return out.joined(separator: "\n") + "\n"
  }

  private static func section(_ step: Step) -> [String] {
    var out = ["", "### \(esc(step.id)) \(step.kind.symbol) \(esc(step.title))", ""]
    if !step.reasons.isEmpty {
      out.append("- **Why:** \(step.reasons.map { "`\(code($0))`" }.joined(separator: ", "))")
    }
    if !step.after.isEmpty { out.append("- **After:** \(esc(step.after.joined(separator: ", ")))") }
    if step.kind == .migrate || step.kind == .moveVolume || step.downtime.seconds > 0 {
      let seconds = step.downtime.seconds
      let note = step.downtime.note.map { " · \(esc($0))" } ?? ""
      out.append(
        "- **Downtime:** \(seconds == 0 ? "none" : "~" + Elapsed.duration(seconds))\(note)")
    }
    if let wait = step.wait {
      out.append(
        "- **Waits:** until HA reports `\(code(wait.sid))` \(esc(wait.kind == "ha-migrate" ? "settled" : wait.state ?? "settled")) on \(esc(wait.node)), at most \(Elapsed.duration(wait.timeoutSeconds))"
      )
    }
    if let after = step.figuresAfter, step.kind == .migrate {
      for f in step.figures {
        guard let a = after.first(where: { $0.node == f.node }) else { continue }
        out.append(
          "- **\(esc(f.node)):** \(Format.ratio(f.vcpuPerCore)) → \(Format.ratio(a.vcpuPerCore)) vCPU/core, \(PlanTextView.gib(f.memory)) → \(PlanTextView.gib(a.memory)) of \(PlanTextView.gib(f.memoryTotal)), \(f.guests) → \(a.guests) guests"
        )
      }
    }
    if let detail = step.detail {
      out.append("")
      for line in detail.split(separator: "\n") { out.append(esc(String(line)) + "  ") }
    }
    if !step.commands.isEmpty {
      var block: [String] = []
      var node: String?
      for c in step.commands {
        if node != c.node {
          block.append("# on \(PlanTextView.clean(c.node))")
          node = c.node
        }
        block.append(PlanTextView.clean(c.shellLine))
      }
      // The fence is longer than any backtick run inside, so a quoted word cannot close it.
      let longest = block.map(Self.longestBacktickRun).max() ?? 0
      let fence = String(repeating: "`", count: max(3, longest + 1))
      out.append("")
      out.append(fence + "sh")
      out += block
      out.append(fence)
    }
    return out
  }

  /// Markdown-inert text: control, bidi and zero-width characters out, markup characters escaped.
  static func esc(_ text: String) -> String { DisplayText.escapeMarkdown(text) }

  static func longestBacktickRun(_ text: String) -> Int {
    var longest = 0
    var run = 0
    for ch in text {
      run = ch == "`" ? run + 1 : 0
      longest = max(longest, run)
    }
    return longest
  }

  /// Text inside a code span: backticks cannot be escaped there, so they become quotes.
  static func code(_ text: String) -> String {
    PlanTextView.clean(text).replacingOccurrences(of: "`", with: "'")
  }
}
