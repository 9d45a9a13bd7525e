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
    let transport = try connection.makeLibSSH2Transport(commandTimeout: .seconds(timeout))
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
    throw ExitCode(1)
  }
}

/// The outcome of checking one node, column by column.
struct NodeCheck: Sendable {
  /// One cell: passed (with what was seen), failed, or not tried because an earlier step failed.
  enum Cell: Sendable {
    case passed(String)
    case failed(String)
    case skipped

    var text: String {
      switch self {
      case .passed(let text): return text
      case .failed(let text): return "FAIL: \(text)"
      case .skipped: return "-"
      }
    }

    var isFailure: Bool {
      if case .failed = self { return true }
      return false
    }
  }

  var node: String
  var reachable = Cell.skipped
  var hostKey = Cell.skipped
  var login = Cell.skipped
  var version = Cell.skipped
  var quorum = Cell.skipped
  /// What went wrong, each with its fix.
  var problems: [String] = []

  var ready: Bool {
    problems.isEmpty && ![reachable, hostKey, login, version, quorum].contains { $0.isFailure }
  }

  static func run(node: String, transport: LibSSH2Transport) async -> NodeCheck {
    var check = NodeCheck(node: node)
    do {
      let report = try await transport.connect(node: node)
      check.reachable = .passed("\(report.endpoint.host):\(report.endpoint.port)")
      let status = report.hostKey == .recorded ? "recorded" : "known"
      check.hostKey = .passed("\(status) \(report.fingerprint)")
      check.login = .passed("\(report.endpoint.user), \(report.authentication)")
    } catch let error as TransportError {
      check.record(connectError: error)
      return check
    } catch {
      check.reachable = .failed("error")
      check.problems.append("\(node): \(error)")
      return check
    }
    await check.checkVersion(transport)
    // Without Proxmox tools there is no quorum to ask about; say it once.
    if check.problems.isEmpty { await check.checkQuorum(transport) }
    return check
  }

  private mutating func record(connectError error: TransportError) {
    problems.append(error.description)
    switch error {
    case .unknownHostKey:
      reachable = .passed("yes")
      hostKey = .failed("unknown")
    case .changedHostKey:
      reachable = .passed("yes")
      hostKey = .failed("CHANGED")
    case .revokedHostKey:
      reachable = .passed("yes")
      hostKey = .failed("REVOKED")
    case .authenticationFailed:
      reachable = .passed("yes")
      hostKey = .passed("known")
      login = .failed("refused")
    case .rsaKeyUnsupported:
      login = .failed("RSA key")
    case .unknownNode:
      reachable = .failed("not in inventory")
    default:
      reachable = .failed("no")
    }
  }

  private mutating func checkVersion(_ transport: LibSSH2Transport) async {
    do {
      let result = try await transport.run(
        RemoteCommand(node: node, argv: ["pveversion"], mutating: false))
      let line = firstLine(result.stdoutText)
      if result.succeeded && !line.isEmpty {
        version = .passed(line)
      } else if result.exitStatus == 127 {
        version = .failed("missing")
        problems.append(
          "\(node): pveversion not found; is this a Proxmox VE node? Check the host in the inventory"
        )
      } else {
        version = .failed("exit \(result.exitStatus)")
        problems.append("\(node): pveversion failed: \(firstLine(result.stderrText))")
      }
    } catch {
      version = .failed("error")
      problems.append("\(error)")
    }
  }

  private mutating func checkQuorum(_ transport: LibSSH2Transport) async {
    do {
      let result = try await transport.run(.pveshGet("/cluster/status", on: node))
      if result.exitStatus == 127 {
        quorum = .failed("pvesh missing")
        problems.append("\(node): pvesh not found; is this a Proxmox VE node?")
        return
      }
      guard result.succeeded else {
        quorum = .failed("exit \(result.exitStatus)")
        problems.append(
          "\(node): pvesh get /cluster/status failed: \(firstLine(result.stderrText)); check pve-cluster on the node (systemctl status pve-cluster)"
        )
        return
      }
      let status = try JSONDecoder().decode(JSONValue.self, from: result.stdout)
      let entries = status.arrayValue ?? []
      guard let cluster = entries.first(where: { $0["type"]?.stringValue == "cluster" }) else {
        quorum = .passed("standalone (no cluster)")
        return
      }
      let name = cluster["name"]?.stringValue ?? "?"
      let members = entries.filter { $0["type"]?.stringValue == "node" }
      let online = members.filter { $0["online"]?.boolValue == true }.count
      let summary = "\(name): \(online)/\(members.count) nodes online"
      if cluster["quorate"]?.boolValue == true {
        quorum = .passed("quorate, \(summary)")
      } else {
        quorum = .failed("NOT quorate, \(summary)")
        problems.append(
          "\(node): cluster \(name) has no quorum (\(online) of \(members.count) nodes online); bring nodes back online before changing anything"
        )
      }
    } catch {
      quorum = .failed("error")
      problems.append("\(node): cannot read /cluster/status: \(error)")
    }
  }

  private func firstLine(_ text: String) -> String {
    text.split(separator: "\n").first.map { $0.trimmingCharacters(in: .whitespaces) } ?? ""
  }

  /// The checks as an aligned text table.
  static func table(_ checks: [NodeCheck]) -> String {
    let header = ["NODE", "REACHABLE", "HOST KEY", "LOGIN", "PVEVERSION", "QUORUM"]
    let rows =
      [header]
      + checks.map {
        [
          $0.node, $0.reachable.text, $0.hostKey.text, $0.login.text, $0.version.text,
          $0.quorum.text,
        ]
      }
    let widths = header.indices.map { column in rows.map { $0[column].count }.max() ?? 0 }
    return rows.map { row in
      row.enumerated().map { column, cell in
        column == row.count - 1
          ? cell : cell.padding(toLength: widths[column], withPad: " ", startingAt: 0)
      }.joined(separator: "  ")
    }.joined(separator: "\n") + "\n"
  }
}
