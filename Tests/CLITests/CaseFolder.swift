import Foundation
import PVEMendTestSupport
import Testing

/// One folder under `Tests/CLITests/Cases/`: the inputs of a run of `pvemend` and its goldens.
///
/// - `snapshot.json`: the snapshot (possibly malformed on purpose);
/// - `playbook.yaml` (optional): the playbook; without it `playbooks/default.yaml` is used;
/// - `expect.json`: `about` (one line), and for bad input `exit` (2), `stderr` (strings the
///   message must contain: the file, the JSON path or YAML line, the fix) and optionally
///   `args.snapshot` (a snapshot file name to pass instead of `snapshot.json`); `forbidden`:
///   commands the plan must not contain (argv prefixes, `*` for any word) and why;
/// - `golden/*.txt`: one transcript per command (command line, exit status, stdout, stderr),
///   compared byte for byte and rewritten with `PVEMEND_RECORD=1`.
struct CaseFolder: Sendable, CustomTestStringConvertible {
  /// What `expect.json` says.
  struct Expectation: Decodable, Sendable {
    struct Arguments: Decodable, Sendable {
      var snapshot: String?
    }
    /// A command the plan must not contain: an argv prefix (`*` matches any one word) and why
    /// Proxmox (or common sense) refuses it.
    struct Forbidden: Decodable, Sendable {
      var argv: [String]
      var why: String

      func matches(_ argv: [String]) -> Bool {
        self.argv.count <= argv.count
          && zip(self.argv, argv).allSatisfy { pattern, word in pattern == "*" || pattern == word }
      }
    }
    var about: String
    var exit: Int32?
    var stderr: [String]?
    var args: Arguments?
    var forbidden: [Forbidden]?
  }

  static let root = Fixtures.root.appendingPathComponent("Tests/CLITests/Cases")

  var name: String
  var expectation: Expectation

  var testDescription: String { name }
  var url: URL { Self.root.appendingPathComponent(name) }
  var goldenFolder: URL { url.appendingPathComponent("golden") }
  /// Bad input: every command must refuse it with exit 2.
  var isBadInput: Bool { (expectation.exit ?? 0) != 0 }
  var snapshotArgument: String { expectation.args?.snapshot ?? "snapshot.json" }

  /// Every case folder, sorted by name (folders without `expect.json` are not cases).
  static let all: [CaseFolder] = {
    let names =
      (try? FileManager.default.contentsOfDirectory(atPath: root.path).sorted()) ?? []
    return names.compactMap { name in
      let file = root.appendingPathComponent(name).appendingPathComponent("expect.json")
      guard let data = try? Data(contentsOf: file),
        let expectation = try? JSONDecoder().decode(Expectation.self, from: data)
      else { return nil }
      return CaseFolder(name: name, expectation: expectation)
    }
  }()

  /// A scratch directory holding the case's inputs (and the default playbook when it has none),
  /// so every command runs with short relative paths and goldens do not depend on the checkout.
  func stage() throws -> URL {
    let dir = try Spawn.temporaryDirectory(name)
    let fm = FileManager.default
    for item in try fm.contentsOfDirectory(atPath: url.path)
    where item != "golden" && item != "expect.json" {
      try fm.copyItem(at: url.appendingPathComponent(item), to: dir.appendingPathComponent(item))
    }
    let playbook = dir.appendingPathComponent("playbook.yaml")
    if !fm.fileExists(atPath: playbook.path) {
      try fm.copyItem(at: Fixtures.playbook("default.yaml"), to: playbook)
    }
    return dir
  }
}
