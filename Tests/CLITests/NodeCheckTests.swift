import Execution
import Foundation
import PVEMendTestSupport
import PVEModel
import Testing
import Transport

@testable import PVEMendCLI

/// `pvemend check`'s per-node logic over a fake transport (no sshd): which commands it sends, how
/// each answer fills the table, which problems it reports with their fix.
@Suite("check: NodeCheck over any Transport")
struct NodeCheckTests {
  static let version = "pve-manager/8.2.4/faa83925c9641325 (running kernel: 6.8.8-2-pve)"

  static func status(quorate: Bool) -> String {
    let online = quorate ? 1 : 0
    return """
      [{"id":"cluster","name":"prod","nodes":3,"quorate":\(online),"type":"cluster"},\
      {"id":"node/pve1","name":"pve1","online":1,"type":"node"},\
      {"id":"node/pve2","name":"pve2","online":\(online),"type":"node"},\
      {"id":"node/pve3","name":"pve3","online":\(online),"type":"node"}]
      """
  }

  /// Answers `pveversion` and `pvesh get /cluster/status` like a Proxmox node.
  static func proxmox(quorate: Bool = true, pveversion: CommandResult? = nil) -> RecordingTransport
  {
    RecordingTransport(fingerprints: ["pve1": "SHA256:abc"]) { command in
      switch command.argv.first {
      case "pveversion": return pveversion ?? .text(version + "\n")
      case "pvesh": return .text(status(quorate: quorate))
      default: return .text("")
      }
    }
  }

  @Test("a quorate Proxmox node is ready; only read-only commands are sent")
  func ready() async {
    let transport = Self.proxmox()
    let check = await NodeCheck.run(node: "pve1", transport: transport)
    #expect(check.ready, "\(check.problems)")
    #expect(check.reachable == .passed("yes"))
    #expect(check.hostKey == .passed("SHA256:abc"))
    #expect(check.version == .passed(Self.version))
    #expect(check.quorum == .passed("quorate, prod: 3/3 nodes online"))
    #expect(
      transport.commands.map(\.argv) == [
        ["true"], ["pveversion"], ["pvesh", "get", "/cluster/status", "--output-format", "json"],
      ])
    #expect(transport.commands.allSatisfy { ReadOnlyCommands.isReadOnly($0.argv) })
  }

  @Test("no quorum: not ready, and the problem says to bring nodes back first")
  func notQuorate() async {
    let check = await NodeCheck.run(node: "pve1", transport: Self.proxmox(quorate: false))
    #expect(!check.ready)
    #expect(check.quorum == .failed("NOT quorate, prod: 1/3 nodes online"))
    #expect(check.problems.count == 1)
    #expect(check.problems[0].contains("bring nodes back online before changing anything"))
  }

  @Test("no pveversion (exit 127): version fails and quorum is not asked")
  func notProxmox() async {
    let transport = Self.proxmox(pveversion: .text("", stderr: "not found", status: 127))
    let check = await NodeCheck.run(node: "pve1", transport: transport)
    #expect(check.version == .failed("missing"))
    #expect(check.quorum == .skipped)
    #expect(!transport.commands.contains { $0.argv.first == "pvesh" })
    #expect(
      check.problems == [
        "pve1: pveversion not found; is this a Proxmox VE node? Check the host in the inventory"
      ])
  }

  @Test("a transport error fills the cells it concerns and stops the check")
  func connectErrors() async {
    let cases: [(TransportError, NodeCheck.Cell, NodeCheck.Cell, NodeCheck.Cell)] = [
      (.unreachable(node: "pve1", detail: "refused"), .failed("no"), .skipped, .skipped),
      (
        .changedHostKey(node: "pve1", host: "h", fingerprint: "SHA256:x", knownHosts: "kh"),
        .passed("yes"), .failed("CHANGED"), .skipped
      ),
      (
        .authenticationFailed(node: "pve1", user: "root", detail: "denied"), .passed("yes"),
        .passed("known"), .failed("refused")
      ),
      (.unknownNode("pve1"), .failed("not in inventory"), .skipped, .skipped),
    ]
    for (error, reachable, hostKey, login) in cases {
      let transport = RecordingTransport { _ in throw error }
      let check = await NodeCheck.run(node: "pve1", transport: transport)
      #expect(check.reachable == reachable, "\(error)")
      #expect(check.hostKey == hostKey, "\(error)")
      #expect(check.login == login, "\(error)")
      #expect(check.version == .skipped)
      #expect(check.problems == [error.description])
      #expect(transport.commands.count == 1)
    }
  }

  @Test("a transport that can say how it connected fills the first three columns from that")
  func handshake() async {
    let check = await NodeCheck.run(node: "pve1", transport: HandshakingFake(base: Self.proxmox()))
    #expect(check.reachable == .passed("10.0.0.1:22"))
    #expect(check.hostKey == .passed("known SHA256:abc"))
    #expect(check.login == .passed("root, key id_ed25519"))
    #expect(check.ready)
    #expect(NodeCheck.table([check]).hasPrefix("NODE  REACHABLE    HOST KEY"))
  }

  @Test("every run status exits with its documented code; usage is 64")
  func exitCodes() {
    let codes = RunStatus.allCases.map { ($0, ExitStatus.code($0)) }
    #expect(
      codes.map(\.1) == [0, 1, 2, 3, 4, 130], "\(codes)")
    // The journal's run-end exitCode and the summary's "exit N" are the process's exit code.
    #expect(codes.allSatisfy { $0.0.rawValue == $0.1 })
    #expect(ExitStatus.usage == 64)
  }
}

/// A fake with a handshake, like the live SSH transport.
struct HandshakingFake: NodeConnecting {
  let base: RecordingTransport

  func handshake(node: String) async throws -> NodeHandshake {
    NodeHandshake(
      address: "10.0.0.1:22", hostKey: "known SHA256:abc", login: "root, key id_ed25519")
  }

  func run(_ command: RemoteCommand, options: RunOptions) async throws -> CommandResult {
    try await base.run(command, options: options)
  }

  func hostKeyFingerprint(node: String) async -> String? { "SHA256:abc" }
  func shutdown() async {}
}
