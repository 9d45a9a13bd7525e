import Foundation
import Testing

/// Golden files: the one comparison and the one record switch of every test target.
///
/// `assertGolden` compares byte for byte. With `PVEMEND_RECORD=1`, or when the file does not exist
/// yet, it writes the actual output to the file and fails with "recorded new baseline", so a
/// recording run never passes silently (swift-argument-parser's `assertSnapshot`). A difference
/// fails with the first differing line, both versions of it, and how to re-record. Re-record only
/// with a reason in the commit message, after reading the diff.
package enum Golden {
  /// The environment variable that turns recording on (`PVEMEND_RECORD=1`).
  package static let recordVariable = "PVEMEND_RECORD"

  /// Whether this run rewrites golden files instead of comparing.
  package static var recording: Bool {
    ProcessInfo.processInfo.environment[recordVariable] == "1"
  }

  /// `Tests/<Target>/Golden` of the test target a source file belongs to.
  package static func folder(of filePath: String) -> URL {
    var url = URL(fileURLWithPath: filePath).deletingLastPathComponent()
    while url.deletingLastPathComponent().lastPathComponent != "Tests", url.path != "/" {
      url.deleteLastPathComponent()
    }
    return url.appendingPathComponent("Golden")
  }

  /// A path as the messages show it: relative to the package root.
  static func shown(_ file: URL) -> String {
    let root = Fixtures.root.standardizedFileURL.path + "/"
    let path = file.standardizedFileURL.path
    return path.hasPrefix(root) ? String(path.dropFirst(root.count)) : path
  }
}

/// Compares `actual` with `Golden/<name>` of the calling test target (`Tests/<Target>/Golden/`).
package func assertGolden(
  _ actual: String, _ name: String, filePath: String = #filePath,
  sourceLocation: SourceLocation = #_sourceLocation
) {
  assertGolden(
    Data(actual.utf8), at: Golden.folder(of: filePath).appendingPathComponent(name),
    sourceLocation: sourceLocation)
}

/// Compares `actual` with the file at `file`.
package func assertGolden(
  _ actual: String, at file: URL, sourceLocation: SourceLocation = #_sourceLocation
) {
  assertGolden(Data(actual.utf8), at: file, sourceLocation: sourceLocation)
}

/// Compares `actual` with the file at `file`, byte for byte.
package func assertGolden(
  _ actual: Data, at file: URL, sourceLocation: SourceLocation = #_sourceLocation
) {
  let shown = Golden.shown(file)
  let expected = FileManager.default.contents(atPath: file.path)
  if Golden.recording || expected == nil {
    do {
      try FileManager.default.createDirectory(
        at: file.deletingLastPathComponent(), withIntermediateDirectories: true)
      try actual.write(to: file)
      Issue.record(
        "recorded new baseline \(shown); run again without \(Golden.recordVariable)",
        sourceLocation: sourceLocation)
    } catch {
      Issue.record("cannot write \(shown): \(error)", sourceLocation: sourceLocation)
    }
    return
  }
  guard let expected, expected != actual else { return }
  let e = String(decoding: expected, as: UTF8.self).split(
    separator: "\n", omittingEmptySubsequences: false)
  let a = String(decoding: actual, as: UTF8.self).split(
    separator: "\n", omittingEmptySubsequences: false)
  let line = (0..<min(a.count, e.count)).first { a[$0] != e[$0] } ?? min(a.count, e.count)
  let want = line < e.count ? String(e[line]) : "<end of file>"
  let got = line < a.count ? String(a[line]) : "<end of output>"
  Issue.record(
    """
    \(shown) differs at line \(line + 1):
      expected: \(want)
      actual:   \(got)
    (\(Golden.recordVariable)=1 re-records it)
    """, sourceLocation: sourceLocation)
}

/// Compares a report's three views with `Golden/<stem>.txt`, `.md` and `.json` of the calling test
/// target (the shape of every example golden: audit reports, rehearsals, evacuations, runbooks).
package func assertGoldenViews(
  text: String, markdown: String, json: String, _ stem: String, filePath: String = #filePath,
  sourceLocation: SourceLocation = #_sourceLocation
) {
  for (actual, ext) in [(text, "txt"), (markdown, "md"), (json, "json")] {
    assertGolden(actual, "\(stem).\(ext)", filePath: filePath, sourceLocation: sourceLocation)
  }
}
