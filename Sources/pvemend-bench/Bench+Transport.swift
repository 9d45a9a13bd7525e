import Foundation
import PVEMendTestSupport
import PVEModel
import SSHTransport
import Transport

/// Benchmark: `true` on 3 private sshd (127.0.0.1) through the libssh2 transport, through one
/// `ssh` process per command, and through OpenSSH ControlMaster, in one run.
///
/// Options: `--commands N` (default 300, spread round-robin over the 3 servers),
/// `--ssh-commands N` (default: the same; one `ssh` process each takes ~150–200 ms).
func benchTransport(_ args: [String]) async throws {
  func option(_ name: String, _ fallback: Int) -> Int {
    guard let index = args.firstIndex(of: name), index + 1 < args.count,
      let value = Int(args[index + 1]), value > 0
    else { return fallback }
    return value
  }
  let commands = option("--commands", 300)
  let sshCommands = option("--ssh-commands", commands)

  let keys = try SSHD.Keys.generate(hostKeyTypes: ["ed25519"])
  defer { try? FileManager.default.removeItem(at: keys.directory) }
  let servers = try (0..<3).map { _ in try SSHD.start(keys: keys) }
  defer { servers.forEach { $0.stop() } }
  print("transport benchmark: \(servers.count) sshd on 127.0.0.1, command `true`")

  // 1. The libssh2 transport: one connection per node, reused.
  let endpoints = servers.enumerated().map { index, server in
    NodeEndpoint(
      node: "node\(index + 1)", host: "127.0.0.1", port: server.port, user: server.user,
      identityFiles: [server.clientKey], knownHostsFile: server.knownHostsFile)
  }
  let transport = LibSSH2Transport(endpoints: endpoints)
  let clock = ContinuousClock()
  var connectTimes: [Duration] = []
  for endpoint in endpoints {
    let elapsed = try await clock.measure {
      _ = try await transport.connect(node: endpoint.node)
    }
    connectTimes.append(elapsed)
  }
  var firstTimes: [Duration] = []
  for endpoint in endpoints {
    let elapsed = try await clock.measure {
      _ = try await transport.run(
        RemoteCommand(node: endpoint.node, argv: ["true"], mutating: false))
    }
    firstTimes.append(elapsed)
  }
  var samples: [Duration] = []
  samples.reserveCapacity(commands)
  let sequential = try await clock.measure {
    for index in 0..<commands {
      let node = endpoints[index % endpoints.count].node
      let start = clock.now
      let result = try await transport.run(
        RemoteCommand(node: node, argv: ["true"], mutating: false))
      samples.append(start.duration(to: clock.now))
      guard result.succeeded else {
        throw BenchError("true failed on \(node): \(result.stderrText)")
      }
    }
  }
  samples.sort()
  let parallel = try await clock.measure {
    try await withThrowingTaskGroup(of: Void.self) { group in
      for endpoint in endpoints {
        group.addTask {
          for _ in 0..<(commands / endpoints.count) {
            _ = try await transport.run(
              RemoteCommand(node: endpoint.node, argv: ["true"], mutating: false))
          }
        }
      }
      try await group.waitForAll()
    }
  }
  await transport.shutdown()

  // 2. One `ssh` process per command.
  func sshArguments(_ server: SSHD) -> [String] {
    [
      "-F", "/dev/null", "-o", "BatchMode=yes", "-o", "UserKnownHostsFile=\(server.knownHostsFile)",
      "-o", "StrictHostKeyChecking=yes", "-o", "IdentitiesOnly=yes", "-i", server.clientKey,
      "-p", String(server.port), "-l", server.user,
    ]
  }
  let ssh = "/usr/bin/ssh"
  let perProcess = try clock.measure {
    for index in 0..<sshCommands {
      let server = servers[index % servers.count]
      try SSHD.run(ssh, sshArguments(server) + ["127.0.0.1", "true"])
    }
  }

  // 3. OpenSSH ControlMaster: one master per server, then `ssh -S` per command.
  let controlDirectory = try SSHD.makeTemporaryDirectory(prefix: "pvemend-cm")
  defer { try? FileManager.default.removeItem(at: controlDirectory) }
  func controlPath(_ server: SSHD) -> String {
    controlDirectory.appendingPathComponent("cm-\(server.port)").path
  }
  let masterSetup = try clock.measure {
    for server in servers {
      try SSHD.run(
        ssh,
        sshArguments(server) + [
          "-o", "ControlMaster=yes", "-o", "ControlPath=\(controlPath(server))", "-o",
          "ControlPersist=yes", "-f", "-N", "127.0.0.1",
        ])
    }
  }
  defer {
    for server in servers {
      _ = try? SSHD.execute(
        ssh,
        ["-F", "/dev/null", "-o", "ControlPath=\(controlPath(server))", "-O", "exit", "127.0.0.1"])
    }
  }
  let muxed = try clock.measure {
    for index in 0..<commands {
      let server = servers[index % servers.count]
      try SSHD.run(
        ssh,
        sshArguments(server) + [
          "-o", "ControlMaster=no", "-o", "ControlPath=\(controlPath(server))", "127.0.0.1", "true",
        ])
    }
  }

  func ms(_ duration: Duration) -> Double {
    Double(duration.components.seconds) * 1000 + Double(duration.components.attoseconds) / 1e15
  }
  func format(_ value: Double) -> String { String(format: "%8.2f", value) }
  let transportPer = ms(sequential) / Double(commands)
  let parallelPer = ms(parallel) / Double(commands / endpoints.count * endpoints.count)
  let sshPer = ms(perProcess) / Double(sshCommands)
  let muxPer = ms(muxed) / Double(commands)
  let connectMean = connectTimes.map(ms).reduce(0, +) / Double(connectTimes.count)
  let firstMean = firstTimes.map(ms).reduce(0, +) / Double(firstTimes.count)

  print("")
  print("                                         ms/command")
  print(
    "libssh2 transport, open session       \(format(transportPer))   (\(commands) sequential, round-robin)"
  )
  print(
    "  median / p90 / min                  \(format(ms(samples[samples.count / 2])))  / \(String(format: "%.2f", ms(samples[samples.count * 9 / 10]))) / \(String(format: "%.2f", ms(samples[0])))"
  )
  print("libssh2 transport, 3 nodes in parallel\(format(parallelPer))   (wall time / commands)")
  print("ssh process per command               \(format(sshPer))   (\(sshCommands) commands)")
  print("OpenSSH ControlMaster (ssh -S)        \(format(muxPer))   (\(commands) commands)")
  print("")
  print("connect + host key + auth (libssh2)   \(format(connectMean))   ms per node")
  print("first command on a new session       \(format(firstMean))   ms per node")
  print(
    "ControlMaster setup                   \(format(ms(masterSetup) / Double(servers.count)))   ms per server"
  )
  print("")
  print(
    "transport vs ssh per command:    \(String(format: "%6.1f", sshPer / transportPer))x faster (goal ≥ 50x)"
  )
  print(
    "transport vs ControlMaster:      \(String(format: "%6.1f", muxPer / transportPer))x faster (goal ≥ 2x)"
  )
  print(
    "transport per command:           \(String(format: "%6.2f", transportPer)) ms (goal ≤ 3 ms)")
}

/// A benchmark step that did not do what it should.
struct BenchError: Error, CustomStringConvertible {
  let description: String
  init(_ description: String) { self.description = description }
}
