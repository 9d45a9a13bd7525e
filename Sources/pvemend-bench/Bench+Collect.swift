import Execution
import Foundation
import PVEMendTestSupport
import PVEModel
import SSHTransport
import Synth
import Transport

/// Benchmark: `pvemend-bench collect [--runs N] [--parallel N] [--pvesh-delay MS] [--full]`.
///
/// Remote commands and wall time to collect the reference cluster (`examples/homelab-cluster.json`)
/// and a generated 16-node / 1,000-guest cluster from a loopback sandbox (one sshd per node,
/// `scripts/sandbox`, `/etc/pve` served) over libssh2, read batches (`batched`, the default) against
/// one `pvesh get` per path (`--per-path`, the former mode), through the entry node and on each
/// node: the first run (connections included) and the median of the rest. `--pvesh-delay MS` makes
/// every stand-in pvesh call cost that long, as on a real node (500 is realistic). The per-path
/// runs of the large cluster cost ~1,000 pvesh calls each; they run only with `--full`.
func benchCollect(_ args: [String]) async throws {
  var runs = 3
  var parallel = 4
  var delay = 0
  var full = false
  var i = 0
  while i < args.count {
    switch args[i] {
    case "--runs": runs = Int(args[safe: i + 1] ?? "") ?? runs; i += 2
    case "--parallel": parallel = Int(args[safe: i + 1] ?? "") ?? parallel; i += 2
    case "--pvesh-delay": delay = Int(args[safe: i + 1] ?? "") ?? delay; i += 2
    case "--full": full = true; i += 1
    default:
      print("usage: pvemend-bench collect [--runs N] [--parallel N] [--pvesh-delay MS] [--full]")
      return
    }
  }
  let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent()
  let work = FileManager.default.temporaryDirectory.appendingPathComponent(
    "pvemend-bench-collect-\(ProcessInfo.processInfo.processIdentifier)")
  try FileManager.default.createDirectory(at: work, withIntermediateDirectories: true)
  defer { try? FileManager.default.removeItem(at: work) }
  let synth = work.appendingPathComponent("synth-16x1000.json")
  try Synth.snapshot(nodes: 16, guests: 1000, seed: 1, pveMajor: 9).encoded().write(to: synth)
  let cases = [
    (
      "reference cluster (3 nodes, 37 guests)",
      root.appendingPathComponent("examples/homelab-cluster.json"), true
    ),
    ("synthetic 16 nodes / 1,000 guests", synth, full),
  ]
  print(
    "collect benchmark: \(runs) runs, parallel \(parallel), pvesh delay \(delay) ms, libssh2 to one sshd per node on 127.0.0.1"
  )
  for (name, file, perPathToo) in cases {
    let original = try Snapshot.decode(Data(contentsOf: file), file: file.path)
    let sandbox = try BenchSandbox.start(
      root: root, snapshot: file, dir: work.appendingPathComponent("sandbox"), pveshDelay: delay)
    defer { sandbox.stop() }
    let entry = sandbox.entryNode(of: original)
    let nodes = (try? Cluster(snapshot: original).nodes.count) ?? 0
    print(
      "\n\(name): \(original.api.count) paths, entry node \(entry), budget \(4 + 2 * nodes) commands"
    )
    var reference: [String: JSONValue]?
    let modes: [SnapshotCollector.Mode] = perPathToo ? [.perPath, .batched] : [.batched]
    for mode in modes {
      for route in [SnapshotCollector.Route.entryNode, .eachNode] {
        let live = LibSSH2Transport(endpoints: sandbox.endpoints)
        let transport = RecordingTransport(forwardingTo: live)
        var times: [Double] = []
        var commands = 0
        for _ in 0..<max(1, runs) {
          let before = transport.commands.count
          let start = ContinuousClock.now
          let snapshot = try await SnapshotCollector(
            transport: transport, entryNode: entry, parallelism: parallel, route: route, mode: mode
          ).collect(collectedAt: "bench", source: "ssh://\(entry)")
          let elapsed = start.duration(to: .now)
          times.append(
            Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18)
          commands = transport.commands.count - before
          if reference == nil { reference = snapshot.api }
          if snapshot.api != reference {
            print("  MISMATCH: \(mode) \(route) collected a different snapshot")
          }
        }
        await live.shutdown()
        let rest = times.dropFirst().sorted()
        let median = rest.isEmpty ? times[0] : rest[rest.count / 2]
        let label =
          (mode == .batched ? "batched " : "per-path ")
          + (route == .entryNode ? "through \(entry)" : "on each node")
        print(
          String(
            format: "  %-30@ %5d commands, first %.2f s, median %.2f s", label as NSString,
            commands, times[0], median))
      }
    }
  }
}

extension Array {
  fileprivate subscript(safe index: Int) -> Element? { indices.contains(index) ? self[index] : nil }
}

/// A sandbox started with `scripts/sandbox` for the benchmark (release stand-in).
struct BenchSandbox {
  let root: URL
  let dir: URL
  let endpoints: [NodeEndpoint]

  static func start(root: URL, snapshot: URL, dir: URL, pveshDelay: Int = 0) throws
    -> BenchSandbox
  {
    var args = [
      root.appendingPathComponent("scripts/sandbox").path, "start", "--snapshot", snapshot.path,
      "--dir", dir.path, "--pvesh-delay", String(pveshDelay),
    ]
    let beside = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
      .appendingPathComponent("pve-standin")
    if FileManager.default.isExecutableFile(atPath: beside.path) {
      args += ["--bin", beside.path]
    } else {
      args.append("--release")
    }
    let inventory = try run(args).trimmingCharacters(in: .whitespacesAndNewlines)
    let text = try String(contentsOfFile: inventory, encoding: .utf8)
    var endpoints: [NodeEndpoint] = []
    var node: String?
    for line in text.split(separator: "\n") {
      if line.hasPrefix("  "), !line.hasPrefix("    "), line.hasSuffix(":") {
        node = String(line.dropFirst(2).dropLast())
      } else if let n = node, line.hasPrefix("    port: "), let port = Int(line.dropFirst(10)) {
        endpoints.append(
          NodeEndpoint(
            node: n, host: "127.0.0.1", port: port, user: NSUserName(),
            identityFiles: [dir.appendingPathComponent("client_ed25519").path],
            knownHostsFile: dir.appendingPathComponent("known_hosts").path))
      }
    }
    return BenchSandbox(root: root, dir: dir, endpoints: endpoints)
  }

  func entryNode(of snapshot: Snapshot) -> String {
    let nodes = snapshot.api["/cluster/status"]?.arrayValue ?? []
    return nodes.first { $0["local"]?.boolValue == true }?["name"]?.stringValue
      ?? endpoints.first?.node ?? ""
  }

  func stop() {
    _ = try? Self.run([
      root.appendingPathComponent("scripts/sandbox").path, "stop", "--dir", dir.path,
    ])
  }

  @discardableResult
  static func run(_ args: [String]) throws -> String {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/bin/bash")
    process.arguments = args
    let out = Pipe()
    process.standardOutput = out
    process.standardError = FileHandle.standardError
    try process.run()
    let data = out.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    guard process.terminationStatus == 0 else {
      throw NSError(
        domain: "bench", code: Int(process.terminationStatus),
        userInfo: [
          NSLocalizedDescriptionKey: "scripts/sandbox \(args.dropFirst().first ?? "") failed"
        ])
    }
    return String(decoding: data, as: UTF8.self)
  }
}
