import PVEModel

/// Hostile strings for every output format's test: what a guest name, tag, holder file or error
/// text from a cluster could hold. Each must reach no output with a raw control or bidi character.
package enum HostileText {
  /// The corpus: bidi overrides and isolates, ANSI and C1 escapes, line breaks, tabs, shell and
  /// markup syntax, quotes, NUL, zero-width characters and a very long name.
  package static let corpus: [String] = [
    "evil\u{202E}gpj.exe",
    "\u{2066}isolated\u{2069} \u{2067}rtl\u{2069} \u{2068}first\u{2069}",
    "lre\u{202A}x\u{202B}y\u{202C}z\u{202D}w \u{200E}lrm\u{200F}rlm \u{061C}alm",
    "red\u{1B}[31mALERT\u{1B}[0m \u{1B}]0;title\u{07}",
    "csi\u{9B}2J nel\u{85}x",
    "line1\nline2\r\nline3\rcr",
    "tab\there\u{0B}vt\u{0C}ff",
    "$(rm -rf /) `reboot` ${IFS}",
    "quote'single\"double",
    "nul\u{0}byte del\u{7F}",
    "zw\u{200B}sp\u{200C}nj\u{200D}j\u{2060}wj\u{FEFF}bom",
    "ls\u{2028}ps\u{2029}end",
    "<script>alert(1)</script><img src=x onerror=alert(2)>",
    "\"><svg onload=alert(3)>",
    "&#x202E;entity &lt;b&gt;",
    "*bold* _em_ [link](http://x) | pipe # head ~~s~~ ![i](x) \\ $x$",
    "- list\n1. item\n# heading",
    "{{ lookup('pipe', 'id') }}",
    "\"\u{301}combined quote <\u{301}",
    "tags\u{E0041}\u{E007F} soft\u{AD}hyphen",
    String(repeating: "long-name-", count: 400) + "\u{202E}end",
  ]

  /// The scalars no output may contain raw (`DisplayText.isUnsafe`, except line feed, which
  /// multi-line outputs use between lines).
  package static func rawUnsafe(in output: String) -> [Unicode.Scalar] {
    output.unicodeScalars.filter { DisplayText.isUnsafe($0) && $0 != "\n" }
  }
}
