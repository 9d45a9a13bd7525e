import PVEModel

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

  /// Columns two spaces apart, a dashed rule under the header; numbers right-aligned. The last
  /// column is not padded (no trailing spaces).
  static func table(_ t: ReportTable) -> [String] {
    let rows = t.rows.map { $0.map { DisplayText.sanitize($0) } }
    var widths = t.headers.map(\.count)
    var counts: [[Int]] = []
    counts.reserveCapacity(rows.count)
    for row in rows {
      let c = row.map(\.count)
      for (i, n) in c.enumerated() where i < widths.count { widths[i] = max(widths[i], n) }
      counts.append(c)
    }
    let last = widths.count - 1
    func line(_ cells: [String], _ cellCounts: [Int]) -> String {
      var s = ""
      s.reserveCapacity(widths.reduce(2 * widths.count, +))
      for (i, w) in widths.enumerated() {
        let cell = i < cells.count ? cells[i] : ""
        let pad = max(w - (i < cellCounts.count ? cellCounts[i] : 0), 0)
        if i > 0 { s += "  " }
        if t.rightAligned.contains(i) {
          s += String(repeating: " ", count: pad)
          s += cell
        } else {
          s += cell
          if i < last { s += String(repeating: " ", count: pad) }
        }
      }
      while s.last == " " { s.removeLast() }
      return s
    }
    var out = [line(t.headers, t.headers.map(\.count))]
    out.append(widths.map { String(repeating: "-", count: $0) }.joined(separator: "  "))
    for (row, c) in zip(rows, counts) { out.append(line(row, c)) }
    return out
  }
}
