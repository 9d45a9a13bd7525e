import Foundation
import PVEModel

/// The plan as terminal text, rendered from the plan document alone (`pvemend plan`, `pvemend show`).
package enum PlanTextView {
  /// Step groups in the order they are shown, with their headings.
  static let groups: [(StepKind, String)] = [
    (.moveVolume, "Volume moves to shared storage"),
    (.migrate, "Migrations"),
    (.haScheduler, "HA scheduler"),
    (.haGroup, "HA groups"),
    (.haAdd, "HA resources"),
    (.haRule, "HA rules"),
    (.backupJob, "Backup jobs"),
    (.restoreTest, "Restore tests (scratch guests, networks cut)"),
    (.nodeMaintenance, "HA maintenance mode"),
    (.advice, "Advice (for human hands; never executed)"),
  ]

  package static func render(_ plan: Plan) -> String {
    var out: [String] = []
    let placement = plan.haPlacement == "rules" ? "HA rules" : "HA groups"
    out.append(
      "Plan for \(clean(plan.cluster)) · PVE \(plan.pveMajor) (\(placement)) · snapshot \(clean(plan.createdAt))"
    )
    out.append(
      "Playbook \(clean(plan.playbook.name)) (\(clean(plan.playbook.path)), sha256 \(clean(plan.playbook.sha256.prefix(12))))"
    )
    out.append("Snapshot sha256 \(clean(plan.snapshotSHA256.prefix(12))) · \(clean(plan.tool))")
    if let line = evacuationLine(plan) { out.append(clean(line)) }
    if plan.steps.isEmpty {
      out.append("")
      if let e = plan.evacuation {
        out.append(
          e.staying.isEmpty
            ? "No changes: \(clean(e.node)) has no guest to move."
            : "No changes: no guest can leave \(clean(e.node)) (see Unresolved).")
      } else {
        out.append("No changes: nothing in the findings asks for a step.")
      }
    }
    for (kind, heading) in groups {
      let steps = plan.steps.filter { $0.kind == kind }
      guard !steps.isEmpty else { continue }
      out.append("")
      out.append("\(heading) (\(steps.count))")
      for step in steps { out += lines(of: step) }
    }
    if !plan.unresolved.isEmpty {
      out.append("")
      out.append("Unresolved (\(plan.unresolved.count))")
      for u in plan.unresolved {
        let limit = u.limit.map { " [\(clean($0))]" } ?? ""
        out.append("  ? \(clean(u.finding))\(limit)")
        out.append("      \(clean(u.reason))")
      }
    }
    out.append("")
    out.append("Before → after (predicted)")
    out += figureTable(plan)
    out.append(
      "  score \(score(plan.before.score)) → \(score(plan.after.score)) · findings \(plan.before.findings) → \(plan.after.findings) · downtime \(plan.summary.downtimeSeconds == 0 ? "none" : Elapsed.duration(plan.summary.downtimeSeconds))"
    )
    if let line = outageLine(plan) { out.append("  " + clean(line)) }
    if let failover = plan.summary.failover, !failover.isEmpty {
      out.append("")
      out.append("If one node fails (rehearsed after the plan; worst survivor)")
      for f in failover { out.append("  \(f.within ? "✓" : "✗") \(clean(f.text))") }
    }
    out.append("")
    out.append(summaryLine(plan))
    return out.joined(separator: "\n") + "\n"
  }

  /// "Evacuation of pve2: every guest leaves; ends with HA maintenance mode"; nil for other plans.
  package static func evacuationLine(_ plan: Plan) -> String? {
    guard let e = plan.evacuation else { return nil }
    let stay =
      e.staying.isEmpty
      ? "every guest leaves"
      : "\(Format.count(e.staying.count, "guest")) stay\(e.staying.count == 1 ? "s" : ""): \(e.staying.joined(separator: ", "))"
    let mode = e.maintenance ? "; ends with HA maintenance mode" : ""
    return "Evacuation of \(e.node): \(stay)\(mode)"
  }

  /// "outages 2 (~1 min 20 s): ct:110 1, ct:128 1"; nil for plans written before outages were
  /// counted.
  package static func outageLine(_ plan: Plan) -> String? {
    guard let n = plan.summary.outages else { return nil }
    guard n > 0 else { return "outages none" }
    let seconds = plan.summary.outageSeconds ?? 0
    let each = (plan.summary.outagesByGuest ?? [:]).sorted { $0.key < $1.key }
      .map { "\($0.key) \($0.value)" }.joined(separator: ", ")
    return "outages \(n) (~\(Elapsed.duration(seconds))): \(each)"
  }

  /// "Plan: 4 HA enablements, 6 migrations, 1 backup job, 5 advisories; 0 unresolved".
  package static func summaryLine(_ plan: Plan) -> String {
    let s = plan.summary
    var parts = [Format.count(s.haEnablements, "HA enablement")]
    if s.haPlacements > 0 {
      parts.append(
        Format.count(s.haPlacements, plan.haPlacement == "rules" ? "HA rule" : "HA group"))
    }
    if s.volumeMoves > 0 { parts.append(Format.count(s.volumeMoves, "volume move")) }
    parts.append(Format.count(s.migrations, "migration"))
    parts.append(Format.count(s.backupJobs, "backup job"))
    parts.append(Format.count(s.advisories, "advisory", "advisories"))
    return "Plan: \(parts.joined(separator: ", ")); \(s.unresolved) unresolved"
  }

  private static func lines(of step: Step) -> [String] {
    let pad = "         "
    var out = ["  \(step.kind.symbol) \(clean(step.id))  \(clean(step.title))"]
    if !step.reasons.isEmpty {
      out.append("\(pad)why: \(step.reasons.map(clean).joined(separator: ", "))")
    }
    if !step.after.isEmpty {
      out.append("\(pad)after: \(clean(step.after.joined(separator: ", ")))")
    }
    var node: String?
    for c in step.commands {
      let prefix = "on \(clean(c.node)): "
      if node == c.node {
        out.append(pad + String(repeating: " ", count: prefix.count) + clean(c.shellLine))
      } else {
        out.append(pad + prefix + clean(c.shellLine))
        node = c.node
      }
    }
    if let wait = step.wait {
      let what =
        wait.kind == "ha-migrate"
        ? "until HA reports \(clean(wait.sid)) on \(clean(wait.node))"
        : "until HA reports \(clean(wait.sid)) \(clean(wait.state ?? "settled")) on \(clean(wait.node))"
      out.append("\(pad)waits \(what) (at most \(Elapsed.duration(wait.timeoutSeconds)))")
    }
    if step.kind == .migrate || step.kind == .moveVolume || step.downtime.seconds > 0 {
      let seconds = step.downtime.seconds
      let head = seconds == 0 ? "none" : "~\(Elapsed.duration(seconds))"
      let note = step.downtime.note.map { " · \(clean($0))" } ?? ""
      out.append("\(pad)downtime: \(head)\(note)")
    }
    if let after = step.figuresAfter, step.kind == .migrate || step.kind == .moveVolume {
      for f in step.figures {
        guard let a = after.first(where: { $0.node == f.node }) else { continue }
        out.append(pad + figureLine(f, a, migration: step.kind == .migrate))
      }
    }
    if let detail = step.detail {
      for line in detail.split(separator: "\n", omittingEmptySubsequences: false) {
        out.append(pad + clean(String(line)))
      }
    }
    return out
  }

  private static func figureLine(_ b: NodeFigures, _ a: NodeFigures, migration: Bool) -> String {
    let name = clean(b.node).padding(
      toLength: max(10, b.node.count + 1), withPad: " ", startingAt: 0)
    if !migration {
      return "\(name)local free \(Format.bytes(b.localFree)) → \(Format.bytes(a.localFree))"
    }
    return
      "\(name)\(Format.ratio(b.vcpuPerCore)) → \(Format.ratio(a.vcpuPerCore)) vCPU/core · \(gib(b.memory)) → \(gib(a.memory)) of \(gib(b.memoryTotal)) · \(b.guests) → \(a.guests) guests · local free \(Format.bytes(b.localFree)) → \(Format.bytes(a.localFree))"
  }

  private static func figureTable(_ plan: Plan) -> [String] {
    var rows = [["node", "cores", "vCPU/core", "memory claimed", "guests", "HA", "local free"]]
    for b in plan.before.nodes {
      let a = plan.after.nodes.first { $0.node == b.node } ?? b
      rows.append([
        clean(b.node), "\(b.cores)",
        "\(Format.ratio(b.vcpuPerCore)) → \(Format.ratio(a.vcpuPerCore))",
        "\(gib(b.memory)) → \(gib(a.memory)) of \(gib(b.memoryTotal))",
        "\(b.guests) → \(a.guests)", "\(b.haGuests) → \(a.haGuests)",
        "\(Format.bytes(b.localFree)) → \(Format.bytes(a.localFree))",
      ])
    }
    var widths = Array(repeating: 0, count: rows[0].count)
    for r in rows { for (i, c) in r.enumerated() { widths[i] = max(widths[i], c.count) } }
    return rows.map { r in
      "  "
        + r.enumerated().map { i, c in
          i == r.count - 1 ? c : c.padding(toLength: widths[i], withPad: " ", startingAt: 0)
        }.joined(separator: "  ")
    }
  }

  static func gib(_ bytes: Int64) -> String {
    String(format: "%.1f GiB", Double(bytes) / Double(ByteSize.gib))
  }

  static func score(_ value: Double) -> String { String(format: "%.1f", value) }

  /// Hostile text (guest names, paths, anything from the plan file: it may have been edited) made
  /// safe for a terminal by `DisplayText.sanitize`.
  static func clean<S: StringProtocol>(_ text: S) -> String { DisplayText.sanitize(String(text)) }
}
