import Execution
import Foundation
import PVEModel
import SSHTransport
import Synth
import Transport

/// Benchmark: `pvemend-bench collect [--runs N] [--parallel N]`.
///
/// Time to collect the reference cluster (`examples/homelab-cluster.json`) and a generated
/// 16-node / 1,000-guest cluster from a loopback sandbox (one sshd per node, `scripts/sandbox`) over
/// libssh2: the first run (connections included) and the median of the rest, through the entry
/// node (pvesh proxying, one connection) and with each node's paths read on that node.
func benchCollect(_ args: [String]) async throws {
  var runs = 3
  var parallel = 4
  var i = 0
  while i < args.count {
    switch args[i] {
    case "--runs": runs = Int(args[safe: i + 1] ?? "") ?? runs; i += 2
    case "--parallel": parallel = Int(args[safe: i + 1] ?? "") ?? parallel; i += 2
    default:
      print("usage: pvemend-bench collect [--runs N] [--parallel N]")
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
      root.appendingPathComponent("examples/homelab-cluster.json")
    ),
    ("synthetic 16 nodes / 1,000 guests", synth),
  ]
  print(
    "collect benchmark: \(runs) runs, parallel \(parallel), libssh2 to one sshd per node on 127.0.0.1"
  )
  for (name, file) in cases {
    let original = try Snapshot.decode(Data(contentsOf: file), file: file.path)
    let sandbox = try BenchSandbox.start(
      root: root, snapshot: file, dir: work.appendingPathComponent("sandbox"))
    defer { sandbox.stop() }
    let entry = sandbox.entryNode(of: original)
    print("\n\(name): \(original.api.count) paths, entry node \(entry)")
    for route in [SnapshotCollector.Route.entryNode, .eachNode] {
      let transport = LibSSH2Transport(endpoints: sandbox.endpoints)
      var times: [Double] = []
      for _ in 0..<max(1, runs) {
        let start = ContinuousClock.now
        let snapshot = try await SnapshotCollector(
          transport: transport, entryNode: entry, parallelism: parallel, route: route
        ).collect(collectedAt: "bench", source: "ssh://\(entry)")
        let elapsed = start.duration(to: .now)
        times.append(
          Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18)
        guard snapshot.api == original.api else {
          print("  MISMATCH: the collected snapshot differs from the sandbox's")
          break
        }
      }
      await transport.shutdown()
      let rest = times.dropFirst().sorted()
      let median = rest.isEmpty ? times[0] : rest[rest.count / 2]
      let label = route == .entryNode ? "through \(entry)" : "on each node"
      print(
        String(
          format: "  %-22@ first %.2f s, median %.2f s (%.1f ms per path)", label as NSString,
          times[0], median, median * 1000 / Double(original.api.count)))
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

  static func start(root: URL, snapshot: URL, dir: URL) throws -> BenchSandbox {
    var args = [
      root.appendingPathComponent("scripts/sandbox").path, "start", "--snapshot", snapshot.path,
      "--dir", dir.path,
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
