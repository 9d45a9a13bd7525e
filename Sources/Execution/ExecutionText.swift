import PVEModel
import Planning

/// The executor's words for humans: the dry-run listing, the confirmation summary, the final table.
/// Pure and deterministic; the CLI prints it.
package enum ExecutionText {
  /// The check as a listing: per node, the exact commands that would run; then the satisfied, done,
  /// advice and stale steps.
  package static func check(_ check: PlanCheck, mode: ExecutionMode) -> String {
    var out: [String] = []
    let toRun = check.toRun
    var byNode: [String: [(String, RemoteCommand)]] = [:]
    for step in toRun {
      if check.status(of: step.id) == .verifyOnly { continue }
      for c in step.commands { byNode[c.node, default: []].append((step.id, c)) }
    }
    let verb = mode == .dryRun ? "would run" : "will run"
    out.append(
      "Cluster \(check.cluster): \(toRun.count) step\(toRun.count == 1 ? "" : "s") to run, "
        + "\(count(check, .satisfied)) already satisfied, \(count(check, .done)) done earlier, "
        + "\(count(check, .advice)) advice, \(check.staleMessages.isEmpty ? 0 : staleSteps(check)) stale."
    )
    for node in byNode.keys.sorted() {
      out.append("")
      out.append("On \(node) \(verb):")
      for (id, c) in byNode[node] ?? [] {
        out.append("  \(id)  \(c.shellLine)\(c.mutating ? "" : "   (read-only)")")
      }
    }
    let verify = check.entries.filter { $0.status == .verifyOnly }
    if !verify.isEmpty {
      out.append("")
      out.append("Verified again without re-running (their commands ran in an earlier run):")
      for e in verify { out.append("  \(e.step.id)  \(e.step.title)") }
    }
    for (status, heading) in [
      (PlanCheck.Status.satisfied, "Already satisfied (skipped):"),
      (.done, "Done in an earlier run (effects verified):"),
      (.advice, "Advice (not executed):"),
    ] {
      let list = check.entries.filter { $0.status == status }
      guard !list.isEmpty else { continue }
      out.append("")
      out.append(heading)
      for e in list { out.append("  \(e.step.id)  \(e.step.title)") }
    }
    if check.isStale {
      out.append("")
      out.append("Stale (the cluster changed since the plan was made):")
      for m in check.staleMessages { out.append("  \(m)") }
    }
    return out.joined(separator: "\n") + "\n"
  }

  static func count(_ check: PlanCheck, _ status: PlanCheck.Status) -> Int {
    check.entries.filter { $0.status == status }.count
  }

  static func staleSteps(_ check: PlanCheck) -> Int {
    check.entries.filter {
      if case .stale = $0.status { return true }
      return false
    }.count
  }

  /// The summary table after a run: step, outcome, time, nodes, title, detail.
  package static func table(_ report: ExecutionReport) -> String {
    let header = ["STEP", "OUTCOME", "TIME", "NODES", "TITLE"]
    var rows: [[String]] = [header]
    for s in report.steps {
      rows.append(
        [
          s.id, s.outcome.rawValue, s.duration > 0 ? duration(s.duration) : "-",
          s.nodes.isEmpty ? "-" : s.nodes.joined(separator: ","), s.title,
        ].map { DisplayText.oneLine($0, limit: .max) })
    }
    var widths = [Int](repeating: 0, count: header.count)
    for r in rows { for (i, c) in r.enumerated() { widths[i] = max(widths[i], c.count) } }
    var out: [String] = []
    for r in rows {
      let cells = r.enumerated().map { i, c in
        i == r.count - 1 ? c : c + String(repeating: " ", count: widths[i] - c.count)
      }
      out.append(cells.joined(separator: "  "))
    }
    for s in report.steps {
      if let d = s.detail, !d.isEmpty {
        out.append(DisplayText.oneLine("\(s.id): \(d)", limit: .max))
      }
    }
    let counts = report.counts
    let parts = StepOutcome.allCases.compactMap { o in counts[o].map { "\($0) \(o.rawValue)" } }
    let unsettled = report.steps.filter { $0.outcome == .unknown || $0.outcome == .interrupted }
    if !unsettled.isEmpty {
      out.append(
        "Unsettled: \(unsettled.map(\.id).joined(separator: ", ")) (a command may still run, "
          + "detached, on its node); run again with --resume JOURNAL to settle "
          + (unsettled.count == 1 ? "it" : "them") + " from the nodes' status files without "
          + "running anything twice.")
    }
    out.append("")
    out.append(
      "\(report.mode == .dryRun ? "Dry run" : "Run") on cluster \(report.cluster): "
        + parts.joined(separator: ", ") + "; exit \(report.status.rawValue).")
    return out.joined(separator: "\n") + "\n"
  }

  /// `1.2s`, `12s`, `3m04s`.
  package static func duration(_ seconds: Double) -> String {
    if seconds < 10 {
      let tenths = Int((seconds * 10).rounded())
      return "\(tenths / 10).\(tenths % 10)s"
    }
    let s = Int(seconds.rounded())
    if s < 60 { return "\(s)s" }
    let m = s / 60
    let r = s % 60
    return "\(m)m\(r < 10 ? "0" : "")\(r)s"
  }
}
