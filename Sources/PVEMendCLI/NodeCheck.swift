import Foundation
import PVEModel
import SSHTransport
import Transport

/// A transport that can connect to a node before running anything and say how: where it reached,
/// which host key it verified, how it logged in. The live SSH transport is one; a fake need not be.
package protocol NodeConnecting: Transport {
  /// Connects (or reuses the connection) and describes it; throws the `TransportError` that
  /// stopped it.
  func handshake(node: String) async throws -> NodeHandshake
}

/// What connecting to a node established, as `check` shows it.
package struct NodeHandshake: Sendable, Hashable {
  /// `host:port`.
  package var address: String
  /// `known SHA256:…` or `recorded SHA256:…`.
  package var hostKey: String
  /// `root, key /root/.ssh/id_ed25519`.
  package var login: String

  package init(address: String, hostKey: String, login: String) {
    self.address = address
    self.hostKey = hostKey
    self.login = login
  }
}

extension LibSSH2Transport: NodeConnecting {
  package func handshake(node: String) async throws -> NodeHandshake {
    let report = try await connect(node: node)
    let status = report.hostKey == .recorded ? "recorded" : "known"
    return NodeHandshake(
      address: "\(report.endpoint.host):\(report.endpoint.port)",
      hostKey: "\(status) \(report.fingerprint)",
      login: "\(report.endpoint.user), \(report.authentication)")
  }
}

/// The outcome of checking one node, column by column.
package struct NodeCheck: Sendable {
  /// One cell: passed (with what was seen), failed, or not tried because an earlier step failed.
  package enum Cell: Sendable, Hashable {
    case passed(String)
    case failed(String)
    case skipped

    package var text: String {
      switch self {
      case .passed(let text): return text
      case .failed(let text): return "FAIL: \(text)"
      case .skipped: return "-"
      }
    }

    package var isFailure: Bool {
      if case .failed = self { return true }
      return false
    }
  }

  package var node: String
  package var reachable = Cell.skipped
  package var hostKey = Cell.skipped
  package var login = Cell.skipped
  package var version = Cell.skipped
  package var quorum = Cell.skipped
  /// What went wrong, each with its fix.
  package var problems: [String] = []

  package var ready: Bool {
    problems.isEmpty && ![reachable, hostKey, login, version, quorum].contains { $0.isFailure }
  }

  /// Checks one node: connects first when the transport can say how (`NodeConnecting`, the live
  /// SSH one); otherwise the first command's success stands for reachable, host key and login.
  package static func run(node: String, transport: any Transport) async -> NodeCheck {
    var check = NodeCheck(node: node)
    do {
      if let connecting = transport as? any NodeConnecting {
        let handshake = try await connecting.handshake(node: node)
        check.reachable = .passed(handshake.address)
        check.hostKey = .passed(handshake.hostKey)
        check.login = .passed(handshake.login)
      } else {
        // Any command connects; a result (whatever its exit status) means the handshake passed.
        _ = try await transport.run(RemoteCommand(node: node, argv: ["true"], mutating: false))
        check.reachable = .passed("yes")
        check.hostKey = .passed(await transport.hostKeyFingerprint(node: node) ?? "known")
        check.login = .passed("yes")
      }
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

  private mutating func checkVersion(_ transport: any Transport) async {
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

  private mutating func checkQuorum(_ transport: any Transport) async {
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
  package static func table(_ checks: [NodeCheck]) -> String {
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
