import Foundation
import PVEMendTestSupport
import SSHTransport
import Testing
import Transport

/// Host key checking against a real sshd: pvemend's own known_hosts handling.
@Suite struct HostKeyTests {
  static let server = Result { try SSHD.start() }

  var sshd: SSHD { get throws { try Self.server.get() } }

  /// Writes a known_hosts file for one test and returns its path.
  func knownHosts(_ lines: [String]) throws -> String {
    let path = try temporaryDirectory().appendingPathComponent("known_hosts").path
    try (lines.joined(separator: "\n") + "\n").write(
      toFile: path, atomically: true, encoding: .utf8)
    return path
  }

  /// The `SHA256:…` fingerprint ssh-keygen prints for a public key file.
  func fingerprint(_ publicKeyFile: String) throws -> String {
    let output = try SSHD.run("/usr/bin/ssh-keygen", ["-l", "-E", "sha256", "-f", publicKeyFile])
    return String(output.split(separator: " ")[1])
  }

  var ed25519PublicKey: String {
    get throws { try #require(sshd.keys.hostKeys.first { $0.contains("ed25519") }) + ".pub" }
  }

  /// A syntactically valid ed25519 key that is not the server's.
  func otherEd25519Key() throws -> String {
    let path = try temporaryDirectory().appendingPathComponent("other").path
    try SSHD.keygen(type: "ed25519", path: path)
    let fields = try String(contentsOfFile: path + ".pub", encoding: .utf8).split(separator: " ")
    return "\(fields[0]) \(fields[1])"
  }

  func connect(knownHosts path: String, acceptNew: Bool = false) async throws -> ConnectionReport {
    var settings = SSHSettings()
    settings.acceptNewHostKeys = acceptNew
    return try await withTransport(try sshd.transport(knownHosts: path, settings: settings)) {
      try await $0.connect(node: "pve1")
    }
  }

  @Test func knownKeyAccepted() async throws {
    let report = try await connect(knownHosts: try sshd.knownHostsFile)
    #expect(report.hostKey == .known)
    #expect(report.fingerprint == (try fingerprint(ed25519PublicKey)))
    #expect(report.hostKeyType == "ssh-ed25519")
  }

  @Test func unknownHostRefusedWithFingerprint() async throws {
    let path = try knownHosts(["# empty"])
    let expected = try fingerprint(ed25519PublicKey)
    do {
      _ = try await connect(knownHosts: path)
      Issue.record("connected to an unknown host")
    } catch let error as TransportError {
      #expect(
        error
          == .unknownHostKey(
            node: "pve1", host: "[127.0.0.1]:\(try sshd.port)", fingerprint: expected,
            knownHosts: path))
      #expect(error.description.contains(expected))
      #expect(error.description.contains("--accept-new-host-keys"))
    }
  }

  @Test func changedHostKeyRefused() async throws {
    let port = try sshd.port
    let path = try knownHosts(["[127.0.0.1]:\(port) \(try otherEd25519Key())"])
    await #expect(
      throws: TransportError.changedHostKey(
        node: "pve1", host: "[127.0.0.1]:\(port)", fingerprint: try fingerprint(ed25519PublicKey),
        knownHosts: path)
    ) {
      _ = try await connect(knownHosts: path)
    }
  }

  @Test func revokedKeyRefusedEvenWhenListed() async throws {
    let line = try sshd.knownHostsLine(type: "ed25519")
    let path = try knownHosts(["@revoked \(line)", line])
    await #expect(
      throws: TransportError.revokedHostKey(
        node: "pve1", host: "[127.0.0.1]:\(try sshd.port)",
        fingerprint: try fingerprint(ed25519PublicKey))
    ) {
      _ = try await connect(knownHosts: path)
    }
  }

  @Test func hashedKnownHostsAccepted() async throws {
    let path = try knownHosts([try sshd.knownHostsLine(type: "ed25519")])
    try SSHD.run("/usr/bin/ssh-keygen", ["-H", "-f", path])
    let text = try String(contentsOfFile: path, encoding: .utf8)
    #expect(text.hasPrefix("|1|"))
    #expect(!text.contains("127.0.0.1"))
    let report = try await connect(knownHosts: path)
    #expect(report.hostKey == .known)
  }

  @Test func acceptNewHashesWhenTheFileIsHashed() async throws {
    // A hashed entry for another host: new entries are hashed too, as OpenSSH on Debian does.
    let path = try knownHosts(["[127.0.0.1]:1 \(try otherEd25519Key())"])
    try SSHD.run("/usr/bin/ssh-keygen", ["-H", "-f", path])
    let first = try await connect(knownHosts: path, acceptNew: true)
    #expect(first.hostKey == .recorded)
    let text = try String(contentsOfFile: path, encoding: .utf8)
    #expect(!text.contains("127.0.0.1"))
    let found = try SSHD.run(
      "/usr/bin/ssh-keygen", ["-F", "[127.0.0.1]:\(try sshd.port)", "-f", path])
    #expect(found.contains("ssh-ed25519"))
    #expect(try await connect(knownHosts: path).hostKey == .known)
  }

  @Test(arguments: ["ed25519", "ecdsa"])
  func onlyOneKeyTypeOnFileIsNegotiated(type: String) async throws {
    let path = try knownHosts([try sshd.knownHostsLine(type: type)])
    let report = try await connect(knownHosts: path)
    #expect(report.hostKeyType == (type == "ed25519" ? "ssh-ed25519" : "ecdsa-sha2-nistp256"))
  }

  @Test func plainHostEntryDoesNotMatchOtherPort() async throws {
    let line = try sshd.knownHostsLine(type: "ed25519")
      .replacingOccurrences(of: "[127.0.0.1]:\(try sshd.port)", with: "127.0.0.1")
    let path = try knownHosts([line])
    await #expect {
      _ = try await connect(knownHosts: path)
    } throws: { error in
      guard case .unknownHostKey = error as? TransportError else { return false }
      return true
    }
  }

  @Test func certAuthorityLinesAreIgnored() async throws {
    let path = try knownHosts(["@cert-authority \(try sshd.knownHostsLine(type: "ed25519"))"])
    await #expect {
      _ = try await connect(knownHosts: path)
    } throws: { error in
      guard case .unknownHostKey = error as? TransportError else { return false }
      return true
    }
  }

  @Test func acceptNewRecordsFirstKeyThenRefusesAChangedOne() async throws {
    let directory = try temporaryDirectory()
    let path = directory.appendingPathComponent("ssh/known_hosts").path
    let first = try await connect(knownHosts: path, acceptNew: true)
    #expect(first.hostKey == .recorded)
    let recorded = try String(contentsOfFile: path, encoding: .utf8)
    #expect(recorded == (try sshd.knownHostsLine(type: "ed25519")) + "\n")
    // OpenSSH agrees with what was recorded.
    let found = try SSHD.run(
      "/usr/bin/ssh-keygen", ["-F", "[127.0.0.1]:\(try sshd.port)", "-f", path])
    #expect(found.contains("ssh-ed25519"))

    let second = try await connect(knownHosts: path, acceptNew: true)
    #expect(second.hostKey == .known)

    let changed = try knownHosts(["[127.0.0.1]:\(try sshd.port) \(try otherEd25519Key())"])
    let before = try String(contentsOfFile: changed, encoding: .utf8)
    await #expect {
      _ = try await connect(knownHosts: changed, acceptNew: true)
    } throws: { error in
      guard case .changedHostKey = error as? TransportError else { return false }
      return true
    }
    #expect(try String(contentsOfFile: changed, encoding: .utf8) == before)
  }
}
