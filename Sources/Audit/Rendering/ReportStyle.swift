import PVEModel

/// How a renderer marks things: words for the terminal, symbols and markup for markdown.
///
/// Guest names and tags are hostile input: `text(_:)` makes any dynamic string safe for the
/// output through `DisplayText` (control, bidi and zero-width characters replaced with U+FFFD;
/// markdown punctuation escaped).
package enum ReportStyle: Sendable, Hashable {
  case text
  case markdown

  /// Dynamic text made safe for a paragraph, bullet or field value.
  package func text(_ s: String) -> String {
    self == .markdown ? DisplayText.escapeMarkdown(s) : DisplayText.sanitize(s)
  }

  /// Strong emphasis around already safe text.
  package func strong(_ s: String) -> String { self == .markdown ? "**\(s)**" : s }

  /// Code span around an identifier (no escaping inside; backticks removed).
  package func code(_ s: String) -> String {
    let clean = DisplayText.sanitize(s).replacingOccurrences(of: "`", with: "'")
    return self == .markdown ? "`\(clean)`" : clean
  }

  /// The severity mark: `🔴 CRITICAL` in markdown, `CRITICAL` in the terminal.
  package func severity(_ s: Severity) -> String {
    self == .markdown ? "\(s.symbol) \(s.label)" : s.label
  }

  /// A good/bad mark before a line: `✅ `/`⚠️ ` in markdown, nothing in the terminal.
  package func mark(_ ok: Bool) -> String {
    self == .markdown ? (ok ? "✅ " : "⚠️ ") : ""
  }

  /// A good/bad word or symbol for a table cell.
  package func check(_ ok: Bool) -> String {
    switch (self, ok) {
    case (.markdown, true): "✅"
    case (.markdown, false): "⚠️"
    case (.text, true): "OK"
    case (.text, false): "WARN"
    }
  }
}
