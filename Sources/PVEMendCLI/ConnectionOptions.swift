import ArgumentParser
import SSHTransport
import Transport

/// How to reach the nodes: `--inventory FILE` and `--accept-new-host-keys`. Without an inventory
/// the node name is the host, the user root, port 22, keys `~/.ssh/id_ed25519` or `id_ecdsa`, host
/// keys `~/.ssh/known_hosts`; `~/.ssh/config` (Host, HostName, Port, User, IdentityFile) applies.
package struct ConnectionOptions: ParsableArguments {
  @Option(
    help: ArgumentHelp(
      "Node inventory (YAML): defaults and per-node host, port, user, identity, known_hosts.",
      valueName: "file"))
  package var inventory: String?

  @Flag(
    help:
      "Record the host key of a node not yet in known_hosts (like OpenSSH's accept-new); a changed key is always refused."
  )
  package var acceptNewHostKeys = false

  package init() {}

  /// The inventory, when `--inventory` was given.
  package func loadInventory() throws -> Inventory? {
    try inventory.map { path throws(InventoryError) in try Inventory.load(path: path) }
  }

  /// The inventory's node names, sorted (empty without an inventory).
  package func inventoryNodes() throws -> [String] {
    try loadInventory()?.nodeNames ?? []
  }

  /// The live SSH transport (`Environment.sshTransport`). Call `shutdown()` on it before the
  /// process exits.
  package func makeTransport(commandTimeout: Duration? = .seconds(600)) throws -> any Transport {
    try Environment.live().sshTransport(self, commandTimeout: commandTimeout)
  }
}
