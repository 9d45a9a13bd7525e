import Foundation

/// Paths of the repository, for tests that read `examples/` and `playbooks/`.
package enum Fixtures {
  /// The package root (found from this file's path).
  package static let root: URL = {
    var url = URL(fileURLWithPath: #filePath)
    for _ in 0..<3 { url.deleteLastPathComponent() }
    return url
  }()

  package static func example(_ name: String) -> URL {
    root.appendingPathComponent("examples").appendingPathComponent(name)
  }

  package static func playbook(_ name: String) -> URL {
    root.appendingPathComponent("playbooks").appendingPathComponent(name)
  }

  /// `../shared` beside the checkout, if present.
  package static let shared: URL? = {
    let url = root.deletingLastPathComponent().appendingPathComponent("shared")
    return FileManager.default.fileExists(atPath: url.path) ? url : nil
  }()
}
