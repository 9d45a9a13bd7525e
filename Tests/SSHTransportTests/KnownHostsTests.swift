import Foundation
import SSHTransport
import Testing

/// known_hosts parsing and matching without a server.
@Suite struct KnownHostsTests {
  let key = Data("key-one".utf8)
  let other = Data("key-two".utf8)

  func text(_ lines: [String]) -> KnownHosts { KnownHosts(text: lines.joined(separator: "\n")) }

  @Test func portsWildcardsAndNegation() {
    let b64 = key.base64EncodedString()
    let file = text([
      "# comment", "", "pve1,10.0.0.11 ssh-ed25519 \(b64)", "[pve2]:2222 ssh-ed25519 \(b64)",
      "*.lan,!bad.lan ssh-ed25519 \(b64)", "garbage", "@bogus pve1 ssh-ed25519 \(b64)",
      "pve4 ssh-ed25519 !!notbase64!!",
    ])
    #expect(file.entries.count == 3)
    #expect(file.verdict(host: "pve1", port: 22, key: key) == .known)
    #expect(file.verdict(host: "PVE1", port: 22, key: key) == .known)
    #expect(file.verdict(host: "10.0.0.11", port: 22, key: key) == .known)
    #expect(file.verdict(host: "pve1", port: 2222, key: key) == .unknown)
    #expect(file.verdict(host: "pve2", port: 2222, key: key) == .known)
    #expect(file.verdict(host: "pve2", port: 22, key: key) == .unknown)
    #expect(file.verdict(host: "x.lan", port: 22, key: key) == .known)
    #expect(file.verdict(host: "bad.lan", port: 22, key: key) == .unknown)
    #expect(file.verdict(host: "pve1", port: 22, key: other) == .changed)
    #expect(file.entries.first?.line == 3)
  }

  @Test func hashedLinesMatchOnlyTheirHost() {
    let line = KnownHosts.hashedLine(host: "Pve1", port: 2222, keyType: "ssh-ed25519", key: key)
    #expect(line.hasPrefix("|1|"))
    #expect(!line.contains("pve1"))
    let file = text([line])
    #expect(file.verdict(host: "pve1", port: 2222, key: key) == .known)
    #expect(file.verdict(host: "pve1", port: 22, key: key) == .unknown)
    #expect(file.verdict(host: "pve2", port: 2222, key: key) == .unknown)
  }

  @Test func revokedAndCertAuthorityMarkers() {
    let b64 = key.base64EncodedString()
    let file = text([
      "@revoked pve1 ssh-ed25519 \(b64)", "pve1 ssh-ed25519 \(b64)",
      "@cert-authority pve2 ssh-ed25519 \(b64)",
    ])
    #expect(file.verdict(host: "pve1", port: 22, key: key) == .revoked)
    #expect(file.verdict(host: "pve2", port: 22, key: key) == .unknown)
    #expect(file.keyTypes(forHost: "pve2", port: 22) == [])
  }

  @Test func keyTypesInFileOrder() {
    let b64 = key.base64EncodedString()
    let file = text([
      "pve1 ecdsa-sha2-nistp256 \(b64)", "pve1 ssh-ed25519 \(b64)",
      "pve1 ecdsa-sha2-nistp256 \(b64)",
    ])
    #expect(file.keyTypes(forHost: "pve1", port: 22) == ["ecdsa-sha2-nistp256", "ssh-ed25519"])
  }

  @Test func linesAndFingerprints() {
    #expect(
      KnownHosts.line(host: "Pve1", port: 22, keyType: "ssh-ed25519", key: key)
        == "pve1 ssh-ed25519 \(key.base64EncodedString())")
    #expect(KnownHosts.hostName("10.0.0.1", port: 2222) == "[10.0.0.1]:2222")
    // echo -n key-one | sha256sum → base64 without padding
    #expect(KnownHosts.fingerprint(of: key).hasPrefix("SHA256:"))
    #expect(!KnownHosts.fingerprint(of: key).hasSuffix("="))
  }

  @Test func appendAddsNewlineWhenMissing() throws {
    let path = try temporaryDirectory().appendingPathComponent("kh").path
    try "pve1 ssh-ed25519 AAAA".write(toFile: path, atomically: true, encoding: .utf8)
    try KnownHosts.append("pve2 ssh-ed25519 BBBB", to: path)
    #expect(
      try String(contentsOfFile: path, encoding: .utf8)
        == "pve1 ssh-ed25519 AAAA\npve2 ssh-ed25519 BBBB\n")
  }
}
