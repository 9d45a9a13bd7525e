import PVEModel

/// Draws report blocks as GitHub-flavoured markdown, in the shape of the seed report.
package enum MarkdownRenderer {
  package static func render(_ blocks: [ReportBlock]) -> String {
    var out: [String] = []
    for block in blocks {
      switch block {
      case .title(let t):
        out.append("# " + t)
      case .heading(let level, let t):
        out.append(String(repeating: "#", count: max(level, 2)) + " " + t)
      case .fields(let fields):
        // Two trailing spaces: a line break inside one paragraph, as in the seed.
        out.append(fields.map { "**\($0.key):** \($0.value)" }.joined(separator: "  \n"))
      case .paragraph(let p):
        out.append(p)
      case .bullets(let items):
        out.append(items.map { "- " + $0 }.joined(separator: "\n"))
      case .numbered(let items):
        out.append(
          items.enumerated().map { "\($0.offset + 1). \($0.element)" }.joined(separator: "\n"))
      case .table(let t):
        out.append(table(t))
      case .separator:
        out.append("---")
      }
    }
    return out.joined(separator: "\n\n") + "\n"
  }

  static func table(_ t: ReportTable) -> String {
    func cell(_ s: String) -> String {
      let c = DisplayText.escapeMarkdown(s)
      return c.isEmpty ? " " : c
    }
    var lines = ["| " + t.headers.map(cell).joined(separator: " | ") + " |"]
    lines.append(
      "|"
        + t.headers.indices.map { t.rightAligned.contains($0) ? "---:" : "---" }.joined(
          separator: "|")
        + "|")
    for row in t.rows {
      let cells = t.headers.indices.map { $0 < row.count ? cell(row[$0]) : " " }
      lines.append("| " + cells.joined(separator: " | ") + " |")
    }
    return lines.joined(separator: "\n")
  }
}
