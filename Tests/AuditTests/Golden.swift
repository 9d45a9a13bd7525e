import Foundation
import PVEMendTestSupport
import Testing

/// Golden files under `Tests/AuditTests/Golden/`: compared byte for byte, rewritten when
/// `PVEMEND_RECORD=1` is set (the test then fails with "recorded new baseline").
enum Golden {
  static let folder = Fixtures.root.appendingPathComponent("Tests/AuditTests/Golden")

  static var recording: Bool { ProcessInfo.processInfo.environment["PVEMEND_RECORD"] == "1" }

  static func check(
    _ actual: String, _ relativePath: String, sourceLocation: SourceLocation = #_sourceLocation
  ) throws {
    let url = folder.appendingPathComponent(relativePath)
    let expected = try? String(contentsOf: url, encoding: .utf8)
    if recording || expected == nil {
      try FileManager.default.createDirectory(
        at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
      try Data(actual.utf8).write(to: url)
      Issue.record(
        "recorded new baseline \(relativePath); run again without PVEMEND_RECORD",
        sourceLocation: sourceLocation)
      return
    }
    guard let expected, expected != actual else { return }
    let a = actual.split(separator: "\n", omittingEmptySubsequences: false)
    let e = expected.split(separator: "\n", omittingEmptySubsequences: false)
    let line = (0..<min(a.count, e.count)).first { a[$0] != e[$0] } ?? min(a.count, e.count)
    let got = line < a.count ? String(a[line]) : "<end of output>"
    let want = line < e.count ? String(e[line]) : "<end of file>"
    Issue.record(
      "\(relativePath) differs at line \(line + 1):\n  expected: \(want)\n  actual:   \(got)\n(PVEMEND_RECORD=1 re-records it)",
      sourceLocation: sourceLocation)
  }
}
