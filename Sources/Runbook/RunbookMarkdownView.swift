import PVEModel

/// The runbook as markdown: one section per failure, the by-hand list in restore order with its
/// commands in fenced blocks. Names go through `DisplayText.escapeMarkdown`; commands are quoted
/// by `ShellQuoting` and sanitized. Deterministic bytes.
package enum RunbookMarkdownView {
  package static func render(_ book: Runbook) -> String {
    var o: [String] = []
    o.append("# Disaster-recovery runbook: \(m(book.cluster))")
    o.append("")
    o.append(
      "- Snapshot \(m(book.collectedAt)); PVE \(m(book.pveVersion ?? "unknown")); playbook \(m(book.playbook))"
    )
    o.append("- Backups: \(backupLine(book))")
    o.append(
      "- Restore times: \(book.restoreTests == 0 ? "no restore test given" : "from \(book.restoreTests) restore test(s)")"
    )
    o.append("- Order when restoring by hand: \(Runbook.orderRule)")
    for n in book.notes { o.append("- Note: \(m(n))") }
    o.append("")
    o.append("## Failures")
    o.append("")
    o.append("| failure | stops | HA recovers | by hand | cannot be brought back |")
    o.append("|---|---|---|---|---|")
    for s in book.scenarios {
      o.append(
        "| \(m(Runbook.heading(s))) | \(s.stops.count) | \(s.haRecovers.count) | \(s.byHand.count - s.unrecoverable.count) | \(s.unrecoverable.count) |"
      )
    }
    o.append("")
    for (i, s) in book.scenarios.enumerated() {
      o += scenario(s, number: i + 1)
    }
    return o.joined(separator: "\n") + "\n"
  }

  static func backupLine(_ book: Runbook) -> String {
    if book.archiveCount == 0 {
      return book.backupsKnown
        ? "**none: the snapshot lists no backup archive at all**"
        : "unknown (the snapshot does not list every backup storage)"
    }
    return
      "\(book.archiveCount) archive(s) on \(book.backupStorages.map { "`\(code($0))`" }.joined(separator: ", "))"
      + (book.backupsKnown ? "" : " (some backup storages could not be listed)")
  }

  static func scenario(_ s: Runbook.Scenario, number: Int) -> [String] {
    var o: [String] = []
    o.append("## \(number). \(m(Runbook.heading(s)))")
    o.append("")
    if let v = s.verdict { o.append("Rehearsal verdict: \(v)."); o.append("") }
    if !s.lost.isEmpty {
      o.append("Lost with it: \(s.lost.map(m).joined(separator: ", "))."); o.append("")
    }
    for n in s.notes { o.append("- \(m(n))") }
    if !s.notes.isEmpty { o.append("") }
    o.append("### What stops")
    o.append("")
    if s.stops.isEmpty {
      o.append("No running guest.")
    } else {
      o.append("| guest | name | node | purpose | then |")
      o.append("|---|---|---|---|---|")
      for g in s.stops {
        o.append(
          "| \(g.sid) | \(m(g.name)) | \(m(g.node)) | \(m(g.purpose ?? "")) | \(m(g.fate)) |")
      }
    }
    o.append("")
    if s.kind == .node {
      o.append("### What HA recovers by itself")
      o.append("")
      if s.haRecovers.isEmpty {
        o.append("Nothing.")
      } else {
        for r in s.haRecovers {
          o.append(
            "- \(r.sid) \(m(r.name)) → \(m(r.to))\(r.started ? "" : " (HA state stopped: moved, not started)")"
          )
        }
      }
      if !s.haFails.isEmpty {
        o.append("")
        o.append("HA does not bring back:")
        o.append("")
        for f in s.haFails {
          o.append("- \(f.sid) \(m(f.name)) (\(f.reason)): \(m(f.message))")
        }
      }
      o.append("")
    }
    o.append("### By hand, in this order")
    o.append("")
    if s.byHand.isEmpty {
      o.append("Nothing to do by hand.")
      o.append("")
    }
    for r in s.byHand {
      let label = Runbook.label(r)
      o.append("#### \(r.order). \(r.sid) \(m(r.name))\(label.isEmpty ? "" : " — \(m(label))")")
      o.append("")
      if r.method == .none {
        o.append("**✗ \(m(r.problem ?? "cannot be brought back"))**")
      } else {
        o.append("- How: \(m(Runbook.how(r)))")
      }
      if let a = r.archive {
        o.append("- Backup: `\(code(a.volid))` (\(m(Runbook.archiveLine(a))))")
      }
      if r.lostArchives > 0 && r.archive != nil {
        o.append("- Lost with the failure: \(r.lostArchives) backup(s)")
      }
      if r.method == .restoreBackup || r.measured != nil {
        o.append("- Measured restore + boot: \(m(Runbook.measuredLine(r.measured)))")
      }
      for w in r.warnings { o.append("- Warning: \(m(w))") }
      for n in r.notes { o.append("- Note: \(m(n))") }
      if !r.commands.isEmpty {
        o.append("")
        o.append("```sh")
        var node = ""
        for c in r.commands {
          if c.node != node {
            o.append("# on \(DisplayText.sanitize(c.node))")
            node = c.node
          }
          o.append(Runbook.shell(c))
        }
        o.append("```")
      }
      o.append("")
    }
    return o
  }

  static func m(_ s: String) -> String { DisplayText.escapeMarkdown(DisplayText.oneLine(s)) }
  /// Inside a code span: one line, no backtick.
  static func code(_ s: String) -> String {
    DisplayText.oneLine(s).replacingOccurrences(of: "`", with: "'")
  }
}
