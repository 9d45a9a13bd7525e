import SSHTransport
import Testing
import Transport

/// The inventory YAML: values, defaults, and typos reported with file and line.
@Suite struct InventoryTests {
  @Test func parsesDefaultsAndNodes() throws {
    let text = """
      defaults:
        user: admin
        port: 2222
        identity: keys/pvemend_ed25519
        known_hosts: known_hosts
      nodes:
        pve1: {host: 10.0.0.11}
        pve2:
          host: pve2.lan
          port: 22
          user: root
        pve3:
      """
    let inventory = try Inventory.parse(text, file: "/etc/pvemend/inventory.yaml")
    #expect(
      inventory.defaults
        == .init(
          port: 2222, user: "admin", identity: "keys/pvemend_ed25519", knownHosts: "known_hosts"))
    #expect(inventory.nodeNames == ["pve1", "pve2", "pve3"])
    #expect(inventory.nodes["pve1"] == .init(host: "10.0.0.11"))
    #expect(inventory.nodes["pve2"] == .init(host: "pve2.lan", port: 22, user: "root"))
    #expect(inventory.nodes["pve3"] == .init())
  }

  @Test func typoInNodeIsAnErrorWithLineAndAcceptedKeys() {
    let text = """
      nodes:
        pve1:
          host: 10.0.0.11
        pve2:
          hots: 10.0.0.12
      """
    #expect(
      throws: InventoryError.unknownKey(
        file: "inv.yaml", line: 5, key: "hots", section: "nodes.pve2",
        accepted: ["host", "port", "user", "identity", "known_hosts"])
    ) {
      try Inventory.parse(text, file: "inv.yaml")
    }
    do {
      _ = try Inventory.parse(text, file: "inv.yaml")
    } catch {
      #expect(
        error.description
          == "inv.yaml:5: unknown key 'hots' in nodes.pve2 (did you mean 'host'?); accepted keys: host, port, user, identity, known_hosts"
      )
    }
  }

  @Test func typoAtTopLevelAndInDefaults() {
    #expect(
      throws: InventoryError.unknownKey(
        file: "i.yaml", line: 2, key: "node", section: "the top level",
        accepted: ["defaults", "nodes"])
    ) {
      try Inventory.parse("defaults: {user: root}\nnode:\n  pve1: {}\n", file: "i.yaml")
    }
    // host is per node, not a default.
    #expect(
      throws: InventoryError.unknownKey(
        file: "i.yaml", line: 3, key: "host", section: "defaults",
        accepted: ["user", "port", "identity", "known_hosts"])
    ) {
      try Inventory.parse("defaults:\n  user: root\n  host: x\n", file: "i.yaml")
    }
  }

  @Test func wrongTypesAndBadPorts() {
    #expect(
      throws: InventoryError.wrongType(
        file: "i.yaml", line: 3, key: "nodes.pve1.port", expected: "a port number 1–65535")
    ) {
      try Inventory.parse("nodes:\n  pve1:\n    port: seventy\n", file: "i.yaml")
    }
    #expect(
      throws: InventoryError.wrongType(
        file: "i.yaml", line: 2, key: "nodes.pve1.host", expected: "a string")
    ) {
      try Inventory.parse("nodes:\n  pve1: {host: [a, b]}\n", file: "i.yaml")
    }
    #expect(
      throws: InventoryError.wrongType(
        file: "i.yaml", line: 1, key: "nodes", expected: "a mapping (key: value)")
    ) {
      try Inventory.parse("nodes: [pve1, pve2]\n", file: "i.yaml")
    }
  }

  @Test func duplicateKeysAndSyntaxErrors() {
    #expect(
      throws: InventoryError.duplicateKey(
        file: "i.yaml", line: 2, key: "pve1", section: "the same mapping")
    ) {
      try Inventory.parse("nodes:\n  pve1: {}\n  pve1: {}\n", file: "i.yaml")
    }
    #expect {
      try Inventory.parse("nodes:\n  pve1: {host: 1\n", file: "i.yaml")
    } throws: { error in
      guard case .syntax(let file, let line, _) = error as? InventoryError else { return false }
      return file == "i.yaml" && line > 0
    }
  }

  @Test func missingFileIsUnreadable() {
    #expect {
      try Inventory.load(path: "/nonexistent/inventory.yaml")
    } throws: { error in
      guard case .unreadable(let file, _) = error as? InventoryError else { return false }
      return file == "/nonexistent/inventory.yaml"
    }
  }

  @Test func emptyInventoryHasNoNodes() throws {
    #expect(try Inventory.parse("", file: "i.yaml").nodes.isEmpty)
    #expect(try Inventory.parse("nodes:\n", file: "i.yaml").nodes.isEmpty)
  }
}
