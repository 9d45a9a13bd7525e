/// The one way hostile text (guest names, tags, holder files, error text, command output) is shown.
///
/// Every renderer, error message and export passes dynamic text through here, so a name cannot move
/// the cursor, recolour or retitle a terminal, fake a line, reorder what the user approves (bidi
/// overrides and isolates) or hide characters (zero-width joiners) — in any output format.
///
/// **Unsafe scalars are replaced, never dropped:** each becomes U+FFFD `�`, so the reader sees that
/// something was there and two names that differ only by a hidden character still look different.
/// Unsafe means (`isUnsafe`):
/// - C0 controls U+0000–U+001F (tab and line feed too, unless a caller keeps line breaks), DEL
///   U+007F and C1 controls U+0080–U+009F (U+009B is a one-byte CSI, U+0085 a line break);
/// - bidi controls: embeddings and overrides U+202A–U+202E, isolates U+2066–U+2069, marks U+200E,
///   U+200F, U+061C;
/// - zero-width and invisible characters: U+200B–U+200D, U+2060–U+2064, U+FEFF, U+180E, U+00AD;
/// - the line and paragraph separators U+2028, U+2029;
/// - every other Unicode format character (general category Cf: U+206A–U+206F, U+FFF9–U+FFFB,
///   tag characters U+E0000–U+E007F, …).
///
/// Pure: no I/O; the result depends on the input only.
package enum DisplayText {
  /// The replacement for an unsafe scalar.
  package static let replacement: Unicode.Scalar = "\u{FFFD}"

  /// Every unsafe scalar (see the type's documentation) replaced with U+FFFD. With `keepNewlines`,
  /// line feed (U+000A) stays, for multi-line blocks; tab and carriage return never do.
  package static func sanitize(_ s: String, keepNewlines: Bool = false) -> String {
    let unsafe: (Unicode.Scalar) -> Bool = { u in isUnsafe(u) && !(keepNewlines && u == "\n") }
    guard s.unicodeScalars.contains(where: unsafe) else { return s }
    var out = String.UnicodeScalarView()
    for u in s.unicodeScalars { out.append(unsafe(u) ? replacement : u) }
    return String(out)
  }

  /// `sanitize`, with every run of line breaks and tabs (LF, CR, tab, VT, FF, U+0085, U+2028,
  /// U+2029) collapsed to one space, then cut to at most `limit` characters, the last one `…` when
  /// it was cut.
  package static func oneLine(_ s: String, limit: Int = 200) -> String {
    var out = String.UnicodeScalarView()
    var inBreak = false
    for u in s.unicodeScalars {
      if isBreak(u) {
        if !inBreak { out.append(" ") }
        inBreak = true
        continue
      }
      inBreak = false
      out.append(isUnsafe(u) ? replacement : u)
    }
    let line = String(out)
    guard line.count > limit else { return line }
    return String(line.prefix(max(limit - 1, 0))) + "…"
  }

  /// `sanitize`, then markdown-inert: ASCII punctuation that can start markup is backslash-escaped
  /// (`` \ ` * _ [ ] < > # | ~ & $ ``: `[` `]` so no link or image can start, which leaves `(` `)`
  /// and `!` plain; `&` so no entity like `&#x202E;` is decoded; `$` for math), and a leading
  /// `- `, `+ `, `=` or `1. `/`1) ` so the text cannot start a list or a heading underline
  /// (`-5`, `1.5` stay as they are).
  package static func escapeMarkdown(_ s: String) -> String {
    // Scalars, not Characters: `*` followed by a combining mark is one Character but still markup.
    let u = Array(sanitize(s).unicodeScalars)
    var out = String.UnicodeScalarView()
    let digits = u.prefix { ("0"..."9").contains($0) }.count
    for (i, c) in u.enumerated() {
      let next = i + 1 < u.count ? u[i + 1] : " "
      let endsMarker = next == " " || next == "\t"
      if markdownSpecial.contains(c)
        || (i == 0 && (c == "-" || c == "+") && endsMarker)
        || (i == 0 && c == "=")
        || (i == digits && digits > 0 && (c == "." || c == ")") && endsMarker)
      {
        out.append("\\")
      }
      out.append(c)
    }
    return String(out)
  }

  /// `sanitize`, then HTML-inert in text and in quoted attribute values: `&` `<` `>` `"` `'` as
  /// entities.
  package static func escapeHTML(_ s: String) -> String {
    let clean = sanitize(s)
    // Scalars, not Characters: `"` followed by a combining mark is one Character but still a quote.
    guard
      clean.utf8.contains(where: {
        $0 == 0x26 || $0 == 0x3C || $0 == 0x3E || $0 == 0x22 || $0 == 0x27
      })
    else { return clean }
    var out = ""
    out.reserveCapacity(clean.utf8.count + 16)
    for u in clean.unicodeScalars {
      switch u {
      case "&": out += "&amp;"
      case "<": out += "&lt;"
      case ">": out += "&gt;"
      case "\"": out += "&quot;"
      case "'": out += "&#39;"
      default: out.unicodeScalars.append(u)
      }
    }
    return out
  }

  /// JSON written by `JSONEncoder` with every unsafe scalar as a `\uXXXX` escape (surrogate pairs
  /// above U+FFFF), so a JSON file or `--format json` output shows no raw bidi or zero-width
  /// character yet decodes to the same strings. Only for encoder output, where such scalars can
  /// only sit inside strings (the encoder already escapes C0 controls).
  package static func escapingUnsafe(json: String) -> String {
    // Line feeds are the pretty-printer's (inside strings the encoder writes `\n`).
    let unsafe: (Unicode.Scalar) -> Bool = { $0 != "\n" && isUnsafe($0) }
    guard json.unicodeScalars.contains(where: unsafe) else { return json }
    var out = ""
    out.reserveCapacity(json.utf8.count + 16)
    for u in json.unicodeScalars {
      guard unsafe(u) else {
        out.unicodeScalars.append(u)
        continue
      }
      let units = u.value > 0xFFFF ? Array(String(u).utf16) : [UInt16(u.value)]
      for unit in units {
        let hex = String(unit, radix: 16)
        out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
      }
    }
    return out
  }

  /// Whether a scalar must not reach any output as itself (see the type's documentation).
  package static func isUnsafe(_ u: Unicode.Scalar) -> Bool {
    let v = u.value
    if v < 0x20 || (0x7F...0x9F).contains(v) { return true }
    if v < 0xA0 { return false }
    switch v {
    case 0x00AD, 0x061C, 0x180E, 0x200B...0x200F, 0x2028...0x202E, 0x2060...0x206F, 0xFEFF,
      0xFFF9...0xFFFB, 0xE0000...0xE007F:
      return true
    default:
      switch u.properties.generalCategory {
      case .control, .format, .lineSeparator, .paragraphSeparator: return true
      default: return false
      }
    }
  }

  /// Line breaks and tabs, which `oneLine` turns into a space.
  static func isBreak(_ u: Unicode.Scalar) -> Bool {
    switch u.value {
    case 0x09...0x0D, 0x85, 0x2028, 0x2029: true
    default: false
    }
  }

  static let markdownSpecial: Set<Unicode.Scalar> = [
    "\\", "`", "*", "_", "[", "]", "<", ">", "#", "|", "~", "&", "$",
  ]
}
