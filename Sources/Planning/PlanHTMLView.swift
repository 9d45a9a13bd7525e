import Foundation
import PVEModel

/// The plan as one self-contained HTML review page (`pvemend show PLAN --format html`), rendered
/// from the plan document alone.
///
/// Self-contained: inline CSS and SVG only; no script, no font, no image and no link that would
/// fetch anything (a Content-Security-Policy `default-src 'none'` says so to the browser too).
/// Readable printed (`@media print`) and in dark mode (`prefers-color-scheme`). Every text from the
/// plan (names, titles, reasons, commands) goes through `DisplayText.escapeHTML`, and every number
/// is formatted here, so a hostile name shows as text and nothing else. Deterministic bytes.
package enum PlanHTMLView {
  /// The page. `digest` names the plan file (`sha256:<hex>` of its bytes) when known.
  package static func render(_ plan: Plan, digest: String? = nil) -> String {
    var o = HTMLPage.opening(title: "pvemend plan · \(plan.cluster)", style: style)
    o += header(plan, digest: digest)
    o += summary(plan)
    o += nodes(plan)
    o += timeline(plan)
    o += steps(plan)
    o += advisories(plan)
    o += unresolved(plan)
    o += footer(plan, digest: digest)
    o.append("</main>")
    o.append("</body>")
    o.append("</html>")
    return o.joined(separator: "\n") + "\n"
  }

  // MARK: Sections

  static func header(_ plan: Plan, digest: String?) -> [String] {
    let placement = plan.haPlacement == "rules" ? "HA rules" : "HA groups"
    var o = ["<header>"]
    o.append("<p class=\"eyebrow\">pvemend plan · review before applying</p>")
    o.append("<h1>Plan for <span class=\"name\">\(h(plan.cluster))</span></h1>")
    o.append("<dl class=\"meta\">")
    o.append(
      "<div><dt>Snapshot</dt><dd>\(h(plan.createdAt)) · Proxmox VE \(plan.pveMajor) · placement by \(placement)</dd></div>"
    )
    o.append(
      "<div><dt>Playbook</dt><dd>\(h(plan.playbook.name)) (<code>\(h(plan.playbook.path))</code>)</dd></div>"
    )
    if let line = PlanTextView.evacuationLine(plan) {
      o.append("<div><dt>Evacuation</dt><dd>\(h(line))</dd></div>")
    }
    if let digest { o.append("<div><dt>Plan file</dt><dd><code>\(h(digest))</code></dd></div>") }
    o.append("<div><dt>Tool</dt><dd>\(h(plan.tool))</dd></div>")
    o.append("</dl>")
    o.append("</header>")
    return o
  }

  static func summary(_ plan: Plan) -> [String] {
    let s = plan.summary
    let runnable = plan.steps.filter { $0.kind != .advice && !$0.commands.isEmpty }.count
    let outages = plan.steps.filter { $0.downtime.seconds > 0 }
    let guests = Set(outages.map(guest)).count
    var o = ["<section id=\"summary\" aria-labelledby=\"summary-h\">"]
    o.append("<h2 id=\"summary-h\">Summary</h2>")
    o.append("<p class=\"summary-line\">\(h(PlanTextView.summaryLine(plan)))</p>")
    o.append("<div class=\"cards\">")
    func card(_ label: String, _ value: String, _ note: String? = nil, warn: Bool = false) {
      o.append(
        "<div class=\"card\(warn ? " warn" : "")\"><div class=\"label\">\(label)</div><div class=\"value\">\(value)</div>"
          + (note.map { "<div class=\"note\">\($0)</div>" } ?? "") + "</div>")
    }
    card(
      "Steps", "\(runnable)",
      "with commands\(s.advisories > 0 ? ", + \(Format.count(s.advisories, "advisory", "advisories"))" : "")"
    )
    card(
      "Health score",
      "\(PlanTextView.score(plan.before.score)) → \(PlanTextView.score(plan.after.score))",
      "predicted, of 10")
    card("Findings", "\(plan.before.findings) → \(plan.after.findings)", "predicted")
    card(
      "Guest downtime", s.downtimeSeconds == 0 ? "none" : Elapsed.duration(s.downtimeSeconds),
      outages.isEmpty
        ? "no step stops a guest"
        : "\(Format.count(outages.count, "outage")) of \(Format.count(guests, "guest"))",
      warn: s.downtimeSeconds > 0)
    card(
      "Unresolved", "\(plan.unresolved.count)", "findings no step fixes",
      warn: !plan.unresolved.isEmpty)
    o.append("</div>")
    if let failover = s.failover, !failover.isEmpty {
      o.append(
        "<h3>If one node fails (rehearsed after the plan): the worst survivor</h3><table class=\"failover\"><thead><tr><th>Fails</th><th>Worst survivor</th><th>vCPU/core</th><th>Memory</th><th></th></tr></thead><tbody>"
      )
      for f in failover {
        o.append(
          "<tr\(f.within ? "" : " class=\"warn\"")><td>\(h(f.failed))</td><td>\(h(f.survivor))</td><td>\(FailoverSurvivor.num(f.vcpuPerCore)) (limit \(FailoverSurvivor.num(f.vcpuLimit)))</td><td>\(ByteSize.binary(f.memory)) of \(ByteSize.binary(f.memoryLimit))</td><td>\(f.within ? "within the failover limits" : "over the failover limits")</td></tr>"
        )
      }
      o.append("</tbody></table>")
    }
    o.append("</section>")
    return o
  }

  /// Per node: vCPU/core against the ceiling, memory against the reserve, local free; before and
  /// after as two bars each.
  static func nodes(_ plan: Plan) -> [String] {
    var o = ["<section id=\"nodes\" aria-labelledby=\"nodes-h\">"]
    o.append("<h2 id=\"nodes-h\">Nodes before → after (predicted)</h2>")
    let limits = plan.limits
    if let limits {
      o.append(
        "<p class=\"legend\"><span class=\"key before\"></span>before <span class=\"key after\"></span>after <span class=\"key limit\"></span>limit: \(Format.ratio(limits.vcpuPerCore)) vCPU/core, \(Format.bytes(limits.memoryReserve)) memory kept free per node, \(Format.percent(limits.localStorageReserve)) of local storage kept free</p>"
      )
    } else {
      o.append(
        "<p class=\"legend\"><span class=\"key before\"></span>before <span class=\"key after\"></span>after · this plan file does not record the playbook's limits</p>"
      )
    }
    let ratios = plan.before.nodes.map(\.vcpuPerCore) + plan.after.nodes.map(\.vcpuPerCore)
    let ratioScale = max((ratios.max() ?? 1) * 1.1, (limits?.vcpuPerCore ?? 0) * 1.25, 1)
    let freeScale = max(
      (plan.before.nodes.map(\.localFree) + plan.after.nodes.map(\.localFree)).max() ?? 1, 1)
    o.append("<div class=\"nodes\">")
    for b in plan.before.nodes {
      let a = plan.after.nodes.first { $0.node == b.node } ?? b
      o.append("<article class=\"node\">")
      o.append(
        "<h3>\(h(b.node)) <span class=\"dim\">\(b.cores) cores · \(b.guests) → \(a.guests) guests · HA \(b.haGuests) → \(a.haGuests)</span></h3>"
      )
      // vCPU per core.
      let ceiling = limits?.vcpuPerCore
      let overAfter = ceiling.map { a.vcpuPerCore > $0 + 1e-9 } ?? false
      o.append(
        meter(
          label: "vCPU/core",
          value:
            "\(Format.ratio(b.vcpuPerCore)) → \(Format.ratio(a.vcpuPerCore))"
            + (ceiling.map { " (ceiling \(Format.ratio($0)))" } ?? ""),
          before: b.vcpuPerCore / ratioScale, after: a.vcpuPerCore / ratioScale,
          limit: ceiling.map { $0 / ratioScale }, warn: overAfter,
          aria:
            "vCPU per core \(Format.ratio(b.vcpuPerCore)) before, \(Format.ratio(a.vcpuPerCore)) after"
        ))
      // Memory claimed against total minus reserve.
      let total = Double(max(b.memoryTotal, 1))
      let usable = limits.map { b.memoryTotal - $0.memoryReserve }
      let overMemory = usable.map { a.memory > $0 } ?? (a.memory > b.memoryTotal)
      o.append(
        meter(
          label: "memory",
          value:
            "\(PlanTextView.gib(b.memory)) → \(PlanTextView.gib(a.memory)) of \(PlanTextView.gib(b.memoryTotal))"
            + (limits.map { " (reserve \(Format.bytes($0.memoryReserve)))" } ?? ""),
          before: Double(b.memory) / total, after: Double(a.memory) / total,
          limit: usable.map { Double(max($0, 0)) / total }, warn: overMemory, reserve: true,
          aria: "memory \(PlanTextView.gib(b.memory)) before, \(PlanTextView.gib(a.memory)) after"))
      // Local storage free.
      o.append(
        meter(
          label: "local free",
          value: "\(Format.bytes(b.localFree)) → \(Format.bytes(a.localFree))",
          before: Double(b.localFree) / Double(freeScale),
          after: Double(a.localFree) / Double(freeScale), limit: nil, warn: false,
          aria:
            "local storage free \(Format.bytes(b.localFree)) before, \(Format.bytes(a.localFree)) after"
        ))
      o.append("</article>")
    }
    o.append("</div>")
    o.append("</section>")
    return o
  }

  /// One labelled pair of bars (before, after) with an optional limit line, as inline SVG.
  static func meter(
    label: String, value: String, before: Double, after: Double, limit: Double?, warn: Bool,
    reserve: Bool = false, aria: String
  ) -> String {
    let w = 300.0
    func x(_ f: Double) -> String { px(min(max(f, 0), 1) * w) }
    var svg =
      "<svg class=\"meter\" viewBox=\"0 0 300 22\" preserveAspectRatio=\"none\" role=\"img\" aria-label=\"\(h(aria))\">"
    svg += "<rect class=\"track\" x=\"0\" y=\"0\" width=\"300\" height=\"22\" rx=\"3\"/>"
    if reserve, let limit {
      svg +=
        "<rect class=\"reserve\" x=\"\(x(limit))\" y=\"0\" width=\"\(px(max(0, w - min(max(limit, 0), 1) * w)))\" height=\"22\"/>"
    }
    svg += "<rect class=\"before\" x=\"0\" y=\"3\" width=\"\(x(before))\" height=\"7\" rx=\"2\"/>"
    svg +=
      "<rect class=\"after\(warn ? " over" : "")\" x=\"0\" y=\"12\" width=\"\(x(after))\" height=\"7\" rx=\"2\"/>"
    if let limit {
      svg += "<line class=\"limit\" x1=\"\(x(limit))\" y1=\"0\" x2=\"\(x(limit))\" y2=\"22\"/>"
    }
    svg += "</svg>"
    return
      "<div class=\"meter-row\"><span class=\"meter-label\">\(h(label))</span>\(svg)<span class=\"meter-value\(warn ? " over" : "")\">\(h(value))</span></div>"
  }

  /// The outages in plan order on one time axis: each step with downtime is a bar as long as its
  /// downtime, on the row of the guest it stops, after the outages of the steps before it.
  static func timeline(_ plan: Plan) -> [String] {
    var o = ["<section id=\"timeline\" aria-labelledby=\"timeline-h\">"]
    o.append("<h2 id=\"timeline-h\">Outage timeline</h2>")
    let outages = plan.steps.filter { $0.downtime.seconds > 0 }
    guard !outages.isEmpty else {
      o.append("<p>No step is expected to stop a guest.</p>")
      o.append("</section>")
      return o
    }
    o.append(
      "<p class=\"legend\">Steps run one after another in plan order; only the time a guest is down is drawn (steps without downtime take no width). Total \(Elapsed.duration(plan.summary.downtimeSeconds)).</p>"
    )
    var rows: [String] = []
    for s in outages where !rows.contains(guest(s)) { rows.append(guest(s)) }
    let names = guestNames(plan)
    func named(_ sid: String) -> String { names[sid].map { "\(sid) \($0)" } ?? sid }
    let total = max(outages.reduce(0) { $0 + $1.downtime.seconds }, 1)
    let labelW = 150.0
    let plotW = 560.0
    let rowH = 24.0
    let height = Double(rows.count) * rowH + 28
    var svg =
      "<svg class=\"timeline\" viewBox=\"0 0 \(px(labelW + plotW + 10)) \(px(height))\" role=\"img\" aria-label=\"\(Format.count(outages.count, "outage")), \(Elapsed.duration(plan.summary.downtimeSeconds)) in total\">"
    for (i, r) in rows.enumerated() {
      let y = Double(i) * rowH
      svg +=
        "<rect class=\"lane\(i % 2 == 0 ? "" : " odd")\" x=\"0\" y=\"\(px(y))\" width=\"\(px(labelW + plotW + 10))\" height=\"\(px(rowH))\"/>"
      svg +=
        "<text class=\"lane-label\" x=\"\(px(labelW - 8))\" y=\"\(px(y + 16))\" text-anchor=\"end\">\(h(DisplayText.oneLine(named(r), limit: 20)))</text>"
    }
    var start = 0
    for s in outages {
      let row = Double(rows.firstIndex(of: guest(s)) ?? 0)
      let x0 = labelW + Double(start) / Double(total) * plotW
      let bw = max(Double(s.downtime.seconds) / Double(total) * plotW, 3)
      svg +=
        "<rect class=\"outage\" x=\"\(px(x0))\" y=\"\(px(row * rowH + 4))\" width=\"\(px(bw))\" height=\"\(px(rowH - 8))\" rx=\"2\"><title>\(h(s.id)) \(h(s.title)): \(Elapsed.duration(s.downtime.seconds))</title></rect>"
      if bw >= 26 {
        svg +=
          "<text class=\"outage-label\" x=\"\(px(x0 + 4))\" y=\"\(px(row * rowH + 16))\">\(h(s.id))</text>"
      }
      start += s.downtime.seconds
    }
    let axisY = Double(rows.count) * rowH + 4
    svg +=
      "<line class=\"axis\" x1=\"\(px(labelW))\" y1=\"\(px(axisY))\" x2=\"\(px(labelW + plotW))\" y2=\"\(px(axisY))\"/>"
    for k in 0...4 {
      let t = total * k / 4
      let x = labelW + Double(k) / 4 * plotW
      svg +=
        "<text class=\"tick\" x=\"\(px(x))\" y=\"\(px(axisY + 16))\" text-anchor=\"\(k == 0 ? "start" : k == 4 ? "end" : "middle")\">\(Elapsed.duration(t))</text>"
    }
    svg += "</svg>"
    o.append("<div class=\"scroll\">\(svg)</div>")
    o.append(
      "<table class=\"outages\"><thead><tr><th>Step</th><th>Guest</th><th>Down</th><th>Why</th></tr></thead><tbody>"
    )
    for s in outages {
      o.append(
        "<tr><td><a href=\"#\(anchor(s.id))\">\(h(s.id))</a></td><td>\(h(named(guest(s))))</td><td class=\"num\">\(Elapsed.duration(s.downtime.seconds))</td><td>\(h(s.downtime.note ?? ""))</td></tr>"
      )
    }
    o.append("</tbody></table>")
    o.append("</section>")
    return o
  }

  static func steps(_ plan: Plan) -> [String] {
    let runnable = plan.steps.filter { $0.kind != .advice }
    var o = ["<section id=\"steps\" aria-labelledby=\"steps-h\">"]
    o.append("<h2 id=\"steps-h\">Steps (\(runnable.count))</h2>")
    if runnable.isEmpty {
      o.append("<p>No changes: nothing in the findings asks for a step.</p>")
    }
    let findings = Dictionary(plan.findings.map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
    o.append("<ol class=\"steps\">")
    for s in runnable {
      o.append("<li class=\"step kind-\(h(s.kind.rawValue))\" id=\"\(anchor(s.id))\">")
      o.append(
        "<div class=\"step-head\"><span class=\"step-id\">\(h(s.id))</span><span class=\"badge\">\(h(kindName(s.kind)))</span><span class=\"step-title\">\(h(s.title))</span></div>"
      )
      o.append("<dl class=\"facts\">")
      if !s.reasons.isEmpty {
        let items = s.reasons.map { r in
          "<li><code>\(h(r))</code>\(findings[r].map { " \(h($0.message))" } ?? "")</li>"
        }
        o.append("<div><dt>Why</dt><dd><ul class=\"reasons\">\(items.joined())</ul></dd></div>")
      }
      if !s.after.isEmpty {
        let deps = s.after.map { "<a href=\"#\(anchor($0))\">\(h($0))</a>" }.joined(separator: ", ")
        o.append("<div><dt>After</dt><dd>\(deps)</dd></div>")
      }
      if s.kind == .migrate || s.kind == .moveVolume || s.downtime.seconds > 0 {
        let head = s.downtime.seconds == 0 ? "none" : "~" + Elapsed.duration(s.downtime.seconds)
        let note = s.downtime.note.map { " · \(h($0))" } ?? ""
        o.append(
          "<div><dt>Downtime</dt><dd\(s.downtime.seconds > 0 ? " class=\"down\"" : "")>\(head)\(note)</dd></div>"
        )
      }
      if let w = s.wait {
        let what = w.kind == "ha-migrate" ? "settled" : (w.state ?? "settled")
        o.append(
          "<div><dt>Waits</dt><dd>until HA reports <code>\(h(w.sid))</code> \(h(what)) on \(h(w.node)), at most \(Elapsed.duration(w.timeoutSeconds))</dd></div>"
        )
      }
      if let after = s.figuresAfter, s.kind == .migrate || s.kind == .moveVolume {
        var rows: [String] = []
        for f in s.figures {
          guard let a = after.first(where: { $0.node == f.node }) else { continue }
          rows.append(
            s.kind == .migrate
              ? "\(h(f.node)): \(Format.ratio(f.vcpuPerCore)) → \(Format.ratio(a.vcpuPerCore)) vCPU/core, \(PlanTextView.gib(f.memory)) → \(PlanTextView.gib(a.memory)) of \(PlanTextView.gib(f.memoryTotal))"
              : "\(h(f.node)): local free \(Format.bytes(f.localFree)) → \(Format.bytes(a.localFree))"
          )
        }
        if !rows.isEmpty {
          o.append("<div><dt>Load</dt><dd>\(rows.joined(separator: "<br>"))</dd></div>")
        }
      }
      if let d = s.detail {
        o.append("<div><dt>Detail</dt><dd>\(multiline(d))</dd></div>")
      }
      o.append("</dl>")
      if !s.commands.isEmpty { o.append(commandBlock(s.commands, label: "Commands")) }
      if !s.inverse.isEmpty { o.append(commandBlock(s.inverse, label: "Undo", undo: true)) }
      o.append("</li>")
    }
    o.append("</ol>")
    o.append("</section>")
    return o
  }

  static func advisories(_ plan: Plan) -> [String] {
    let advice = plan.steps.filter { $0.kind == .advice }
    guard !advice.isEmpty else { return [] }
    var o = ["<section id=\"advisories\" aria-labelledby=\"advisories-h\">"]
    o.append(
      "<h2 id=\"advisories-h\">Advisories (\(advice.count)) <span class=\"dim\">for human hands; never executed</span></h2>"
    )
    o.append("<ul class=\"advice\">")
    for s in advice {
      o.append(
        "<li id=\"\(anchor(s.id))\"><span class=\"step-id\">\(h(s.id))</span> <strong>\(h(s.title))</strong>"
          + (s.detail.map { "<div class=\"detail\">\(multiline($0))</div>" } ?? "")
          + (s.reasons.isEmpty
            ? ""
            : "<div class=\"dim\">why: \(s.reasons.map { "<code>\(h($0))</code>" }.joined(separator: ", "))</div>")
          + "</li>")
    }
    o.append("</ul>")
    o.append("</section>")
    return o
  }

  static func unresolved(_ plan: Plan) -> [String] {
    var o = ["<section id=\"unresolved\" aria-labelledby=\"unresolved-h\">"]
    o.append("<h2 id=\"unresolved-h\">Unresolved (\(plan.unresolved.count))</h2>")
    if plan.unresolved.isEmpty {
      o.append("<p>Every finding the playbook acts on has a step.</p>")
    } else {
      o.append("<table><thead><tr><th>Finding</th><th>Limit</th><th>Why</th></tr></thead><tbody>")
      for u in plan.unresolved {
        o.append(
          "<tr><td><code>\(h(u.finding))</code></td><td>\(h(u.limit ?? "–"))</td><td>\(h(u.reason))</td></tr>"
        )
      }
      o.append("</tbody></table>")
    }
    o.append("</section>")
    return o
  }

  static func footer(_ plan: Plan, digest: String?) -> [String] {
    var o = ["<footer>", "<h2>Digests</h2>", "<dl class=\"digests\">"]
    if let digest { o.append("<div><dt>Plan file</dt><dd><code>\(h(digest))</code></dd></div>") }
    o.append("<div><dt>Snapshot</dt><dd><code>sha256:\(h(plan.snapshotSHA256))</code></dd></div>")
    o.append(
      "<div><dt>Playbook</dt><dd><code>sha256:\(h(plan.playbook.sha256))</code> \(h(plan.playbook.path))</dd></div>"
    )
    o.append("</dl>")
    o.append(
      "<p class=\"dim\">Apply exactly this plan with <code>pvemend apply PLAN</code> (a dry run; <code>--execute</code> to change the cluster). It re-checks every step against the cluster first and refuses a stale plan.</p>"
    )
    o.append("</footer>")
    return o
  }

  // MARK: Pieces

  /// Commands grouped by node; each argv quoted by `ShellQuoting` (the one quoting function), then
  /// escaped for HTML.
  static func commandBlock(_ commands: [RemoteCommand], label: String, undo: Bool = false) -> String
  {
    var lines: [String] = []
    var node: String?
    for c in commands {
      if c.node != node {
        lines.append("<span class=\"on\"># on \(h(c.node))</span>")
        node = c.node
      }
      lines.append(h(c.shellLine))
    }
    return
      "<div class=\"cmd\(undo ? " undo" : "")\"><div class=\"cmd-label\">\(label)</div><pre><code>\(lines.joined(separator: "\n"))</code></pre></div>"
  }

  /// Guest names by sid, from the snapshot the plan embeds (empty when it cannot be read).
  static func guestNames(_ plan: Plan) -> [String: String] {
    guard let cluster = try? Cluster(snapshot: plan.snapshot, file: "plan") else { return [:] }
    var names: [String: String] = [:]
    for g in cluster.guests where !g.name.isEmpty { names[g.sid] = names[g.sid] ?? g.name }
    return names
  }

  /// The guest a step stops: the first sid its conditions or its wait name.
  static func guest(_ s: Step) -> String {
    if let sid = (s.preconditions + s.effects).lazy.compactMap(\.sid).first { return sid }
    return s.wait?.sid ?? s.id
  }

  static func kindName(_ k: StepKind) -> String {
    switch k {
    case .moveVolume: "volume move"
    case .haAdd: "HA resource"
    case .haGroup: "HA group"
    case .haRule: "HA rule"
    case .migrate: "migration"
    case .backupJob: "backup job"
    case .advice: "advice"
    case .restoreTest: "restore test"
    case .nodeMaintenance: "HA maintenance mode"
    case .haScheduler: "HA scheduler"
    }
  }

  /// Lines of text kept as lines (`<br>`), each escaped.
  static func multiline(_ text: String) -> String {
    text.split(separator: "\n", omittingEmptySubsequences: false).map { h(String($0)) }.joined(
      separator: "<br>")
  }

  /// A fragment id from a step id: ASCII letters, digits and `-` only.
  static func anchor(_ id: String) -> String {
    "step-"
      + String(
        id.unicodeScalars.map { u -> Character in
          (u.isASCII
            && (("a"..."z").contains(u) || ("A"..."Z").contains(u) || ("0"..."9").contains(u)))
            ? Character(u) : "-"
        })
  }

  static func h(_ text: String) -> String { DisplayText.escapeHTML(text) }

  /// A coordinate with at most one decimal, locale-free.
  static func px(_ v: Double) -> String {
    let tenths = Int((v * 10).rounded())
    return tenths % 10 == 0 ? "\(tenths / 10)" : "\(tenths / 10).\(abs(tenths % 10))"
  }

  // MARK: Style

  static let style = """
    :root {
      --bg: #ffffff; --fg: #1d232b; --dim: #5d6875; --line: #d8dde3; --panel: #f5f7f9;
      --accent: #2f6fdb; --before: #9aa7b5; --after: #2f6fdb; --over: #c62828; --limit: #111;
      --reserve: rgba(198, 40, 40, 0.13); --down: #b8560b; --code-bg: #f0f2f5; --lane: #fafbfc;
      --on-down: #ffffff;
    }
    @media (prefers-color-scheme: dark) {
      :root {
        --bg: #14181d; --fg: #e3e7ec; --dim: #9aa5b1; --line: #2c333c; --panel: #1b2128;
        --accent: #6ea2ff; --before: #5d6a78; --after: #6ea2ff; --over: #ff6b6b; --limit: #f2f2f2;
        --reserve: rgba(255, 107, 107, 0.16); --down: #ffae57; --code-bg: #0f1317; --lane: #181d23;
        --on-down: #14181d;
      }
    }
    * { box-sizing: border-box; }
    html { background: var(--bg); color: var(--fg); }
    body { margin: 0; font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, "DejaVu Sans", sans-serif; }
    main { max-width: 1040px; margin: 0 auto; padding: 28px 24px 48px; }
    h1 { font-size: 28px; margin: 2px 0 12px; overflow-wrap: anywhere; }
    h2 { font-size: 19px; margin: 32px 0 10px; padding-bottom: 4px; border-bottom: 1px solid var(--line); }
    h3 { font-size: 16px; margin: 0 0 8px; overflow-wrap: anywhere; }
    code, pre { font-family: ui-monospace, "SFMono-Regular", Menlo, Consolas, "DejaVu Sans Mono", monospace; font-size: 13px; }
    code { overflow-wrap: anywhere; }
    a { color: var(--accent); }
    .eyebrow { margin: 0; color: var(--dim); text-transform: uppercase; letter-spacing: .06em; font-size: 12px; }
    .dim { color: var(--dim); font-weight: normal; font-size: 13px; }
    .meta, .digests { display: grid; grid-template-columns: max-content 1fr; gap: 2px 16px; margin: 0; }
    .meta div, .digests div, .facts div { display: contents; }
    dt { color: var(--dim); }
    dd { margin: 0; overflow-wrap: anywhere; }
    .summary-line { font-weight: 600; }
    .cards { display: grid; grid-template-columns: repeat(auto-fit, minmax(170px, 1fr)); gap: 10px; }
    .card { background: var(--panel); border: 1px solid var(--line); border-radius: 8px; padding: 10px 12px; }
    .card .label { color: var(--dim); font-size: 12px; text-transform: uppercase; letter-spacing: .04em; }
    .card .value { font-size: 22px; font-weight: 650; }
    .card .note { color: var(--dim); font-size: 12px; }
    .card.warn .value { color: var(--down); }
    .legend { color: var(--dim); font-size: 13px; }
    .key { display: inline-block; width: 14px; height: 8px; border-radius: 2px; margin: 0 4px 0 10px; vertical-align: middle; }
    .key.before { background: var(--before); } .key.after { background: var(--after); }
    .key.limit { width: 2px; height: 12px; background: var(--limit); }
    .nodes { display: grid; grid-template-columns: 1fr; gap: 12px; }
    .node { background: var(--panel); border: 1px solid var(--line); border-radius: 8px; padding: 12px 14px; break-inside: avoid; }
    .meter-row { display: grid; grid-template-columns: 78px minmax(160px, 360px) 1fr; align-items: center; gap: 12px; margin: 4px 0; }
    svg.meter { width: 100%; height: 22px; }
    .meter-label { color: var(--dim); font-size: 13px; }
    .meter-value { font-size: 13px; font-variant-numeric: tabular-nums; }
    .meter-value.over { color: var(--over); font-weight: 600; }
    svg .track { fill: var(--bg); stroke: var(--line); }
    svg .reserve { fill: var(--reserve); }
    svg .before { fill: var(--before); }
    svg .after { fill: var(--after); }
    svg .after.over { fill: var(--over); }
    svg .limit { stroke: var(--limit); stroke-width: 2; vector-effect: non-scaling-stroke; }
    .scroll { overflow-x: auto; }
    svg.timeline { width: 100%; max-width: 720px; height: auto; font-size: 12px; }
    svg .lane { fill: var(--lane); } svg .lane.odd { fill: var(--panel); }
    svg .lane-label, svg .tick { fill: var(--dim); font-family: ui-monospace, "DejaVu Sans Mono", monospace; }
    svg .outage { fill: var(--down); }
    svg .outage-label { fill: var(--on-down); font-weight: 600; }
    svg .axis { stroke: var(--line); }
    table { border-collapse: collapse; width: 100%; margin-top: 10px; font-size: 14px; }
    th, td { text-align: left; padding: 4px 8px; border-bottom: 1px solid var(--line); vertical-align: top; overflow-wrap: anywhere; }
    td.num { font-variant-numeric: tabular-nums; white-space: nowrap; }
    ol.steps { list-style: none; padding: 0; margin: 0; }
    .step { border: 1px solid var(--line); border-left: 4px solid var(--accent); border-radius: 6px; padding: 10px 14px; margin: 10px 0; break-inside: avoid; }
    .step.kind-migrate, .step.kind-move-volume { border-left-color: var(--down); }
    .step-head { display: flex; gap: 10px; align-items: baseline; flex-wrap: wrap; }
    .step-id { font-family: ui-monospace, "DejaVu Sans Mono", monospace; font-weight: 700; }
    .badge { font-size: 12px; border: 1px solid var(--line); border-radius: 10px; padding: 0 8px; color: var(--dim); }
    .step-title { font-weight: 600; overflow-wrap: anywhere; }
    .facts { display: grid; grid-template-columns: max-content 1fr; gap: 2px 14px; margin: 8px 0 4px; font-size: 14px; }
    .facts .down { color: var(--down); }
    .reasons { margin: 0; padding-left: 18px; }
    .cmd { margin-top: 6px; }
    .cmd-label { font-size: 12px; color: var(--dim); text-transform: uppercase; letter-spacing: .04em; }
    .cmd pre { margin: 2px 0 0; background: var(--code-bg); border: 1px solid var(--line); border-radius: 4px; padding: 8px 10px; white-space: pre-wrap; overflow-wrap: anywhere; }
    .cmd.undo pre { opacity: .8; }
    .cmd .on { color: var(--dim); }
    ul.advice { padding-left: 18px; }
    ul.advice li { margin: 8px 0; break-inside: avoid; }
    .detail { font-size: 14px; }
    footer { margin-top: 36px; }
    @media print {
      /* Paper is light whatever the screen's scheme: every colour from the light palette. */
      :root {
        --bg: #fff; --fg: #000; --dim: #444; --line: #bbb; --panel: #fff; --code-bg: #fff;
        --lane: #fff; --accent: #2f6fdb; --before: #9aa7b5; --after: #2f6fdb; --over: #c62828;
        --limit: #111; --reserve: rgba(198, 40, 40, 0.13); --down: #b8560b; --on-down: #fff;
      }
      * { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
      body { font-size: 11pt; }
      main { max-width: none; padding: 0; }
      .nodes { grid-template-columns: 1fr; }
      .step, .node, .card { break-inside: avoid; }
      h2 { break-after: avoid; }
      a { color: inherit; text-decoration: none; }
      .scroll { overflow: visible; }
    }

    """
}
