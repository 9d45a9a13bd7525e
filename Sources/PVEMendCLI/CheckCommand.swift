import ArgumentParser
import Foundation
import PVEModel
import SSHTransport
import Transport

/// `pvemend check`: what a user runs first. Per node, in parallel: reachable, host key, login,
/// `pveversion`, quorum; a table, a verdict, and exit code 0 only when every node is ready.
struct CheckCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "check",
    abstract: "Check that every node is reachable over SSH and runs Proxmox VE with quorum.",
    discussion: """
      For each node, at the same time: connects (TCP and SSH handshake), verifies its host key \
      against known_hosts, logs in, runs `pveversion` and `pvesh get /cluster/status`. Exits 0 \
      when every node passes, 1 otherwise; each problem is printed with its fix.
      """)

  @OptionGroup var connection: ConnectionOptions

  @Option(
    name: .customLong("node"),
    help: ArgumentHelp(
      "A node to check (repeatable); default: every node in the inventory.", valueName: "name"))
  var nodes: [String] = []

  @Option(help: "Seconds each remote command may take.")
  var timeout: Int = 30

  init() {}

  func validate() throws {
    guard timeout > 0 else { throw ValidationError("--timeout must be positive, got \(timeout)") }
  }

  func run() async throws {
    let inventory = try connection.loadInventory()
    let names = nodes.isEmpty ? inventory?.nodeNames ?? [] : nodes
    guard !names.isEmpty else {
      throw ValidationError(
        "no nodes to check: name them with --node NAME, or list them under nodes: in --inventory")
    }
    let transport = try Environment.live().sshTransport(
      connection, commandTimeout: .seconds(timeout))
    let checks = await withTaskGroup(of: NodeCheck.self) { group in
      for name in Set(names) {
        group.addTask { await NodeCheck.run(node: name, transport: transport) }
      }
      var checks: [NodeCheck] = []
      for await check in group { checks.append(check) }
      return checks.sorted { $0.node < $1.node }
    }
    await transport.shutdown()
    print(DisplayText.sanitize(NodeCheck.table(checks), keepNewlines: true), terminator: "")
    let failed = checks.filter { !$0.ready }
    if failed.isEmpty {
      print("\nready: all \(checks.count) node\(checks.count == 1 ? "" : "s") passed")
      return
    }
    print(
      "\nnot ready: \(failed.count) of \(checks.count) node\(checks.count == 1 ? "" : "s") failed")
    for check in failed {
      for problem in check.problems { print("- \(DisplayText.oneLine(problem, limit: .max))") }
    }
    throw ExitCode(ExitStatus.stepFailed)
  }
}
