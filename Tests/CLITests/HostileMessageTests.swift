import Foundation
import PVEMendTestSupport
import PVEModel
import Testing

/// Error messages quote what the user passed (file names) and what the input holds: run as a user
/// runs it, `pvemend` never writes a raw control or bidi character to the terminal.
@Suite struct HostileMessageTests {
  /// Corpus strings usable as a file name (no NUL, no `/`, not too long for the file system, not
  /// read as an option).
  static let names = HostileText.corpus.filter {
    !$0.contains("\u{0}") && !$0.contains("/") && $0.utf8.count < 200 && !$0.hasPrefix("-")
  }

  @Test func missingAndBadFilesAreNamedSafely() throws {
    let dir = try Spawn.temporaryDirectory("hostile-messages")
    defer { try? FileManager.default.removeItem(at: dir) }
    try FileManager.default.copyItem(
      at: Fixtures.example("homelab-cluster.json"), to: dir.appendingPathComponent("snapshot.json"))
    for name in Self.names {
      // A plan file that is not JSON, under the hostile name.
      try Data("not json \(name)".utf8).write(to: dir.appendingPathComponent(name + ".json"))
      let runs = [
        try Spawn.pvemend(["show", name + ".json", "--format", "html"], in: dir),
        try Spawn.pvemend(["show", name + "-missing.json"], in: dir),
        try Spawn.pvemend(["plan", "snapshot.json", "--playbook", name + ".yaml"], in: dir),
        try Spawn.pvemend(["audit", name + ".json"], in: dir),
      ]
      for run in runs {
        #expect(run.status == 2, "\(run.transcript.debugDescription)")
        let raw = HostileText.rawUnsafe(in: run.stderrText + run.stdoutText)
        #expect(raw.isEmpty, "\(run.commandLine): raw \(raw.map { String($0.value, radix: 16) })")
        // The name is there, made safe: unsafe scalars as U+FFFD, line breaks as spaces.
        let shown = DisplayText.oneLine(String(name.prefix(6)), limit: .max)
        #expect(run.stderrText.contains(shown), "\(run.transcript.debugDescription)")
      }
    }
  }
}
