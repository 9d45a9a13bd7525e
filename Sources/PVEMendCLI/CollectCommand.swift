import ArgumentParser
import Execution
import Foundation
import PVEModel
import Transport

/// `pvemend collect`: reads a live cluster into a `pvemend-snapshot/1` file, read-only.
///
/// Every API path of the snapshot format, as `pvesh get <path> --output-format json` prints it, in a
/// handful of read batches whatever the guest count (guest configs from the config files in
/// `/etc/pve/nodes`); `--per-path` sends one `pvesh get` per path instead. Progress goes to stderr.
/// The file is written atomically (temporary file, then rename), and not at all when any path
/// fails: the error names each failed path.
struct CollectCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "collect",
    abstract: "Read a cluster into a snapshot file (read-only: only 'pvesh get').",
    discussion: """
      Connects to one node (--node, default: the first node of the inventory) and reads every \
      path of the pvemend-snapshot/1 format through it: the cluster-wide paths, the node paths \
      and every guest config file (/etc/pve/nodes) in a few remote commands, whatever the guest \
      count. Where the config files cannot be read it says why and uses 'pvesh get' for them. Try it on a sandbox first: \
      'scripts/sandbox start --snapshot examples/homelab-cluster.json --dir /tmp/pvemend-sandbox' \
      prints an inventory to pass with --inventory.
      """)

  @OptionGroup var connection: ConnectionOptions

  @Option(
    name: .long, help: "The node to collect through (default: the first node of the inventory).")
  var node: String?

  @Option(name: .long, help: "Where to write the snapshot (JSON).")
  var out: String

  @Option(name: .long, help: "How many 'pvesh get' run at once (on the node, or as commands).")
  var parallel: Int = 4

  @Flag(
    name: .long,
    help:
      "One 'pvesh get' command per path, configs included (the mode before read batches; slow on large clusters)."
  )
  var perPath = false

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
    guard let entry = try node ?? connection.inventoryNodes().first else {
      throw ValidationError(
        "name the node to collect through with --node NAME, or pass an --inventory that lists nodes"
      )
    }
    let transport = try connection.makeTransport(commandTimeout: .seconds(120))
    let progress: @Sendable (String) -> Void = { line in
      FileHandle.standardError.write(
        Data("collect: \(DisplayText.oneLine(line, limit: .max))\n".utf8))
    }
    let started = Date()
    let snapshot = try await Self.snapshot(
      SnapshotCollector(
        transport: transport, entryNode: entry, parallelism: parallel, progress: progress,
        route: eachNode ? .eachNode : .entryNode, mode: perPath ? .perPath : .batched),
      closing: transport, through: entry, at: started)
    try Self.writeAtomically(snapshot.encoded(pretty: true), to: out)
    let seconds = String(format: "%.2f", Date().timeIntervalSince(started))
    progress("wrote \(out) (\(snapshot.api.count) paths in \(seconds) s)")
  }

  /// The snapshot `collector` reads through `entry`, stamped `started`; `transport` is shut down
  /// afterwards, also when collecting fails (`collect`, and `undo --execute`'s return check).
  static func snapshot(
    _ collector: SnapshotCollector, closing transport: any Transport, through entry: String,
    at started: Date
  ) async throws -> Snapshot {
    do {
      let snapshot = try await collector.collect(
        collectedAt: rfc3339(started), source: "ssh://\(entry)")
      await transport.shutdown()
      return snapshot
    } catch {
      await transport.shutdown()
      throw error
    }
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
