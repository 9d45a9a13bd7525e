import Foundation
import PVEMendTestSupport
import Testing

/// The sandbox itself: loopback only, and stopping it stops every sshd it started.
@Suite struct SandboxLifecycleTests {
  @Test func sandboxListensOnlyOnLoopback() async throws {
    try await Sandbox.with(snapshot: Fixtures.example("homelab-cluster.json")) { sandbox in
      #expect(sandbox.ports.count == 3)
      for node in ["proxmox", "proxmox2", "proxmox3"] {
        let config = try String(
          contentsOf: sandbox.directory.appendingPathComponent("nodes/\(node)/sshd_config"),
          encoding: .utf8)
        #expect(config.contains("ListenAddress 127.0.0.1\n"))
        #expect(config.contains("\"PVEMEND_SANDBOX_NODE=\(node)\""))
        let log = try String(
          contentsOf: sandbox.directory.appendingPathComponent("nodes/\(node)/sshd.log"),
          encoding: .utf8)
        #expect(log.contains("Server listening on 127.0.0.1 port \(sandbox.ports[node] ?? 0)"))
        #expect(!log.contains("0.0.0.0") && !log.contains("::"))
      }
      let inventory = try String(contentsOf: sandbox.inventory, encoding: .utf8)
      #expect(inventory.contains("known_hosts: \(sandbox.knownHosts.path)"))
      let hosts = inventory.split(separator: "\n").filter { $0.contains("host: ") }
      #expect(hosts.count == 3)
      #expect(hosts.allSatisfy { $0.hasSuffix("host: 127.0.0.1") })
    }
  }

  @Test func stopKillsEverySSHD() async throws {
    let sandbox = try Sandbox.start(snapshot: Fixtures.example("homelab-cluster.json"))
    let pids = try sandbox.ports.keys.map { node in
      try String(
        contentsOf: sandbox.directory.appendingPathComponent("nodes/\(node)/pid"), encoding: .utf8
      )
      .trimmingCharacters(in: .whitespacesAndNewlines)
    }
    #expect(pids.count == 3)
    #expect(pids.allSatisfy { FileManager.default.fileExists(atPath: "/proc/\($0)") })
    sandbox.stop()
    for pid in pids {
      // A stopped sshd is gone (or a zombie until its parent reaps it).
      let status = (try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8)) ?? ""
      #expect(status.isEmpty || status.contains("State:\tZ"), "sshd \(pid) still runs")
    }
  }
}
