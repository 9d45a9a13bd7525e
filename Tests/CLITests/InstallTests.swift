import Foundation
import PVEMendTestSupport
import Testing

@testable import PVEMendCLI

/// What `scripts/install` builds on, with the debug binary (no release build here): `--version`,
/// the completion scripts, the help dump generate-manual reads; and `scripts/check-deps`.
@Suite("install: version, completions, man page input, dependency check")
struct InstallTests {
  static var subcommands: [String] {
    PVEMendCommand.configuration.subcommands.map { $0._commandName }
  }

  func pvemend(_ arguments: [String]) throws -> ProcessRun {
    let dir = try Spawn.temporaryDirectory("install")
    defer { try? FileManager.default.removeItem(at: dir) }
    return try Spawn.pvemend(arguments, in: dir)
  }

  @Test("--version prints the tool and the snapshot and plan format versions")
  func version() throws {
    let run = try pvemend(["--version"])
    #expect(run.status == 0)
    #expect(
      run.stdoutText
        == "pvemend 0.1.0\nsnapshot format: pvemend-snapshot/1\nplan format: pvemend-plan/1\n")
  }

  @Test(
    "a completion script for each shell, naming every subcommand",
    arguments: ["bash", "zsh", "fish"])
  func completion(shell: String) throws {
    let run = try pvemend(["--generate-completion-script", shell])
    #expect(run.status == 0, "\(run.stderrText)")
    for name in Self.subcommands {
      #expect(run.stdoutText.contains(name), "\(shell) completion lacks \(name)")
    }
    #expect(run.stdoutText.contains("--execute"))
  }

  @Test("the help dump generate-manual reads lists every subcommand with its abstract")
  func helpDump() throws {
    let run = try pvemend(["--experimental-dump-help"])
    #expect(run.status == 0, "\(run.stderrText)")
    let json = try #require(try JSONSerialization.jsonObject(with: run.stdout) as? [String: Any])
    let command = try #require(json["command"] as? [String: Any])
    let subcommands = try #require(command["subcommands"] as? [[String: Any]])
    let names = subcommands.compactMap { $0["commandName"] as? String }
    #expect(names == Self.subcommands + ["help"])
    #expect(subcommands.allSatisfy { ($0["abstract"] as? String)?.isEmpty == false })
  }

  @Test("scripts/install refuses an unknown argument with 64 and documents itself")
  func installArguments() throws {
    let script = Fixtures.root.appendingPathComponent("scripts/install").path
    let dir = try Spawn.temporaryDirectory("install")
    defer { try? FileManager.default.removeItem(at: dir) }
    let bad = try Spawn.run(script, ["--frobnicate"], label: "install", in: dir)
    #expect(bad.status == 64)
    #expect(bad.stderrText.contains("unknown argument '--frobnicate'"))
    let help = try Spawn.run(script, ["--help"], label: "install", in: dir)
    #expect(help.status == 0)
    #expect(help.stdoutText.contains("--prefix DIR"))
  }

  @Test("scripts/check-deps passes on this package and catches both kinds of mismatch")
  func checkDeps() throws {
    let script = Fixtures.root.appendingPathComponent("scripts/check-deps").path
    let here = try Spawn.run(script, [Fixtures.root.path], label: "check-deps", in: Fixtures.root)
    #expect(here.status == 0, "\(here.stdoutText)")

    let dir = try Spawn.temporaryDirectory("deps")
    defer { try? FileManager.default.removeItem(at: dir) }
    let files = [
      "Package.swift": """
      // swift-tools-version: 6.1
      import PackageDescription
      let package = Package(name: "p", targets: [
        .target(name: "A"),
        .target(name: "B", dependencies: ["A"]),  // declared, never imported
        .target(name: "C", dependencies: [.product(name: "Yams", package: "Yams")]),
      ])
      """,
      "Sources/A/A.swift": "import Foundation\n",
      "Sources/B/B.swift": "import Foundation\n",
      "Sources/C/C.swift": "import Yams\n@testable import A\n",
    ]
    for (path, text) in files {
      let url = dir.appendingPathComponent(path)
      try FileManager.default.createDirectory(
        at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
      try text.write(to: url, atomically: true, encoding: .utf8)
    }
    let run = try Spawn.run(script, [dir.path], label: "check-deps", in: dir)
    #expect(run.status == 1)
    #expect(
      run.stdoutText == """
        B: Package.swift declares A, but no file under Sources/B imports it; remove it from B's dependencies
        C: Sources/C/C.swift imports A, which Package.swift does not declare; add "A" to C's dependencies (or remove the import)
        check-deps: 2 mismatch(es) between imports and Package.swift

        """)
  }
}
