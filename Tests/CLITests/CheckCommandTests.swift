import Foundation
import PVEMendTestSupport
import Testing

/// `pvemend check` end to end: the built binary against test servers with stand-in Proxmox tools.
@Suite struct CheckCommandTests {
  /// The debug `pvemend` binary beside the test bundle (built by `swift build --build-tests`).
  var pvemend: String {
    get throws {
      let path = Fixtures.root.appendingPathComponent(".build/debug/pvemend").path
      guard FileManager.default.isExecutableFile(atPath: path) else {
        throw SSHDError("\(path) is missing; run swift build --build-tests first")
      }
      return path
    }
  }

  /// A folder with `pveversion` and `pvesh` stand-ins printing what a quorate 3-node cluster does.
  func proxmoxTools(quorate: Bool = true) throws -> URL {
    let bin = try SSHD.makeTemporaryDirectory(prefix: "pvemend-check").appendingPathComponent("bin")
    try FileManager.default.createDirectory(at: bin, withIntermediateDirectories: true)
    let tools = [
      "pveversion": "echo 'pve-manager/8.2.4/faa83925c9641325 (running kernel: 6.8.8-2-pve)'",
      "pvesh": """
      [ "$1 $2" = "get /cluster/status" ] || { echo "unexpected: $*" >&2; exit 2; }
      echo '[{"id":"cluster","name":"prod","nodes":3,"quorate":\(quorate ? 1 : 0),"type":"cluster","version":7},{"id":"node/pve1","name":"pve1","nodeid":1,"online":1,"type":"node"},{"id":"node/pve2","name":"pve2","nodeid":2,"online":\(quorate ? 1 : 0),"type":"node"},{"id":"node/pve3","name":"pve3","nodeid":3,"online":\(quorate ? 1 : 0),"type":"node"}]'
      """,
    ]
    for (name, body) in tools {
      let path = bin.appendingPathComponent(name).path
      try "#!/bin/sh\n\(body)\n".write(toFile: path, atomically: true, encoding: .utf8)
      try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: path)
    }
    return bin
  }

  /// Writes an inventory for these servers (node name → server) and returns its path.
  func inventory(_ nodes: [(String, SSHD)], extra: String = "") throws -> String {
    var text = "nodes:\n"
    for (name, sshd) in nodes {
      text += """
          \(name):
            host: 127.0.0.1
            port: \(sshd.port)
            user: \(sshd.user)
            identity: \(sshd.clientKey)
            known_hosts: \(sshd.knownHostsFile)

        """
    }
    let path = try SSHD.makeTemporaryDirectory(prefix: "pvemend-check").appendingPathComponent(
      "inventory.yaml"
    ).path
    try (text + extra).write(toFile: path, atomically: true, encoding: .utf8)
    return path
  }

  func check(_ arguments: [String]) throws -> (status: Int32, output: String) {
    // An empty HOME: the real ~/.ssh/config must not leak into the test.
    let home = try SSHD.makeTemporaryDirectory(prefix: "pvemend-check").path
    return try SSHD.execute(
      pvemend, ["check"] + arguments,
      environment: ["HOME": home, "PATH": "/usr/bin:/bin", "PVEMEND_SSH_PASSPHRASE": ""])
  }

  @Test func allNodesReady() throws {
    let bin = try proxmoxTools()
    let keys = try SSHD.Keys.generate(hostKeyTypes: ["ed25519"])
    defer { try? FileManager.default.removeItem(at: keys.directory) }
    let servers = try (0..<2).map { _ in
      try SSHD.start(keys: keys, extraConfig: ["SetEnv PATH=\(bin.path):/usr/bin:/bin"])
    }
    defer { servers.forEach { $0.stop() } }
    let path = try inventory([("pve1", servers[0]), ("pve2", servers[1])])
    let (status, output) = try check(["--inventory", path])
    #expect(status == 0, "\(output)")
    #expect(output.contains("pve-manager/8.2.4/faa83925c9641325"))
    #expect(output.contains("quorate, prod: 3/3 nodes online"))
    #expect(output.contains("ready: all 2 nodes passed"))
    #expect(output.hasPrefix("NODE"))
  }

  @Test func problemsAreReportedPerNodeWithNonZeroExit() throws {
    let bin = try proxmoxTools(quorate: false)
    let keys = try SSHD.Keys.generate(hostKeyTypes: ["ed25519"])
    defer { try? FileManager.default.removeItem(at: keys.directory) }
    let proxmox = try SSHD.start(keys: keys, extraConfig: ["SetEnv PATH=\(bin.path):/usr/bin:/bin"])
    defer { proxmox.stop() }
    let plain = try SSHD.start(keys: keys, extraConfig: ["SetEnv PATH=/usr/bin:/bin"])
    defer { plain.stop() }
    let unknownKey = try SSHD.start(keys: keys)
    defer { unknownKey.stop() }
    try "".write(toFile: unknownKey.knownHostsFile, atomically: true, encoding: .utf8)
    let gone = try SSHD.start(keys: keys)
    gone.stop()
    let path = try inventory([
      ("pve1", proxmox), ("debian", plain), ("stranger", unknownKey), ("pve9", gone),
    ])
    let (status, output) = try check(["--inventory", path])
    #expect(status == 1, "\(output)")
    #expect(output.contains("NOT quorate, prod: 1/3 nodes online"))
    #expect(output.contains("debian: pveversion not found"))
    #expect(!output.contains("debian: pvesh"))
    #expect(
      output.contains("stranger: host key for [127.0.0.1]:\(unknownKey.port) is not known (SHA256:")
    )
    #expect(output.contains("pve9: cannot connect"))
    #expect(output.contains("not ready: 4 of 4 nodes failed"))

    // --node narrows the check; accept-new records the stranger's key.
    let (again, text) = try check([
      "--inventory", path, "--node", "stranger", "--accept-new-host-keys",
    ])
    #expect(again == 1, "\(text)")  // no Proxmox tools there
    #expect(text.contains("recorded SHA256:"))
    #expect(!text.contains("pve1"))
  }

  @Test func inventoryTypoFailsWithLine() throws {
    let path = try SSHD.makeTemporaryDirectory(prefix: "pvemend-check").appendingPathComponent(
      "inventory.yaml"
    ).path
    try "nodes:\n  pve1:\n    hostname: 10.0.0.1\n".write(
      toFile: path, atomically: true, encoding: .utf8)
    let (status, output) = try check(["--inventory", path])
    #expect(status != 0)
    #expect(output.contains("\(path):3: unknown key 'hostname' in nodes.pve1"))
  }

  @Test func noNodesIsAUsageError() throws {
    let (status, output) = try check([])
    #expect(status != 0)
    #expect(output.contains("no nodes to check"))
  }
}
