/// One piece of a rendered report. The text and markdown renderers share one layout
/// (`AuditReport.blocks(style:)`) and differ only in how they draw these.
package enum ReportBlock: Sendable, Hashable {
  /// The document title.
  case title(String)
  /// A section (level 2) or subsection (level 3) heading.
  case heading(Int, String)
  /// `key: value` lines.
  case fields([ReportField])
  case paragraph(String)
  case bullets([String])
  case numbered([String])
  case table(ReportTable)
  /// A horizontal rule between sections.
  case separator
}

/// A `key: value` line of a `fields` block.
package struct ReportField: Sendable, Hashable {
  package var key: String
  package var value: String

  package init(_ key: String, _ value: String) {
    self.key = key
    self.value = value
  }
}

/// A table; cells are raw text (the renderer escapes them).
package struct ReportTable: Sendable, Hashable {
  package var headers: [String]
  package var rows: [[String]]
  /// Columns aligned right (numbers).
  package var rightAligned: Set<Int>

  package init(_ headers: [String], _ rows: [[String]], rightAligned: Set<Int> = []) {
    self.headers = headers
    self.rows = rows
    self.rightAligned = rightAligned
  }
}
