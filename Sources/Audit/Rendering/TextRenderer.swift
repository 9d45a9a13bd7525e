/// Draws report blocks for a terminal: underlined headings, aligned plain tables, no markup.
package enum TextRenderer {
  package static func render(_ blocks: [ReportBlock]) -> String {
    var out: [String] = []
    for block in blocks {
      switch block {
      case .title(let t):
        out.append(t.uppercased())
        out.append(String(repeating: "=", count: t.count))
        out.append("")
      case .heading(let level, let t):
        let line = level <= 2 ? t.uppercased() : t
        out.append(line)
        out.append(String(repeating: level <= 2 ? "-" : "~", count: line.count))
        out.append("")
      case .fields(let fields):
        let width = fields.map { $0.key.count }.max() ?? 0
        for f in fields {
          out.append(f.key + ":" + String(repeating: " ", count: width - f.key.count + 1) + f.value)
        }
        out.append("")
      case .paragraph(let p):
        out.append(p)
        out.append("")
      case .bullets(let items):
        for i in items { out.append("  - " + i) }
        out.append("")
      case .numbered(let items):
        let width = String(items.count).count
        for (n, i) in items.enumerated() {
          let num = String(n + 1)
          out.append("  " + String(repeating: " ", count: width - num.count) + num + ". " + i)
        }
        out.append("")
      case .table(let t):
        out.append(contentsOf: table(t))
        out.append("")
      case .separator:
        break
      }
    }
    while out.last == "" { out.removeLast() }
    return out.joined(separator: "\n") + "\n"
  }

  /// Columns two spaces apart, a dashed rule under the header; numbers right-aligned.
  static func table(_ t: ReportTable) -> [String] {
    let rows = t.rows.map { $0.map(ReportStyle.sanitize) }
    var widths = t.headers.map(\.count)
    for row in rows {
      for (i, cell) in row.enumerated() where i < widths.count { widths[i] = max(widths[i], cell.count) }
    }
    func line(_ cells: [String]) -> String {
      var parts: [String] = []
      for (i, w) in widths.enumerated() {
        let cell = i < cells.count ? cells[i] : ""
        let pad = String(repeating: " ", count: max(w - cell.count, 0))
        parts.append(t.rightAligned.contains(i) ? pad + cell : cell + pad)
      }
      var s = parts.joined(separator: "  ")
      while s.hasSuffix(" ") { s.removeLast() }
      return s
    }
    return [line(t.headers), widths.map { String(repeating: "-", count: $0) }.joined(separator: "  ")]
      + rows.map(line)
  }
}
