import Crypto
import Foundation
import PVEConfig
import PVEMendTestSupport
import PVEModel
import SSHTransport
import SandboxCore
import Synchronization
import Testing
import Transport

#if canImport(Glibc)
  import Glibc
#endif

/// The sandbox serves `/etc/pve` to every node's sshd (a private mount namespace with `DIR/pmxcfs`
/// bound on it), in Proxmox's formats, kept in step with the state after every mutating command.
@Suite struct PmxcfsTests {
  static let rules = Fixtures.example("pve9-rules-cluster.json")

  static func sha1(_ data: Data) -> String {
    Insecure.SHA1.hash(data: data).map { String(format: "%02x", $0) }.joined()
  }

  /// `cat FILE` on a node over SSH.
  static func cat(_ transport: LibSSH2Transport, _ node: String, _ file: String) async throws
    -> String
  {
    let out = try await transport.run(
      RemoteCommand(node: node, argv: ["cat", file], mutating: false))
    #expect(out.exitStatus == 0, "cat \(file) on \(node): \(out.stderrText)")
    return out.stdoutText
  }

  static func run(_ transport: LibSSH2Transport, _ node: String, _ argv: [String]) async throws
    -> CommandResult
  {
    let out = try await transport.run(RemoteCommand(node: node, argv: argv, mutating: true))
    #expect(out.exitStatus == 0, "\(argv.joined(separator: " ")) on \(node): \(out.stderrText)")
    return out
  }

  static func state(_ sandbox: Sandbox) throws -> Snapshot {
    let url = URL(fileURLWithPath: sandbox.statePath)
    return try Snapshot.decode(Data(contentsOf: url), file: url.path)
  }

  /// Every guest config the state holds is a file under /etc/pve whose SHA-1 is the state's
  /// digest, seen over SSH on `node`; and no other config files exist.
  static func expectConfigsMatch(
    _ sandbox: Sandbox, _ transport: LibSSH2Transport, on node: String
  ) async throws {
    let snapshot = try state(sandbox)
    var expected: [String: String] = [:]
    for (path, value) in snapshot.api {
      let parts = path.split(separator: "/")
      guard parts.count == 5, parts[0] == "nodes", parts[4] == "config",
        let kind = GuestKind(rawValue: String(parts[2]))
      else { continue }
      let dir = kind == .qemu ? "qemu-server" : "lxc"
      expected["/etc/pve/nodes/\(parts[1])/\(dir)/\(parts[3]).conf"] =
        value["digest"]?.stringValue ?? ""
    }
    let listing = try await transport.run(
      RemoteCommand(
        node: node,
        argv: [
          "sh", "-c",
          "for f in /etc/pve/nodes/*/qemu-server/*.conf /etc/pve/nodes/*/lxc/*.conf; do [ -f \"$f\" ] && echo \"$f $(sha1sum <\"$f\" | cut -d' ' -f1)\"; done",
        ], mutating: false))
    var seen: [String: String] = [:]
    for line in String(decoding: listing.stdout, as: UTF8.self).split(separator: "\n") {
      let fields = line.split(separator: " ").map(String.init)
      if fields.count == 2 { seen[fields[0]] = fields[1] }
    }
    #expect(seen == expected)
  }

  /// A config read from its file is the config pvesh prints, digest included.
  static func expectFilesReadAsPvesh(_ sandbox: Sandbox) throws {
    for (path, value) in try state(sandbox).api {
      guard let location = GuestConfigLocation(apiPath: path) else { continue }
      let url = sandbox.pmxcfs.appendingPathComponent(location.file)
      let parsed = try GuestConfigFile.parse(
        Data(contentsOf: url), kind: location.kind, file: url.path)
      #expect(.object(parsed.pveshConfig()) == value, "\(path)")
    }
  }

  @Test func etcPveIsServedOnEveryNode() async throws {
    try await Sandbox.with(snapshot: Self.rules) { sandbox in
      if let reason = sandbox.pmxcfsUnavailable {
        // Without root no namespace can be made: the sandbox must say so, not pretend.
        #expect(getuid() != 0, "running as root, yet no mount namespace: \(reason)")
        #expect(!reason.isEmpty)
        return
      }
      let transport = SSHRoundTripTests.transport(sandbox)
      defer { Task { await transport.shutdown() } }
      let snapshot = try Self.state(sandbox)
      for node in ["pve1", "pve2", "pve3", "pve4"] {
        let members = try await Self.cat(transport, node, "/etc/pve/.members")
        #expect(members.hasPrefix("{\n\"nodename\": \"\(node)\",\n"))
        #expect(
          members.contains(
            "\"cluster\": { \"name\": \"acme-prod\", \"version\": 11, \"nodes\": 4, \"quorate\": 1 },"
          ))
      }
      // The same files on every node (one cluster file system), equal to DIR/pmxcfs.
      for file in [
        ".vmlist", "ha/resources.cfg", "ha/rules.cfg", "jobs.cfg", "storage.cfg", "datacenter.cfg",
      ] {
        let local = try String(
          contentsOf: sandbox.pmxcfs.appendingPathComponent(file), encoding: .utf8)
        for node in ["pve1", "pve3"] {
          #expect(
            try await Self.cat(transport, node, "/etc/pve/\(file)") == local, "\(file) on \(node)")
        }
      }
      let vmlist = try await Self.cat(transport, "pve2", "/etc/pve/.vmlist")
      #expect(vmlist.hasPrefix("{\n\"version\": 1,\n\"ids\": {\n"))
      #expect(vmlist.contains("\"272\": { \"node\": \"pve4\", \"type\": \"lxc\", \"version\": 1 }"))
      #expect(vmlist.hasSuffix("}\n\n}\n"))
      let guests = snapshot.api["/cluster/resources"]?.arrayValue?.filter {
        ["qemu", "lxc"].contains($0["type"]?.stringValue ?? "")
      }
      #expect(vmlist.components(separatedBy: "\"node\":").count - 1 == guests?.count)
      #expect(
        try await Self.cat(transport, "pve1", "/etc/pve/datacenter.cfg")
          == "\ncrs: ha=static\nha: shutdown_policy=migrate\nkeyboard: en-us\nmigration: secure,network=10.0.10.0/24\n"
      )
      let rules = try await Self.cat(transport, "pve1", "/etc/pve/ha/rules.cfg")
      #expect(
        rules
          == """
          node-affinity: db-on-epyc
          \tcomment databases prefer the EPYC nodes
          \tnodes pve1:2,pve2:1
          \tresources vm:201,vm:202
          \tstrict 0

          resource-affinity: keep-dns-apart
          \taffinity negative
          \tresources ct:210,ct:211

          node-affinity: ha-rule-4f0edd54-5473
          \tcomment pinned while the storage of pve3 was replaced
          \tdisable
          \tnodes pve3
          \tresources vm:220
          \tstrict 1


          """)
      let ls = try await transport.run(
        RemoteCommand(
          node: "pve4", argv: ["sh", "-c", "test -d /etc/pve/priv/lock && ls /etc/pve/ha"],
          mutating: false))
      #expect(
        String(decoding: ls.stdout, as: UTF8.self) == "manager_status\nresources.cfg\nrules.cfg\n")
      try await Self.expectConfigsMatch(sandbox, transport, on: "pve1")
      // pvesh's digest is the SHA-1 of the file.
      let config = try await transport.run(
        RemoteCommand(
          node: "pve4",
          argv: ["pvesh", "get", "/nodes/pve4/lxc/272/config", "--output-format", "json"],
          mutating: false))
      let digest = try JSONParser.parse(config.stdout)["digest"]?.stringValue
      let file = try await transport.run(
        RemoteCommand(
          node: "pve4", argv: ["cat", "/etc/pve/nodes/pve4/lxc/272.conf"], mutating: false))
      #expect(digest == Self.sha1(file.stdout))
      try Self.expectFilesReadAsPvesh(sandbox)
      // Nothing of this is visible on the host.
      #expect(!FileManager.default.fileExists(atPath: "/etc/pve/.vmlist"))
    }
  }

  @Test func mutationsKeepEtcPveInStep() async throws {
    try await Sandbox.with(snapshot: Self.rules) { sandbox in
      guard sandbox.pmxcfsUnavailable == nil else { return }
      let transport = SSHRoundTripTests.transport(sandbox)
      defer { Task { await transport.shutdown() } }
      // pct migrate: the config moves between the node directories, .vmlist follows.
      _ = try await Self.run(transport, "pve4", ["pct", "migrate", "272", "pve3"])
      let moved = try await transport.run(
        RemoteCommand(
          node: "pve1",
          argv: ["sh", "-c", "ls /etc/pve/nodes/pve4/lxc /etc/pve/nodes/pve3/lxc | grep 272"],
          mutating: false))
      #expect(String(decoding: moved.stdout, as: UTF8.self) == "272.conf\n")
      #expect(
        FileManager.default.fileExists(atPath: sandbox.pmxcfs.path + "/nodes/pve3/lxc/272.conf"))
      let vmlist = try await Self.cat(transport, "pve1", "/etc/pve/.vmlist")
      #expect(vmlist.hasPrefix("{\n\"version\": 2,\n"))
      #expect(vmlist.contains("\"272\": { \"node\": \"pve3\", \"type\": \"lxc\", \"version\": 2 }"))
      #expect(vmlist.contains("\"271\": { \"node\": \"pve4\", \"type\": \"lxc\", \"version\": 1 }"))
      // ha-manager add: a section in ha/resources.cfg, and in the HA manager's status.
      _ = try await Self.run(
        transport, "pve2",
        ["ha-manager", "add", "ct:272", "--state", "stopped", "--comment", "x:y"])
      let resources = try await Self.cat(transport, "pve3", "/etc/pve/ha/resources.cfg")
      #expect(resources.hasSuffix("ct: 272\n\tcomment x:y\n\tstate stopped\n\n"))
      let status = try await Self.cat(transport, "pve3", "/etc/pve/ha/manager_status")
      let manager = try JSONParser.parse(Data(status.utf8))
      #expect(manager["service_status"]?["ct:272"]?["node"]?.stringValue == "pve3")
      #expect(manager["master_node"]?.stringValue == "pve2")
      // pvesh create /cluster/backup: a vzdump section in jobs.cfg.
      _ = try await Self.run(
        transport, "pve1",
        [
          "pvesh", "create", "/cluster/backup", "--id", "sandbox-nightly", "--schedule", "02:00",
          "--storage", "pbs01", "--vmid", "272", "--comment", "made in a test",
          "--prune-backups", "keep-last=3,keep-daily=7",
        ])
      let jobs = try await Self.cat(transport, "pve2", "/etc/pve/jobs.cfg")
      #expect(
        jobs.contains(
          "vzdump: sandbox-nightly\n\tcomment made in a test\n\tschedule 02:00\n\tenabled 1\n\tprune-backups keep-daily=7,keep-last=3\n\tstorage pbs01\n\tvmid 272\n\n"
        ), "\(jobs)")
      // pct move-volume: the config names the new volume and keeps the old one as unused.
      _ = try await Self.run(transport, "pve3", ["pct", "move-volume", "272", "rootfs", "ceph-vm"])
      let conf = try await Self.cat(transport, "pve1", "/etc/pve/nodes/pve3/lxc/272.conf")
      #expect(conf.contains("rootfs: ceph-vm:vm-272-disk-0,size=32G\n"), "\(conf)")
      #expect(conf.contains("unused0: local-zfs:subvol-272-disk-0\n"), "\(conf)")
      try await Self.expectConfigsMatch(sandbox, transport, on: "pve2")
      try Self.expectFilesReadAsPvesh(sandbox)
      // One record per mutating command, in order, all succeeded.
      let commands = try sandbox.commands()
      #expect(commands.map(\.argv.first) == ["pct", "ha-manager", "pvesh", "pct"])
      #expect(commands.map(\.node) == ["pve4", "pve2", "pve1", "pve3"])
      #expect(commands.allSatisfy { $0.exit == 0 && $0.end >= $0.start && $0.pid > 0 })
    }
  }

  @Test func pveshDelayIsHonoured() async throws {
    try await Sandbox.with(snapshot: Self.rules, pveshDelay: 400) { sandbox in
      let transport = SSHRoundTripTests.transport(sandbox)
      defer { Task { await transport.shutdown() } }
      // Connect first, so only the pvesh call is timed.
      _ = try await transport.run(RemoteCommand(node: "pve1", argv: ["true"], mutating: false))
      let clock = ContinuousClock()
      let pvesh = try await clock.measure {
        let out = try await transport.run(
          RemoteCommand(
            node: "pve1", argv: ["pvesh", "get", "/version", "--output-format", "json"],
            mutating: false))
        #expect(out.exitStatus == 0)
      }
      #expect(pvesh >= .milliseconds(400))
      #expect(try sandbox.commands().isEmpty, "read-only commands are not recorded")
    }
  }

  /// Only `pvesh` pays the delay (in-process, with a clock that records the sleeps).
  @Test func onlyPveshSleeps() throws {
    let fixture = try StateFixture(TinyCluster.snapshot())
    defer { fixture.remove() }
    let sleeps = Sleeps()
    let live = Live(now: { 0 }, sleep: { sleeps.add($0) }, emit: nil)
    for argv in [["pvesh", "get", "/version"], ["qm", "status", "100"], ["pveversion"]] {
      var invocation = Invocation(argv: argv, node: "pve1", statePath: fixture.path, now: 0)
      invocation.pveshDelay = 0.8
      #expect(StandIn.run(invocation, live: live).exitCode == 0, "\(argv)")
    }
    #expect(sleeps.all == [0.8])
  }

  @Test func commandDelaySpecs() throws {
    #expect(
      try Invocation.commandDelays("move-volume=20,migrate=5") == ["move-volume": 20, "migrate": 5])
    #expect(throws: CommandFailure.self) { try Invocation.commandDelays("backup=3") }
    #expect(throws: CommandFailure.self) { try Invocation.commandDelays("migrate=soon") }
  }

  // 5 s: the watcher connects over its own SSH session while the move runs; on a loaded 2-core CI
  // machine a 2 s window was sometimes over before the watcher looked.
  @Test func commandDelayPrintsProgressAndLocksTheGuest() async throws {
    try await Sandbox.with(snapshot: Self.rules, commandDelay: ["move-volume": 5]) { sandbox in
      let transport = SSHRoundTripTests.transport(sandbox)
      let reader = SSHRoundTripTests.transport(sandbox)
      defer {
        Task {
          await transport.shutdown()
          await reader.shutdown()
        }
      }
      let clock = ContinuousClock()
      let started = clock.now
      async let moving = transport.run(
        RemoteCommand(
          node: "pve4", argv: ["pct", "move-volume", "272", "rootfs", "ceph-vm", "--delete", "1"],
          mutating: true))
      // While it runs, the container's config holds `lock: disk` (watched on the node itself).
      let watch = try await reader.run(
        RemoteCommand(
          node: "pve4",
          argv: [
            "sh", "-c",
            "f=/etc/pve/nodes/pve4/lxc/272.conf; for i in $(seq 1 1200); do grep -q '^lock: disk$' $f && exec cat $f; grep -q '^rootfs: ceph-vm' $f && exit 1; sleep 0.05; done; exit 2",
          ], mutating: false))
      let duringText = watch.stdoutText
      let out = try await moving
      let took = clock.now - started
      #expect(out.exitStatus == 0, "\(out.stderrText)")
      #expect(took >= .seconds(5))
      let lines = String(decoding: out.stdout, as: UTF8.self).split(separator: "\n").map(
        String.init)
      #expect(lines.first == "moving volume 'rootfs' (local-zfs:subvol-272-disk-0)")
      let progress = lines.filter { $0.hasPrefix("transferred ") && $0.hasSuffix("%)") }
      #expect(progress.count >= 3, "\(lines)")
      #expect(progress.last == "transferred 32.0 GiB of 32.0 GiB (100.00%)")
      #expect(lines.last == "removing source volume 'local-zfs:subvol-272-disk-0'")
      #expect(duringText.contains("lock: disk\n"), "\(duringText)")
      #expect(duringText.contains("rootfs: local-zfs:subvol-272-disk-0"))
      let after = try await reader.run(
        RemoteCommand(
          node: "pve4", argv: ["cat", "/etc/pve/nodes/pve4/lxc/272.conf"], mutating: false))
      let afterText = String(decoding: after.stdout, as: UTF8.self)
      #expect(!afterText.contains("lock:"))
      #expect(afterText.contains("rootfs: ceph-vm:vm-272-disk-0,size=32G"))
      let commands = try sandbox.commands()
      #expect(commands.count == 1)
      #expect(
        commands.first?.argv == ["pct", "move-volume", "272", "rootfs", "ceph-vm", "--delete", "1"])
      if let c = commands.first { #expect(c.end - c.start >= 2) }
    }
  }

  /// stop-node / start-node: the node is unreachable, then back on the same port with /etc/pve;
  /// killing its session processes cuts a connection without stopping the node.
  @Test func aNodeCanBeStoppedAndStartedAgain() async throws {
    try await Sandbox.with(snapshot: Self.rules) { sandbox in
      let transport = SSHRoundTripTests.transport(sandbox)
      defer { Task { await transport.shutdown() } }
      _ = try await Self.cat(transport, "pve2", "/etc/pve/.members")
      let sessions = sandbox.sessionPIDs("pve2")
      #expect(!sessions.isEmpty)
      try sandbox.stopNode("pve2")
      for pid in sessions { kill(pid, SIGKILL) }
      #expect(sandbox.sshdPID("pve2") == nil)
      let fresh = SSHRoundTripTests.transport(sandbox)
      defer { Task { await fresh.shutdown() } }
      await #expect(throws: (any Error).self) {
        _ = try await fresh.run(RemoteCommand(node: "pve2", argv: ["true"], mutating: false))
      }
      try sandbox.startNode("pve2")
      let again = SSHRoundTripTests.transport(sandbox)
      defer { Task { await again.shutdown() } }
      #expect(
        try await Self.cat(again, "pve2", "/etc/pve/.members").contains("\"nodename\": \"pve2\""))
    }
  }

  /// Killing the node's SSH session processes while a slow command runs over a plain exec
  /// channel: the command still completes once, and /etc/pve shows it.
  @Test func aSlowCommandSurvivesItsSession() async throws {
    try await Sandbox.with(snapshot: Self.rules, commandDelay: ["move-volume": 2]) { sandbox in
      let transport = SSHRoundTripTests.transport(sandbox)
      defer { Task { await transport.shutdown() } }
      let moving = Task {
        try await transport.run(
          RemoteCommand(
            node: "pve4", argv: ["pct", "move-volume", "272", "rootfs", "ceph-vm"],
            mutating: true))
      }
      // Wait until the command holds the guest's lock, then cut every connection to pve4.
      let conf = sandbox.pmxcfs.appendingPathComponent("nodes/pve4/lxc/272.conf")
      for _ in 0..<100 {
        if (try? String(contentsOf: conf, encoding: .utf8))?.contains("lock: disk\n") == true {
          break
        }
        try await Task.sleep(for: .milliseconds(50))
      }
      let sessions = sandbox.sessionPIDs("pve4")
      #expect(!sessions.isEmpty)
      for pid in sessions { kill(pid, SIGKILL) }
      _ = await moving.result  // the connection is gone: an error or a partial result
      var commands: [Sandbox.Command] = []
      for _ in 0..<100 where commands.isEmpty {
        try await Task.sleep(for: .milliseconds(100))
        commands = try sandbox.commands()
      }
      #expect(commands.map(\.exit) == [0])
      let text = try String(contentsOf: conf, encoding: .utf8)
      #expect(text.contains("rootfs: ceph-vm:vm-272-disk-0,size=32G\n"), "\(text)")
      #expect(!text.contains("lock:"))
    }
  }

  /// A slow command whose stdout is closed (its SSH session died) still completes: the state and
  /// /etc/pve change and the record says it ended with 0.
  @Test func aSlowCommandOutlivesItsOutput() throws {
    let sandbox = try Sandbox.start(snapshot: Self.rules, commandDelay: ["migrate": 1])
    defer { sandbox.stop() }
    let process = Process()
    process.executableURL = sandbox.directory.appendingPathComponent("bin/pct")
    process.arguments = ["migrate", "272", "pve3"]
    process.environment = [
      "PVEMEND_SANDBOX_STATE": sandbox.statePath, "PVEMEND_SANDBOX_NODE": "pve4",
      "PVEMEND_SANDBOX_COMMAND_DELAY": "migrate=1",
      "PVEMEND_SANDBOX_PMXCFS": sandbox.pmxcfs.path,
      "PVEMEND_SANDBOX_RECORD": sandbox.directory.appendingPathComponent("commands.jsonl").path,
    ]
    let stdout = Pipe()
    process.standardOutput = stdout
    process.standardError = stdout
    try process.run()
    try stdout.fileHandleForReading.close()  // nobody reads: every write gets EPIPE
    process.waitUntilExit()
    #expect(process.terminationReason == .exit)
    #expect(process.terminationStatus == 0)
    #expect(
      FileManager.default.fileExists(atPath: sandbox.pmxcfs.path + "/nodes/pve3/lxc/272.conf"))
    #expect(
      !FileManager.default.fileExists(atPath: sandbox.pmxcfs.path + "/nodes/pve4/lxc/272.conf"))
    let commands = try sandbox.commands()
    #expect(commands.map(\.exit) == [0])
  }
}

/// Sleeps a stand-in asked for.
final class Sleeps: Sendable {
  private let storage = Mutex<[Double]>([])
  func add(_ seconds: Double) { storage.withLock { $0.append(seconds) } }
  var all: [Double] { storage.withLock { $0 } }
}
