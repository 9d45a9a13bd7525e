import Foundation
import PVEMendTestSupport
import PVEModel
import Playbook
import Runbook
import Testing

/// The runbook of the reference cluster (examples/homelab-cluster.json with playbooks/homelab.yaml)
/// and of the case clusters (`DRCases`), in markdown, HTML and JSON, byte for byte
/// (`Golden/<case>/runbook.{md,html,json}`).
@Suite struct RunbookGoldenTests {
  static func reference() throws -> (Cluster, Policy) {
    let data = try Data(contentsOf: Fixtures.example("homelab-cluster.json"))
    let snapshot = try Snapshot.decode(data, file: "examples/homelab-cluster.json")
    let cluster = try Cluster(snapshot: snapshot, file: "examples/homelab-cluster.json")
    let text = try String(contentsOf: Fixtures.playbook("homelab.yaml"), encoding: .utf8)
    return (cluster, try PlaybookDecoder.decode(text, file: "playbooks/homelab.yaml"))
  }

  static func book(_ name: String) throws -> Runbook {
    if name == "reference" {
      let (cluster, policy) = try reference()
      return Runbook(cluster: cluster, policy: policy)
    }
    return Runbook(
      cluster: DRCases.cluster(name), policy: try DRCases.policy(),
      records: DRCases.records(name))
  }

  static let all = ["reference"] + DRCases.names

  @Test(arguments: all) func golden(_ name: String) throws {
    let book = try Self.book(name)
    assertGolden(RunbookMarkdownView.render(book), "\(name)/runbook.md")
    assertGolden(RunbookHTMLView.render(book), "\(name)/runbook.html")
    assertGolden(book.json(), "\(name)/runbook.json")
  }

  @Test(arguments: all) func sameInputSameBytes(_ name: String) throws {
    let a = try Self.book(name)
    let b = try Self.book(name)
    #expect(a == b)
    #expect(RunbookMarkdownView.render(a) == RunbookMarkdownView.render(b))
    #expect(RunbookHTMLView.render(a) == RunbookHTMLView.render(b))
    let decoded = try JSONDecoder().decode(Runbook.self, from: Data(a.json().utf8))
    #expect(decoded == a)
  }

  /// Proxmox's own schema accepts every Proxmox command of every runbook (PVE 8 and 9,
  /// `../shared/tools/pve-argv-check`); the config moves are `mv` of one pmxcfs path.
  @Test func proxmoxAcceptsEveryCommand() throws {
    var argvs: [[String]] = []
    for name in Self.all {
      for s in try Self.book(name).scenarios {
        for r in s.byHand {
          for c in r.commands {
            if c.argv.first == "mv" {
              #expect(c.argv.count == 3)
              #expect(c.argv[1].hasPrefix("/etc/pve/nodes/") && c.argv[1].hasSuffix(".conf"))
            } else {
              argvs.append(c.argv)
            }
          }
        }
      }
    }
    #expect(argvs.contains { $0.first == "qmrestore" })
    #expect(argvs.contains { $0.prefix(2) == ["pct", "restore"] })
    guard let shared = Fixtures.shared else {
      print("skipped: ../shared is absent, so pve-argv-check and endpoints.json are not available")
      return
    }
    let file = FileManager.default.temporaryDirectory
      .appendingPathComponent("pvemend-runbook-argv-\(getpid()).json")
    try JSONEncoder().encode(argvs).write(to: file)
    defer { try? FileManager.default.removeItem(at: file) }
    for pve in ["8", "9"] {
      let process = Process()
      process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
      process.arguments = [
        "python3", shared.appendingPathComponent("tools/pve-argv-check").path, "--pve", pve,
        "--quiet", file.path,
      ]
      let pipe = Pipe()
      process.standardOutput = pipe
      process.standardError = pipe
      try process.run()
      let output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
      process.waitUntilExit()
      #expect(process.terminationStatus == 0, "PVE \(pve): \(output)")
    }
  }
}
