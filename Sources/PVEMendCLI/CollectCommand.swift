import ArgumentParser
import Execution
import Foundation
import PVEModel
import Transport

/// `pvemend collect`: reads a live cluster into a `pvemend-snapshot/1` file, read-only.
///
/// Every API path of the snapshot format is read with `pvesh get <path> --output-format json`
/// through one node (pvesh proxies the per-node paths), several at a time; progress goes to stderr.
/// The file is written atomically (temporary file, then rename), and not at all when any path
/// fails: the error names each failed path.
struct CollectCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "collect",
    abstract: "Read a cluster into a snapshot file (read-only: only 'pvesh get').",
    discussion: """
      Connects to one node (--node, default: the first node of the inventory) and reads every \
      path of the pvemend-snapshot/1 format through it. Try it on a sandbox first: \
      'scripts/sandbox start --snapshot examples/homelab-cluster.json --dir /tmp/pvemend-sandbox' \
      prints an inventory to pass with --inventory.
      """)

  @OptionGroup var connection: CollectConnection

  @Option(
    name: .long, help: "The node to collect through (default: the first node of the inventory).")
  var node: String?

  @Option(name: .long, help: "Where to write the snapshot (JSON).")
  var out: String

  @Option(name: .long, help: "How many 'pvesh get' commands run at once.")
  var parallel: Int = 4

  @Flag(
    name: .long,
    help:
      "Read each node's paths on that node instead of through --node (needs SSH to every node; faster)."
  )
  var eachNode = false

  func validate() throws {
    guard parallel >= 1 else { throw ValidationError("--parallel must be at least 1") }
  }

  func run() async throws {
    let entry = try node ?? connection.defaultNode()
    let transport = try connection.makeTransport()
    let progress: @Sendable (String) -> Void = { line in
      FileHandle.standardError.write(Data("collect: \(line)\n".utf8))
    }
    let started = Date()
    let snapshot: Snapshot
    do {
      snapshot = try await SnapshotCollector(
        transport: transport, entryNode: entry, parallelism: parallel, progress: progress,
        route: eachNode ? .eachNode : .entryNode
      ).collect(collectedAt: Self.rfc3339(started), source: "ssh://\(entry)")
    } catch {
      await transport.shutdown()
      throw error
    }
    await transport.shutdown()
    try Self.writeAtomically(snapshot.encoded(pretty: true), to: out)
    let seconds = String(format: "%.2f", Date().timeIntervalSince(started))
    progress("wrote \(out) (\(snapshot.api.count) paths in \(seconds) s)")
  }

  /// `2025-11-09T10:00:00Z`: the CLI is the clock edge; the core never reads the clock.
  static func rfc3339(_ date: Date) -> String {
    let formatter = ISO8601DateFormatter()
    formatter.formatOptions = [.withInternetDateTime]
    formatter.timeZone = TimeZone(identifier: "UTC")
    return formatter.string(from: date)
  }

  /// Writes `<file>.tmp-<pid>` beside the target, then renames it over the target.
  static func writeAtomically(_ data: Data, to path: String) throws {
    let target = URL(fileURLWithPath: path)
    let temp = target.deletingLastPathComponent().appendingPathComponent(
      ".\(target.lastPathComponent).tmp-\(ProcessInfo.processInfo.processIdentifier)")
    do {
      try data.write(to: temp)
    } catch {
      throw ValidationError(
        "cannot write \(temp.path): \(error.localizedDescription); check that the directory exists and is writable"
      )
    }
    guard rename(temp.path, target.path) == 0 else {
      let reason = String(cString: strerror(errno))
      try? FileManager.default.removeItem(at: temp)
      throw ValidationError("cannot rename \(temp.path) to \(path): \(reason)")
    }
  }
}

/// `--inventory FILE` for `collect`, until the shared `ConnectionOptions` of the SSH transport is
/// available: reads the inventory format (`defaults: {user, port, identity, known_hosts}`,
/// `nodes: {<node>: {host, port, user, identity, known_hosts}}`) and runs each command with
/// OpenSSH (`ssh -o BatchMode=yes`, strict host keys from the inventory's known_hosts).
struct CollectConnection: ParsableArguments {
  @Option(name: .long, help: "The node inventory (YAML): how to reach each node over SSH.")
  var inventory: String?

  /// One node's SSH endpoint.
  struct Endpoint: Sendable, Hashable {
    var host: String
    var port: Int = 22
    var user: String = "root"
    var identity: String?
    var knownHosts: String?
  }

  func endpoints() throws -> [String: Endpoint] {
    guard let inventory else {
      throw ValidationError(
        "--inventory FILE is required: it says how to reach each node (try 'scripts/sandbox start', which writes one)"
      )
    }
    guard let text = try? String(contentsOfFile: inventory, encoding: .utf8) else {
      throw ValidationError("cannot read inventory \(inventory); check the path")
    }
    var defaults: [String: String] = [:]
    var nodes: [String: [String: String]] = [:]
    var section = ""
    var node: String?
    for (number, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated()
    {
      let line =
        raw.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false).first.map(
          String.init) ?? ""
      if line.trimmingCharacters(in: .whitespaces).isEmpty { continue }
      let indent = line.prefix { $0 == " " }.count
      let body = line.trimmingCharacters(in: .whitespaces)
      let parts = body.split(separator: ":", maxSplits: 1).map {
        $0.trimmingCharacters(in: .whitespaces)
      }
      let key = parts[0]
      let value = parts.count > 1 ? parts[1] : ""
      switch indent {
      case 0:
        guard ["defaults", "nodes"].contains(key), value.isEmpty else {
          throw ValidationError(
            "\(inventory):\(number + 1): unknown top-level key '\(key)'; use defaults: or nodes:")
        }
        section = key
      case 2 where section == "defaults":
        defaults[key] = value
      case 2 where section == "nodes":
        node = key
        nodes[key] = [:]
      case 4 where section == "nodes" && node != nil:
        nodes[node ?? ""]?[key] = value
      default:
        throw ValidationError("\(inventory):\(number + 1): unexpected line '\(body)'")
      }
    }
    var out: [String: Endpoint] = [:]
    for (name, fields) in nodes {
      let merged = defaults.merging(fields) { _, node in node }
      out[name] = Endpoint(
        host: merged["host"] ?? name, port: merged["port"].flatMap(Int.init) ?? 22,
        user: merged["user"] ?? "root", identity: merged["identity"],
        knownHosts: merged["known_hosts"])
    }
    return out
  }

  func defaultNode() throws -> String {
    guard let first = try endpoints().keys.sorted().first else {
      throw ValidationError("the inventory lists no nodes; add them under nodes:")
    }
    return first
  }

  func makeTransport() throws -> any Transport { OpenSSHTransport(endpoints: try endpoints()) }
}

/// Runs each command with the `ssh` client (BatchMode, strict host keys): the fallback transport of
/// `collect`. A non-zero exit status is a result; exit 255 with no output is a connection failure.
struct OpenSSHTransport: Transport {
  let endpoints: [String: CollectConnection.Endpoint]

  func run(_ command: RemoteCommand, options: RunOptions) async throws -> CommandResult {
    guard let endpoint = endpoints[command.node] else {
      throw TransportError.unknownNode(command.node)
    }
    var args = [
      "-o", "BatchMode=yes", "-o", "StrictHostKeyChecking=yes", "-o", "LogLevel=ERROR",
      "-p", String(endpoint.port), "-l", endpoint.user,
    ]
    if let identity = endpoint.identity { args += ["-i", identity, "-o", "IdentitiesOnly=yes"] }
    if let knownHosts = endpoint.knownHosts { args += ["-o", "UserKnownHostsFile=\(knownHosts)"] }
    args += [endpoint.host, "--", command.shellLine]
    let dir = FileManager.default.temporaryDirectory
    let id = UUID().uuidString
    let outURL = dir.appendingPathComponent("pvemend-ssh-\(id).out")
    let errURL = dir.appendingPathComponent("pvemend-ssh-\(id).err")
    FileManager.default.createFile(atPath: outURL.path, contents: nil)
    FileManager.default.createFile(atPath: errURL.path, contents: nil)
    defer {
      try? FileManager.default.removeItem(at: outURL)
      try? FileManager.default.removeItem(at: errURL)
    }
    let out = try FileHandle(forWritingTo: outURL)
    let err = try FileHandle(forWritingTo: errURL)
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/ssh")
    process.arguments = args
    process.standardOutput = out
    process.standardError = err
    process.standardInput = FileHandle.nullDevice
    let started = Date()
    try await withCheckedThrowingContinuation {
      (continuation: CheckedContinuation<Void, any Error>) in
      process.terminationHandler = { _ in continuation.resume() }
      do { try process.run() } catch { continuation.resume(throwing: error) }
    }
    try? out.close()
    try? err.close()
    let stdout = (try? Data(contentsOf: outURL)) ?? Data()
    let stderr = (try? Data(contentsOf: errURL)) ?? Data()
    if process.terminationStatus == 255, stdout.isEmpty {
      let text = String(decoding: stderr, as: UTF8.self)
      if text.contains("Host key verification failed") || text.contains("No ED25519 host key")
        || text.contains("REMOTE HOST IDENTIFICATION HAS CHANGED")
      {
        throw TransportError.unknownHostKey(
          node: command.node, host: "[\(endpoint.host)]:\(endpoint.port)", fingerprint: "unknown",
          knownHosts: endpoint.knownHosts ?? "~/.ssh/known_hosts")
      }
      if text.hasPrefix("ssh:") || text.contains("Connection refused")
        || text.contains("Permission denied")
      {
        throw TransportError.unreachable(
          node: command.node, detail: text.trimmingCharacters(in: .whitespacesAndNewlines))
      }
    }
    return CommandResult(
      stdout: stdout, stderr: stderr, exitStatus: process.terminationStatus,
      duration: Date().timeIntervalSince(started))
  }

  func hostKeyFingerprint(node: String) async -> String? { nil }
  func shutdown() async {}
}
