import Foundation
import PVEMendTestSupport
import PVEModel
import Testing

/// `DisplayText`: nothing unsafe survives, safe text is untouched, escapes are inert.
@Suite struct DisplayTextTests {
  @Test(arguments: HostileText.corpus)
  func sanitizeLeavesNoUnsafeScalar(_ text: String) {
    #expect(HostileText.rawUnsafe(in: DisplayText.sanitize(text)).isEmpty)
    #expect(!DisplayText.sanitize(text).contains("\n"))
    #expect(HostileText.rawUnsafe(in: DisplayText.oneLine(text)).isEmpty)
    #expect(!DisplayText.oneLine(text).contains("\n"))
    #expect(HostileText.rawUnsafe(in: DisplayText.escapeMarkdown(text)).isEmpty)
    #expect(HostileText.rawUnsafe(in: DisplayText.escapeHTML(text)).isEmpty)
    let kept = DisplayText.sanitize(text, keepNewlines: true)
    #expect(HostileText.rawUnsafe(in: kept).isEmpty)
  }

  @Test func plainTextIsUnchanged() {
    for s in ["web01", "pve-node 3.local", "Datenbank für Büro", "日本語", "👍", "a-b_c.d:e=f"] {
      #expect(DisplayText.sanitize(s) == s)
      #expect(DisplayText.oneLine(s) == s)
      #expect(DisplayText.escapeHTML(s) == s)
    }
  }

  @Test func unsafeScalarsBecomeReplacementCharacters() {
    #expect(DisplayText.sanitize("evil\u{202E}gpj") == "evil\u{FFFD}gpj")
    #expect(DisplayText.sanitize("a\u{1B}[31mb") == "a\u{FFFD}[31mb")
    #expect(DisplayText.sanitize("a\u{9B}b\u{0}c\u{7F}") == "a\u{FFFD}b\u{FFFD}c\u{FFFD}")
    #expect(DisplayText.sanitize("z\u{200B}w\u{200D}j\u{FEFF}") == "z\u{FFFD}w\u{FFFD}j\u{FFFD}")
    #expect(DisplayText.sanitize("a\nb\tc") == "a\u{FFFD}b\u{FFFD}c")
    #expect(DisplayText.sanitize("a\nb\tc\r\n", keepNewlines: true) == "a\nb\u{FFFD}c\u{FFFD}\n")
  }

  @Test func oneLineCollapsesBreaksAndCuts() {
    #expect(DisplayText.oneLine("a\n\n\tb\r\nc\u{2028}d") == "a b c d")
    #expect(DisplayText.oneLine("a\u{1B}b") == "a\u{FFFD}b")
    let long = String(repeating: "x", count: 500)
    let cut = DisplayText.oneLine(long, limit: 10)
    #expect(cut == "xxxxxxxxx…")
    #expect(cut.count == 10)
    #expect(DisplayText.oneLine("short", limit: 10) == "short")
    #expect(DisplayText.oneLine(long).count == 200)
  }

  @Test func markdownIsInert() {
    #expect(DisplayText.escapeMarkdown("*b* _e_ [l](u)") == #"\*b\* \_e\_ \[l\](u)"#)
    #expect(DisplayText.escapeMarkdown("a|b <x> `c` #1 &amp;") == ##"a\|b \<x\> \`c\` \#1 \&amp;"##)
    #expect(DisplayText.escapeMarkdown("- item") == #"\- item"#)
    #expect(DisplayText.escapeMarkdown("12. item") == #"12\. item"#)
    #expect(DisplayText.escapeMarkdown("18.7% -5 1) x") == "18.7% -5 1) x")
    #expect(DisplayText.escapeMarkdown("1)") == #"1\)"#)
    #expect(DisplayText.escapeMarkdown("web-01.lan") == "web-01.lan")
    #expect(DisplayText.escapeMarkdown("*\u{301}") == #"\*"# + "\u{301}")
  }

  @Test func htmlIsInert() {
    #expect(
      DisplayText.escapeHTML("<img src=x onerror='a(\"b\")'>&")
        == "&lt;img src=x onerror=&#39;a(&quot;b&quot;)&#39;&gt;&amp;")
    // A quote followed by a combining mark is one Character but still a quote to an HTML parser.
    #expect(DisplayText.escapeHTML("\"\u{301}") == "&quot;\u{301}")
    #expect(DisplayText.escapeHTML("x\u{202E}y") == "x\u{FFFD}y")
  }

  /// Shell quoting keeps the exact word (bash reads it back byte for byte) yet holds no raw unsafe
  /// scalar: `$'…\xHH…'` for words with control, bidi or zero-width characters.
  @Test func shellQuotingIsExactAndInert() throws {
    let words = HostileText.corpus.filter { !$0.contains("\u{0}") } + ["plain", "it's", ""]
    for word in words {
      let quoted = ShellQuoting.quote(word)
      #expect(HostileText.rawUnsafe(in: quoted).isEmpty, "raw unsafe in \(quoted)")
      #expect(!quoted.contains("\n"))
      let bash = Process()
      bash.executableURL = URL(fileURLWithPath: "/bin/bash")
      bash.arguments = ["-c", "printf '%s' " + quoted]
      let pipe = Pipe()
      bash.standardOutput = pipe
      try bash.run()
      let data = pipe.fileHandleForReading.readDataToEndOfFile()
      bash.waitUntilExit()
      #expect(data == Data(word.utf8), "bash read back a different word for \(quoted)")
    }
    #expect(ShellQuoting.quote("a\u{202E}b'c\\") == #"$'a\xE2\x80\xAEb\'c\\'"#)
  }

  /// JSON keeps the exact strings but shows no unsafe scalar.
  @Test(arguments: HostileText.corpus) func jsonEscapesUnsafeScalars(_ text: String) throws {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
    let json = DisplayText.escapingUnsafe(
      json: String(decoding: try encoder.encode(["name": text]), as: UTF8.self))
    #expect(HostileText.rawUnsafe(in: json).isEmpty)
    #expect(try JSONDecoder().decode([String: String].self, from: Data(json.utf8))["name"] == text)
  }
}
