import SSHTransport
import Testing
import Transport

/// Resolving node names: inventory, then ~/.ssh/config (given as text, never the real home), then
/// the defaults.
@Suite struct NodeDirectoryTests {
  let config = SSHConfig(
    text: """
      # leading options apply to all hosts
      ServerAliveInterval 10

      Host pve1 pve1.lan
        HostName 10.0.0.11
        User admin
        Port 2201
        IdentityFile ~/.ssh/pve_ed25519
        IdentityFile %d/.ssh/other_%h

      Host pve* !pve9
        Port=2299
        User ops
        UserKnownHostsFile ~/.ssh/pve_known_hosts

      Match host pve2
        Port 1

      Host *
        User fallback
      """)

  func directory(_ inventory: Inventory? = nil) -> NodeDirectory {
    NodeDirectory(
      inventory: inventory, sshConfig: config, home: "/home/me", localUser: "me", agent: .none)
  }

  @Test func sshConfigFirstValueWinsAndIdentityFilesAccumulate() {
    let resolved = config.resolve(host: "pve1", home: "/home/me", localUser: "me")
    #expect(resolved.hostName == "10.0.0.11")
    #expect(resolved.user == "admin")
    #expect(resolved.port == 2201)
    #expect(
      resolved.identityFiles == ["/home/me/.ssh/pve_ed25519", "/home/me/.ssh/other_10.0.0.11"])
    #expect(resolved.knownHostsFile == "/home/me/.ssh/pve_known_hosts")
  }

  @Test func sshConfigPatternsNegationAndMatchBlocks() {
    let pve2 = config.resolve(host: "pve2", home: "/h", localUser: "u")
    #expect(pve2.port == 2299)  // the Match block is skipped
    #expect(pve2.user == "ops")
    let pve9 = config.resolve(host: "pve9", home: "/h", localUser: "u")
    #expect(pve9.port == nil)
    #expect(pve9.user == "fallback")
    #expect(pve9.hostName == nil)
  }

  @Test func sshConfigLoadsFromAGivenPath() throws {
    let path = try temporaryDirectory().appendingPathComponent("config").path
    try "Host pve5\n  HostName=10.0.0.15\n  Port 2205\n".write(
      toFile: path, atomically: true, encoding: .utf8)
    let loaded = SSHConfig.load(path: path).resolve(host: "pve5", home: "/h", localUser: "u")
    #expect(loaded.hostName == "10.0.0.15")
    #expect(loaded.port == 2205)
    #expect(SSHConfig.load(path: path + ".missing") == SSHConfig(text: ""))
  }

  @Test func withoutInventoryTheNodeNameIsTheHost() throws {
    let endpoint = try directory().endpoint(for: "backup1")
    #expect(
      endpoint
        == NodeEndpoint(
          node: "backup1", host: "backup1", port: 22, user: "fallback",
          identityFiles: [
            "/home/me/.ssh/id_ed25519", "/home/me/.ssh/id_ecdsa", "/home/me/.ssh/id_rsa",
          ],
          knownHostsFile: "/home/me/.ssh/known_hosts", agent: .none))
  }

  @Test func sshConfigAppliesToTheNodeName() throws {
    let endpoint = try directory().endpoint(for: "pve1")
    #expect(endpoint.host == "10.0.0.11")
    #expect(endpoint.port == 2201)
    #expect(endpoint.user == "admin")
    #expect(endpoint.identityFiles.first == "/home/me/.ssh/pve_ed25519")
  }

  @Test func inventoryWinsOverSSHConfigAndPathsAreRelativeToIt() throws {
    let inventory = Inventory(
      file: "/etc/pvemend/inventory.yaml",
      defaults: .init(user: "root", identity: "keys/id_ed25519", knownHosts: "known_hosts"),
      nodes: ["pve1": .init(port: 22), "pve2": .init(host: "10.0.0.12")])
    let pve1 = try directory(inventory).endpoint(for: "pve1")
    #expect(pve1.host == "10.0.0.11")  // HostName from ~/.ssh/config still applies
    #expect(pve1.port == 22)
    #expect(pve1.user == "root")
    #expect(pve1.identityFiles == ["/etc/pvemend/keys/id_ed25519"])
    #expect(pve1.knownHostsFile == "/etc/pvemend/known_hosts")
    let pve2 = try directory(inventory).endpoint(for: "pve2")
    #expect(pve2.host == "10.0.0.12")
    #expect(pve2.port == 22)
    #expect(throws: TransportError.unknownNode("pve3")) {
      try directory(inventory).endpoint(for: "pve3")
    }
  }

  @Test func inventoryWithOnlyDefaultsAcceptsAnyNode() throws {
    let inventory = Inventory(file: "/x/i.yaml", defaults: .init(identity: "~/.ssh/k"))
    let endpoint = try directory(inventory).endpoint(for: "pvex")
    #expect(endpoint.host == "pvex")
    #expect(endpoint.identityFiles == ["/home/me/.ssh/k"])
  }
}
