/// How a renderer marks things: words for the terminal, symbols and markup for markdown.
///
/// Guest names and tags are hostile input: `text(_:)` makes any dynamic string safe for the
/// output (control characters and bidi overrides replaced; markdown punctuation escaped).
package enum ReportStyle: Sendable, Hashable {
  case text
  case markdown

  /// Dynamic text made safe for a paragraph, bullet or field value.
  package func text(_ s: String) -> String {
    let clean = ReportStyle.sanitize(s)
    guard self == .markdown else { return clean }
    return ReportStyle.escapeMarkdown(clean)
  }

  /// Strong emphasis around already safe text.
  package func strong(_ s: String) -> String { self == .markdown ? "**\(s)**" : s }

  /// Code span around an identifier (no escaping inside; backticks removed).
  package func code(_ s: String) -> String {
    let clean = ReportStyle.sanitize(s).replacingOccurrences(of: "`", with: "'")
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

  /// Replaces control characters (C0, DEL, C1) and bidirectional overrides with `?`.
  package static func sanitize(_ s: String) -> String {
    guard s.unicodeScalars.contains(where: isUnsafe) else { return s }
    var out = String.UnicodeScalarView()
    for u in s.unicodeScalars { out.append(isUnsafe(u) ? "?" : u) }
    return String(out)
  }

  static func isUnsafe(_ u: Unicode.Scalar) -> Bool {
    let v = u.value
    return v < 0x20 || (0x7F...0x9F).contains(v) || (0x202A...0x202E).contains(v)
      || (0x2066...0x2069).contains(v) || v == 0x200E || v == 0x200F
  }

  /// Escapes markdown punctuation that could change the rendering: `\ ` * [ ] < > | #`.
  package static func escapeMarkdown(_ s: String) -> String {
    guard s.contains(where: { "\\`*[]<>|#".contains($0) }) else { return s }
    var out = ""
    for c in s {
      if "\\`*[]<>|#".contains(c) { out.append("\\") }
      out.append(c)
    }
    return out
  }
}
