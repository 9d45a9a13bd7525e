import ArgumentParser
import Foundation
import SSHTransport
import Transport

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

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

  /// The live SSH transport. Call `shutdown()` on it before the process exits.
  /// - Parameter commandTimeout: the deadline of commands run without their own
  ///   `RunOptions.timeout` (the node's `timeout` stops them).
  package func makeTransport(commandTimeout: Duration? = .seconds(600)) throws -> any Transport {
    try makeLibSSH2Transport(commandTimeout: commandTimeout)
  }

  /// The live SSH transport as its concrete type (for `connect(node:)`).
  package func makeLibSSH2Transport(commandTimeout: Duration? = .seconds(600)) throws
    -> LibSSH2Transport
  {
    try makeLibSSH2Transports(count: 1, commandTimeout: commandTimeout)[0]
  }

  /// `count` independent transports (own connections) sharing one passphrase prompt: `apply` keeps
  /// the cluster lock on its own connection, so a long command never delays its renewal.
  package func makeLibSSH2Transports(count: Int, commandTimeout: Duration? = .seconds(600)) throws
    -> [LibSSH2Transport]
  {
    let directory = NodeDirectory.standard(inventory: try loadInventory())
    var settings = SSHSettings()
    settings.acceptNewHostKeys = acceptNewHostKeys
    settings.defaultCommandTimeout = commandTimeout
    let prompt = PassphrasePrompt()
    settings.passphrase = { path in prompt.passphrase(for: path) }
    return (0..<count).map { _ in
      LibSSH2Transport(settings: settings) { node in try directory.endpoint(for: node) }
    }
  }
}

/// Passphrases for encrypted keys: `PVEMEND_SSH_PASSPHRASE`, else asked once per key on the
/// terminal (nodes connect in parallel, so prompts are serialised and remembered).
private final class PassphrasePrompt: @unchecked Sendable {
  private let lock = NSLock()
  private var answers: [String: String] = [:]

  func passphrase(for path: String) -> String? {
    if let value = SSHSettings.passphraseFromEnvironment(path) { return value }
    lock.lock()
    defer { lock.unlock() }
    if let known = answers[path] { return known }
    guard isatty(STDIN_FILENO) == 1, let raw = getpass("Passphrase for \(path): ") else {
      return nil
    }
    let answer = String(cString: raw)
    answers[path] = answer
    return answer
  }
}
