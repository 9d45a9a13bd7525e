import PVEModel

/// The runbook as one self-contained HTML page, in the style of the plan's review page
/// (`PlanHTMLView`): inline CSS only, no script, no font, no image, no link that fetches anything
/// (`Content-Security-Policy: default-src 'none'`), printable and dark-mode aware. Every text from
/// the cluster goes through `DisplayText.escapeHTML`. Deterministic bytes.
package enum RunbookHTMLView {
  package static func render(_ book: Runbook) -> String {
    var o = HTMLPage.opening(title: "pvemend runbook · \(book.cluster)", style: style)
    o.append("<header>")
    o.append("<p class=\"eyebrow\">pvemend · disaster-recovery runbook</p>")
    o.append("<h1>Runbook for <span class=\"name\">\(h(book.cluster))</span></h1>")
    o.append("<dl class=\"meta\">")
    o.append(
      "<div><dt>Snapshot</dt><dd>\(h(book.collectedAt)) · Proxmox VE \(h(book.pveVersion ?? "unknown"))</dd></div>"
    )
    o.append("<div><dt>Playbook</dt><dd>\(h(book.playbook))</dd></div>")
    o.append("<div><dt>Backups</dt><dd>\(backupLine(book))</dd></div>")
    o.append(
      "<div><dt>Restore times</dt><dd>\(book.restoreTests == 0 ? "no restore test given" : "from \(book.restoreTests) restore test(s)")</dd></div>"
    )
    o.append("<div><dt>Order by hand</dt><dd>\(h(Runbook.orderRule))</dd></div>")
    o.append("</dl>")
    if !book.notes.isEmpty {
      o.append("<ul class=\"notes\">")
      for n in book.notes { o.append("<li>\(h(n))</li>") }
      o.append("</ul>")
    }
    o.append("</header>")
    o.append("<section id=\"failures\" aria-labelledby=\"failures-h\">")
    o.append("<h2 id=\"failures-h\">Failures</h2>")
    o.append("<table>")
    o.append(
      "<thead><tr><th>failure</th><th>stops</th><th>HA recovers</th><th>by hand</th><th>cannot be brought back</th></tr></thead>"
    )
    o.append("<tbody>")
    for s in book.scenarios {
      let bad = s.unrecoverable.count
      o.append(
        "<tr><td><a href=\"#\(anchor(s.id))\">\(h(Runbook.heading(s)))</a></td><td class=\"num\">\(s.stops.count)</td><td class=\"num\">\(s.haRecovers.count)</td><td class=\"num\">\(s.byHand.count - bad)</td><td class=\"num\(bad > 0 ? " bad" : "")\">\(bad)</td></tr>"
      )
    }
    o.append("</tbody>")
    o.append("</table>")
    o.append("</section>")
    for (i, s) in book.scenarios.enumerated() { o += scenario(s, number: i + 1) }
    o.append("</main>")
    o.append("</body>")
    o.append("</html>")
    return o.joined(separator: "\n") + "\n"
  }

  static func backupLine(_ book: Runbook) -> String {
    if book.archiveCount == 0 {
      return book.backupsKnown
        ? "<strong class=\"bad\">none: the snapshot lists no backup archive at all</strong>"
        : "unknown (the snapshot does not list every backup storage)"
    }
    return
      "\(book.archiveCount) archive(s) on \(book.backupStorages.map { "<code>\(h($0))</code>" }.joined(separator: ", "))"
      + (book.backupsKnown ? "" : " (some backup storages could not be listed)")
  }

  static func scenario(_ s: Runbook.Scenario, number: Int) -> [String] {
    let id = anchor(s.id)
    var o = ["<section id=\"\(id)\" class=\"scenario\" aria-labelledby=\"\(id)-h\">"]
    o.append("<h2 id=\"\(id)-h\">\(number). \(h(Runbook.heading(s)))</h2>")
    var facts: [String] = []
    if let v = s.verdict { facts.append("<div><dt>Rehearsal</dt><dd>\(h(v))</dd></div>") }
    if !s.lost.isEmpty {
      facts.append("<div><dt>Lost with it</dt><dd>\(h(s.lost.joined(separator: ", ")))</dd></div>")
    }
    if !facts.isEmpty { o.append("<dl class=\"facts\">"); o += facts; o.append("</dl>") }
    if !s.notes.isEmpty {
      o.append("<ul class=\"notes\">")
      for n in s.notes { o.append("<li>\(h(n))</li>") }
      o.append("</ul>")
    }
    o.append("<h3>What stops</h3>")
    if s.stops.isEmpty {
      o.append("<p>No running guest.</p>")
    } else {
      o.append("<table>")
      o.append(
        "<thead><tr><th>guest</th><th>name</th><th>node</th><th>purpose</th><th>then</th></tr></thead>"
      )
      o.append("<tbody>")
      for g in s.stops {
        o.append(
          "<tr><td><code>\(h(g.sid))</code></td><td>\(h(g.name))</td><td>\(h(g.node))</td><td>\(h(g.purpose ?? ""))</td><td>\(h(g.fate))</td></tr>"
        )
      }
      o.append("</tbody>")
      o.append("</table>")
    }
    if s.kind == .node {
      o.append("<h3>What HA recovers by itself</h3>")
      if s.haRecovers.isEmpty {
        o.append("<p>Nothing.</p>")
      } else {
        o.append("<ul>")
        for r in s.haRecovers {
          o.append(
            "<li><code>\(h(r.sid))</code> \(h(r.name)) → \(h(r.to))\(r.started ? "" : " (HA state stopped: moved, not started)")</li>"
          )
        }
        o.append("</ul>")
      }
      if !s.haFails.isEmpty {
        o.append("<p>HA does not bring back:</p>")
        o.append("<ul>")
        for f in s.haFails {
          o.append(
            "<li><code>\(h(f.sid))</code> \(h(f.name)) (\(h(f.reason))): \(h(f.message))</li>")
        }
        o.append("</ul>")
      }
    }
    o.append("<h3>By hand, in this order</h3>")
    if s.byHand.isEmpty { o.append("<p>Nothing to do by hand.</p>") }
    o.append("<ol class=\"restores\">")
    for r in s.byHand {
      let bad = r.method == .none
      o.append("<li class=\"restore\(bad ? " bad" : "")\">")
      let label = Runbook.label(r)
      o.append(
        "<div class=\"restore-head\"><span class=\"order\">\(r.order)</span> <code>\(h(r.sid))</code> <span class=\"title\">\(h(r.name))</span>\(label.isEmpty ? "" : " <span class=\"badge\">\(h(label))</span>")</div>"
      )
      if bad {
        o.append("<p class=\"problem\">✗ \(h(r.problem ?? "cannot be brought back"))</p>")
      }
      o.append("<dl class=\"facts\">")
      if !bad { o.append("<div><dt>How</dt><dd>\(h(Runbook.how(r)))</dd></div>") }
      if let a = r.archive {
        o.append(
          "<div><dt>Backup</dt><dd><code>\(h(a.volid))</code> (\(h(Runbook.archiveLine(a))))</dd></div>"
        )
      }
      if r.lostArchives > 0 && r.archive != nil {
        o.append("<div><dt>Lost</dt><dd>\(r.lostArchives) backup(s) with the failure</dd></div>")
      }
      if r.method == .restoreBackup || r.measured != nil {
        o.append("<div><dt>Measured</dt><dd>\(h(Runbook.measuredLine(r.measured)))</dd></div>")
      }
      for w in r.warnings { o.append("<div><dt>Warning</dt><dd class=\"warn\">\(h(w))</dd></div>") }
      for n in r.notes { o.append("<div><dt>Note</dt><dd>\(h(n))</dd></div>") }
      o.append("</dl>")
      if !r.commands.isEmpty {
        var lines: [String] = []
        var node = ""
        for c in r.commands {
          if c.node != node {
            lines.append("<span class=\"on\"># on \(h(c.node))</span>")
            node = c.node
          }
          lines.append(h(Runbook.shell(c)))
        }
        o.append("<div class=\"cmd\"><pre>\(lines.joined(separator: "\n"))</pre></div>")
      }
      o.append("</li>")
    }
    o.append("</ol>")
    o.append("</section>")
    return o
  }

  static func h(_ text: String) -> String { DisplayText.escapeHTML(text) }

  /// An id made of ASCII letters, digits and `-` only.
  static func anchor(_ id: String) -> String {
    "f-"
      + String(
        id.unicodeScalars.map { u -> Character in
          (u.isASCII
            && (("a"..."z").contains(u) || ("A"..."Z").contains(u) || ("0"..."9").contains(u)))
            ? Character(u) : "-"
        })
  }

  static let style = """
    :root {
      --bg: #ffffff; --fg: #1d232b; --dim: #5d6875; --line: #d8dde3; --panel: #f5f7f9;
      --accent: #2f6fdb; --bad: #c62828; --warn: #b8560b; --code-bg: #f0f2f5;
    }
    @media (prefers-color-scheme: dark) {
      :root {
        --bg: #14181d; --fg: #e3e7ec; --dim: #9aa5b1; --line: #2c333c; --panel: #1b2128;
        --accent: #6ea2ff; --bad: #ff6b6b; --warn: #ffae57; --code-bg: #0f1317;
      }
    }
    * { box-sizing: border-box; }
    html { background: var(--bg); color: var(--fg); }
    body { margin: 0; font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, "DejaVu Sans", sans-serif; }
    main { max-width: 1040px; margin: 0 auto; padding: 28px 24px 48px; }
    h1 { font-size: 28px; margin: 2px 0 12px; overflow-wrap: anywhere; }
    h2 { font-size: 19px; margin: 32px 0 10px; padding-bottom: 4px; border-bottom: 1px solid var(--line); }
    h3 { font-size: 16px; margin: 18px 0 8px; }
    code, pre { font-family: ui-monospace, "SFMono-Regular", Menlo, Consolas, "DejaVu Sans Mono", monospace; font-size: 13px; }
    code { overflow-wrap: anywhere; }
    a { color: var(--accent); }
    .eyebrow { margin: 0; color: var(--dim); text-transform: uppercase; letter-spacing: .06em; font-size: 12px; }
    .meta, .facts { display: grid; grid-template-columns: max-content 1fr; gap: 2px 16px; margin: 6px 0; }
    .meta div, .facts div { display: contents; }
    dt { color: var(--dim); }
    dd { margin: 0; overflow-wrap: anywhere; }
    .bad { color: var(--bad); }
    .warn { color: var(--warn); }
    .notes { color: var(--dim); padding-left: 18px; }
    table { border-collapse: collapse; width: 100%; margin-top: 10px; font-size: 14px; }
    th, td { text-align: left; padding: 4px 8px; border-bottom: 1px solid var(--line); vertical-align: top; overflow-wrap: anywhere; }
    td.num { font-variant-numeric: tabular-nums; white-space: nowrap; }
    td.num.bad { font-weight: 700; }
    ol.restores { list-style: none; padding: 0; margin: 0; }
    .restore { border: 1px solid var(--line); border-left: 4px solid var(--accent); border-radius: 6px; padding: 10px 14px; margin: 10px 0; break-inside: avoid; }
    .restore.bad { border-left-color: var(--bad); }
    .restore-head { display: flex; gap: 10px; align-items: baseline; flex-wrap: wrap; }
    .order { font-family: ui-monospace, "DejaVu Sans Mono", monospace; font-weight: 700; }
    .title { font-weight: 600; overflow-wrap: anywhere; }
    .badge { font-size: 12px; border: 1px solid var(--line); border-radius: 10px; padding: 0 8px; color: var(--dim); }
    .problem { color: var(--bad); font-weight: 700; margin: 6px 0; }
    .cmd pre { margin: 6px 0 0; background: var(--code-bg); border: 1px solid var(--line); border-radius: 4px; padding: 8px 10px; white-space: pre-wrap; overflow-wrap: anywhere; }
    .cmd .on { color: var(--dim); }
    @media print {
      :root { --bg: #fff; --fg: #000; --dim: #444; --line: #bbb; --panel: #fff; --code-bg: #fff; --accent: #2f6fdb; --bad: #c62828; --warn: #b8560b; }
      * { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
      body { font-size: 11pt; }
      main { max-width: none; padding: 0; }
      .restore { break-inside: avoid; }
      h2, h3 { break-after: avoid; }
      a { color: inherit; text-decoration: none; }
    }

    """
}
