import Foundation
import PVEMendTestSupport
import SSHTransport
import Testing
import Transport

/// The authentication matrix against a real sshd: key files of each kind, passphrases, ssh-agent,
/// and the clear refusal of RSA keys (libssh2 1.10 cannot sign rsa-sha2).
@Suite struct AuthenticationTests {
  /// One server and one set of client keys for the file; every key but `unauthorized` is authorized.
  struct Fixture: Sendable {
    let sshd: SSHD
    let directory: URL
    func key(_ name: String) -> String { directory.appendingPathComponent(name).path }
  }

  static let fixture = Result { () throws -> Fixture in
    let sshd = try SSHD.start()
    let directory = try SSHD.makeTemporaryDirectory(prefix: "pvemend-keys")
    let keys: [(name: String, type: String, passphrase: String, pem: Bool)] = [
      ("ecdsa", "ecdsa", "", false),
      ("ecdsa_pem", "ecdsa", "", true),
      ("ed25519_pass", "ed25519", "sesame", false),
      ("ecdsa_pem_pass", "ecdsa", "sesame", true),
      ("rsa", "rsa", "", false),
      ("unauthorized", "ed25519", "", false),
    ]
    for key in keys {
      let path = directory.appendingPathComponent(key.name).path
      try SSHD.keygen(type: key.type, path: path, passphrase: key.passphrase, pem: key.pem)
      if key.name != "unauthorized" { try sshd.authorize(publicKeyFile: path + ".pub") }
    }
    return Fixture(sshd: sshd, directory: directory)
  }

  var fixture: Fixture { get throws { try Self.fixture.get() } }

  func connect(
    identity: String?, agent: AgentSource = .none, passphrase: String? = nil
  ) async throws -> ConnectionReport {
    let fixture = try fixture
    var settings = SSHSettings()
    settings.passphrase = { _ in passphrase }
    var endpoint = fixture.sshd.endpoint(agent: agent)
    endpoint.identityFiles = identity.map { [$0] } ?? []
    return try await withTransport(LibSSH2Transport(endpoints: [endpoint], settings: settings)) {
      try await $0.connect(node: "pve1")
    }
  }

  @Test(arguments: ["ecdsa", "ecdsa_pem"])
  func keyFileAuthenticates(name: String) async throws {
    let path = try fixture.key(name)
    let report = try await connect(identity: path)
    #expect(report.authentication == "key \(path)")
  }

  @Test func ed25519KeyFileAuthenticatesAndRuns() async throws {
    let fixture = try fixture
    try await withTransport(fixture.sshd.transport()) { transport in
      let report = try await transport.connect(node: "pve1")
      #expect(report.authentication == "key \(fixture.sshd.clientKey)")
      #expect(try await transport.run(shell("echo hi")).stdoutText == "hi\n")
    }
  }

  @Test(arguments: ["ed25519_pass", "ecdsa_pem_pass"])
  func passphraseKeyAuthenticates(name: String) async throws {
    let path = try fixture.key(name)
    #expect(IdentityKey.inspect(path: path)?.encrypted == true)
    let report = try await connect(identity: path, passphrase: "sesame")
    #expect(report.authentication == "key \(path)")
  }

  @Test func passphraseKeyWithoutPassphraseSaysWhereToPutIt() async throws {
    let path = try fixture.key("ed25519_pass")
    await #expect {
      _ = try await connect(identity: path, passphrase: nil)
    } throws: { error in
      guard case .authenticationFailed(_, _, let detail) = error as? TransportError else {
        return false
      }
      return detail.contains("PVEMEND_SSH_PASSPHRASE")
    }
  }

  @Test func wrongPassphraseFails() async throws {
    let path = try fixture.key("ed25519_pass")
    await #expect {
      _ = try await connect(identity: path, passphrase: "wrong")
    } throws: { error in
      guard case .authenticationFailed = error as? TransportError else { return false }
      return true
    }
  }

  @Test func rsaKeyIsRefusedUpFrontWithTheFix() async throws {
    let path = try fixture.key("rsa")
    #expect(IdentityKey.inspect(path: path)?.kind == .rsa)
    do {
      _ = try await connect(identity: path)
      Issue.record("an RSA key authenticated")
    } catch let error as TransportError {
      #expect(error == .rsaKeyUnsupported(node: "pve1", path: path))
      #expect(error.description.contains("ssh-keygen -t ed25519"))
    }
  }

  @Test func unauthorizedKeyFails() async throws {
    let path = try fixture.key("unauthorized")
    await #expect {
      _ = try await connect(identity: path)
    } throws: { error in
      guard case .authenticationFailed(let node, let user, let detail) = error as? TransportError
      else { return false }
      return node == "pve1" && user == (try? fixture.sshd.user) && detail.contains(path)
    }
  }

  @Test func missingIdentityWithoutAgentFails() async throws {
    await #expect {
      _ = try await connect(identity: "/nonexistent/id_ed25519")
    } throws: { error in
      guard case .authenticationFailed(_, _, let detail) = error as? TransportError else {
        return false
      }
      return detail.contains("no identity")
    }
  }

  @Test func agentAuthenticatesSkippingRSAKeys() async throws {
    let fixture = try fixture
    let agent = try SSHAgent()
    defer { agent.stop() }
    try agent.add(fixture.key("rsa"))
    try agent.add(fixture.key("ecdsa"))
    let report = try await connect(identity: nil, agent: .socket(agent.socket))
    #expect(report.authentication.hasPrefix("ssh-agent key"))
  }

  @Test func agentWithOnlyRSAKeyGivesTheRSAError() async throws {
    let fixture = try fixture
    let agent = try SSHAgent()
    defer { agent.stop() }
    try agent.add(fixture.key("rsa"))
    await #expect {
      _ = try await connect(identity: fixture.key("rsa"), agent: .socket(agent.socket))
    } throws: { error in
      guard case .rsaKeyUnsupported = error as? TransportError else { return false }
      return true
    }
  }

  @Test func identityKinds() throws {
    let fixture = try fixture
    #expect(IdentityKey.inspect(path: fixture.key("ecdsa"))?.kind == .ecdsa)
    #expect(IdentityKey.inspect(path: fixture.key("ecdsa_pem"))?.kind == .ecdsa)
    #expect(IdentityKey.inspect(path: fixture.key("ecdsa_pem_pass"))?.encrypted == true)
    #expect(IdentityKey.inspect(path: fixture.key("ecdsa_pem"))?.encrypted == false)
    #expect(IdentityKey.inspect(path: fixture.sshd.clientKey)?.kind == .ed25519)
    #expect(IdentityKey.inspect(path: "/nonexistent") == nil)
  }
}
