import Foundation
import PVEMendTestSupport
import PVEModel
import SSHTransport
import Testing
import Transport

/// `DetachedExecution` over a real sshd on 127.0.0.1: the command runs in its own session on the
/// "node" (here: this machine, in a temporary root folder), survives killed connections, and is
/// never started twice.
@Suite("Detached commands", .serialized)
struct DetachedTests {
  static let server = Result { try SSHD.start() }

  var sshd: SSHD { get throws { try Self.server.get() } }

  static func detached(_ transport: any Transport, root: URL, reconnect: Duration = .seconds(20))
    -> DetachedExecution
  {
    DetachedExecution(
      transport: transport, root: root.path, reconnectTimeout: reconnect,
      initialBackoff: .milliseconds(100), maxBackoff: .seconds(1))
  }

  @Test("a normal run: exit status, output streamed as it comes, one remote command")
  func normalRun() async throws {
    let root = try temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: root) }
    let recording = RecordingTransport(forwardingTo: try sshd.transport())
    defer { Task { await recording.shutdown() } }
    let chunks = StreamingTests.Chunks()
    let detached = Self.detached(recording, root: root)
    let id = DetachedID(run: "run-1", command: "s01.0")
    let result = try await detached.start(
      shell("echo one; echo two >&2; sleep 0.5; echo three; exit 3"), id: id,
      output: { chunks.add($0, $1) })
    #expect(result.exitStatus == 3)
    #expect(result.exitSignal == nil)
    #expect(String(decoding: result.output, as: UTF8.self) == "one\ntwo\nthree\n")
    #expect(chunks.text(stderr: false) == "one\ntwo\nthree\n")
    #expect(result.remoteCommands == 1)
    #expect(recording.commands.count == 1)
    #expect(recording.commands.allSatisfy { $0.mutating })
    let dir = root.appendingPathComponent("run-1/s01.0")
    #expect(try String(contentsOf: dir.appendingPathComponent("status"), encoding: .utf8) == "3\n")
    let (status, _, size) = try await detached.status(node: "pve1", id: id)
    #expect(status == .finished(exitStatus: 3, signal: nil))
    #expect(size == 14)
  }

  @Test("a signal is reported by name")
  func signal() async throws {
    let root = try temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: root) }
    try await withTransport(try sshd.transport()) { transport in
      let result = try await Self.detached(transport, root: root).start(
        shell("kill -TERM $$"), id: DetachedID(run: "r", command: "s01.0"))
      #expect(result.exitStatus == 143)
      #expect(result.exitSignal == "TERM")
      #expect(!result.succeeded)
    }
  }

  @Test("hostile argv arrives intact and cannot inject")
  func hostileArgv() async throws {
    let root = try temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: root) }
    let marker = root.appendingPathComponent("injected").path
    let hostile = [
      "x'; touch \(marker); '", "$(touch \(marker))", "`touch \(marker)`", "a b\tc", "--", "-n",
      "\"; touch \(marker) #", "héllo ✓", "",
    ]
    try await withTransport(try sshd.transport()) { transport in
      let result = try await Self.detached(transport, root: root).start(
        RemoteCommand(node: "pve1", argv: ["printf", "[%s]\\n"] + hostile, mutating: true),
        id: DetachedID(run: "r", command: "s02.0"))
      #expect(result.exitStatus == 0)
      #expect(
        String(decoding: result.output, as: UTF8.self)
          == hostile.map { "[\($0)]\n" }.joined())
      #expect(!FileManager.default.fileExists(atPath: marker))
      let argv = try Data(contentsOf: root.appendingPathComponent("r/s02.0/argv"))
      #expect(argv == Data((["printf", "[%s]\\n"] + hostile).map { $0 + "\0" }.joined().utf8))
    }
  }

  @Test("a second start with the same id is refused; the command ran once")
  func neverTwice() async throws {
    let root = try temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: root) }
    let counter = root.appendingPathComponent("count").path
    try await withTransport(try sshd.transport()) { transport in
      let detached = Self.detached(transport, root: root)
      let id = DetachedID(run: "r", command: "s03.0")
      let command = shell("echo x >> \(ShellQuoting.quote(counter))")
      _ = try await detached.start(command, id: id)
      await #expect(throws: DetachedError.self) { try await detached.start(command, id: id) }
      do {
        _ = try await detached.start(command, id: id)
      } catch let error as DetachedError {
        guard case .alreadyStarted = error else {
          Issue.record("expected alreadyStarted, got \(error)")
          return
        }
      }
      #expect(try String(contentsOfFile: counter, encoding: .utf8) == "x\n")
    }
  }

  @Test("status: never started, running, finished; attach follows from an offset")
  func statusAndAttach() async throws {
    let root = try temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: root) }
    try await withTransport(try sshd.transport()) { transport in
      let detached = Self.detached(transport, root: root)
      let unknown = try await detached.status(node: "pve1", id: DetachedID(run: "r", command: "no"))
      #expect(unknown.status == .neverStarted)
      await #expect(throws: DetachedError.self) {
        try await detached.attach(node: "pve1", id: DetachedID(run: "r", command: "no"))
      }
      let id = DetachedID(run: "r", command: "s04.0")
      let gate = root.appendingPathComponent("gate")
      let task = Task {
        try await detached.start(
          shell(
            "echo UPID:pve1:0001:0002:0003:qmmove:101:root@pam:; \(GateFile.wait(gate.path)); echo end"
          ),
          id: id)
      }
      let log = root.appendingPathComponent("r/s04.0/log").path
      try await DetachedWait.until {
        (FileManager.default.contents(atPath: log)?.count ?? 0) > 0
      }
      let running = try await detached.status(node: "pve1", id: id)
      guard case .running(let pid) = running.status else {
        Issue.record("expected running, got \(running.status)")
        return
      }
      #expect(pid != nil)
      #expect(running.upid == "UPID:pve1:0001:0002:0003:qmmove:101:root@pam:")
      GateFile.open(gate.path)
      let attached = try await detached.attach(node: "pve1", id: id, offset: 5)
      let whole = try await task.value
      #expect(whole.upids == ["UPID:pve1:0001:0002:0003:qmmove:101:root@pam:"])
      #expect(attached.exitStatus == 0)
      #expect(attached.output == whole.output.dropFirst(5))
      #expect(
        try await detached.status(node: "pve1", id: id).status
          == .finished(exitStatus: 0, signal: nil))
    }
  }

  @Test(
    "killing the connection's sshd processes mid-command: it finishes, pvemend re-attaches, whole output"
  )
  func survivesKilledSession() async throws {
    let root = try temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: root) }
    let sshd = try self.sshd
    let listener = try #require(sshd.listenerPID)
    try await withTransport(sshd.transport()) { transport in
      let detached = Self.detached(transport, root: root)
      let chunks = StreamingTests.Chunks()
      let id = DetachedID(run: "r", command: "s05.0")
      let gate = root.appendingPathComponent("gate")
      let task = Task {
        try await detached.start(
          shell("echo begin; \(GateFile.wait(gate.path)); echo done"), id: id,
          output: { chunks.add($0, $1) })
      }
      // Wait until the command runs, then cut every connection.
      let deadline = ContinuousClock.now + .seconds(20)
      while chunks.text(stderr: false).isEmpty && ContinuousClock.now < deadline {
        try await Task.sleep(for: .milliseconds(50))
      }
      let killed = ProcessTree.killSSHDSessions(listener: listener)
      #expect(!killed.isEmpty)
      // The command finishes only after the cut: its end comes over the new connection.
      GateFile.open(gate.path)
      let result = try await task.value
      #expect(result.exitStatus == 0)
      #expect(String(decoding: result.output, as: UTF8.self) == "begin\ndone\n")
      #expect(chunks.text(stderr: false) == "begin\ndone\n", "each byte exactly once")
      #expect(result.reattachments.count == 1)
      #expect(result.remoteCommands == 2)
      let r = try #require(result.reattachments.first)
      print(
        "figure: detached re-attach: loss → attached \(Int(r.sinceLoss * 1000)) ms, "
          + "reconnect attempt → attached \(Int(r.attemptToAttached * 1000)) ms, \(r.attempts) attempt(s)"
      )
      #expect(r.sinceLoss < 10, "re-attached without waiting out a backoff")
    }
  }

  @Test(
    "a connection that goes silent (sshd frozen, no reset): taken for dead after the silence timeout, re-attached"
  )
  func silentConnection() async throws {
    let root = try temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: root) }
    let sshd = try self.sshd
    let listener = try #require(sshd.listenerPID)
    try await withTransport(sshd.transport()) { transport in
      var detached = Self.detached(transport, root: root)
      detached.silenceTimeout = .seconds(1)
      let chunks = StreamingTests.Chunks()
      let id = DetachedID(run: "r", command: "s08.0")
      let gate = root.appendingPathComponent("gate")
      let task = Task {
        try await detached.start(
          shell(
            "i=0; while [ $i -lt 20 ]; do echo $i; i=$((i+1)); "
              + "if [ $i -eq 10 ]; then \(GateFile.wait(gate.path)); fi; sleep 0.05; done"),
          id: id, output: { chunks.add($0, $1) })
      }
      try await DetachedWait.until { !chunks.text(stderr: false).isEmpty }
      // The second half of the output waits for the gate: the freeze lands while the command runs.
      let frozen = ProcessTree.sshdSessions(listener: listener)
      #expect(!frozen.isEmpty, "no sshd session found to freeze")
      for pid in frozen { kill(pid, SIGSTOP) }
      defer { for pid in frozen { kill(pid, SIGKILL) } }
      GateFile.open(gate.path)
      let result = try await task.value
      #expect(result.exitStatus == 0)
      #expect(chunks.text(stderr: false) == (0..<20).map { "\($0)\n" }.joined())
      // Under load a fresh connection can go quiet past the silence timeout once more; what
      // matters is that it re-attached and every byte arrived exactly once (checked above).
      #expect(result.reattachments.count >= 1)
    }
  }

  @Test("an unreachable node past the reconnect timeout: outcome unknown; later, status settles it")
  func unreachable() async throws {
    let root = try temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: root) }
    let sshd = try SSHD.start()
    defer { sshd.stop() }
    let listener = try #require(sshd.listenerPID)
    var settings = SSHSettings()
    settings.connectTimeout = .seconds(1)
    try await withTransport(sshd.transport(settings: settings)) { transport in
      let detached = Self.detached(transport, root: root, reconnect: .seconds(1))
      let id = DetachedID(run: "r", command: "s06.0")
      let chunks = StreamingTests.Chunks()
      let gate = root.appendingPathComponent("gate")
      let task = Task {
        try await detached.start(
          shell("echo begin; \(GateFile.wait(gate.path)); echo done"), id: id
        ) {
          chunks.add($0, $1)
        }
      }
      let deadline = ContinuousClock.now + .seconds(20)
      while chunks.text(stderr: false).isEmpty && ContinuousClock.now < deadline {
        try await Task.sleep(for: .milliseconds(50))
      }
      // The listener stops too: nothing can connect.
      kill(listener, SIGSTOP)
      ProcessTree.killSSHDSessions(listener: listener)
      do {
        _ = try await task.value
        Issue.record("expected the outcome to be unknown")
      } catch let error as DetachedError {
        #expect(error.outcomeUnknown)
        guard case .unreachable = error else {
          Issue.record("expected unreachable, got \(error)")
          return
        }
      }
      kill(listener, SIGCONT)
      GateFile.open(gate.path)
      try await DetachedWait.until {
        FileManager.default.fileExists(
          atPath: root.appendingPathComponent("r/s06.0/status").path)
      }
      let settled = try await detached.status(node: "pve1", id: id)
      #expect(settled.status == .finished(exitStatus: 0, signal: nil))
    }
  }

  @Test("the wrapper killed without a status: lost, with the UPID the output named")
  func lostWithUPID() async throws {
    let root = try temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: root) }
    try await withTransport(try sshd.transport()) { transport in
      let detached = Self.detached(transport, root: root)
      let id = DetachedID(run: "r", command: "s07.0")
      let upid = "UPID:pve1:00001234:00005678:6560A1B2:qmigrate:101:root@pam:"
      let task = Task {
        try await detached.start(shell("echo \(upid); exec sleep 30"), id: id)
      }
      let pidFile = root.appendingPathComponent("r/s07.0/pid").path
      try await DetachedWait.until { FileManager.default.fileExists(atPath: pidFile) }
      try await Task.sleep(for: .milliseconds(200))
      let wrapper = try #require(ProcessTree.pid(file: pidFile))
      // The wrapper and its command die at once (a node reboot, an OOM kill): no status.
      // The wrapper first (so it cannot write a status when its command dies), then the command.
      let children = ProcessTree.children()[wrapper] ?? []
      kill(wrapper, SIGKILL)
      for child in children { kill(child, SIGKILL) }
      do {
        _ = try await task.value
        Issue.record("expected lost")
      } catch let error as DetachedError {
        #expect(error == .lost(node: "pve1", directory: detached.directory(id), upid: upid))
        #expect(error.outcomeUnknown)
      }
      let state = try await detached.status(node: "pve1", id: id)
      #expect(state.status == .lost(pid: Int(wrapper)))
      #expect(state.upid == upid)
    }
  }

  @Test(
    "attach and status are read-only by exact match; the launcher is mutating and a dry run refuses it"
  )
  func readOnlyRecognition() async throws {
    let detached = DetachedExecution(
      transport: RecordingTransport(script: [:]), root: "/var/log/pvemend")
    let id = DetachedID(run: "r", command: "s01.0")
    let launch = detached.launchCommand(
      RemoteCommand(
        node: "n", argv: ["pct", "move-volume", "100", "rootfs", "nfs"], mutating: true),
      id: id)
    #expect(launch.mutating)
    #expect(!ReadOnlyCommands.isReadOnly(launch.argv))
    #expect(
      DetachedScripts.launchedArgv(launch.argv) == ["pct", "move-volume", "100", "rootfs", "nfs"])
    #expect(ReadOnlyCommands.isReadOnly(detached.attachCommand(node: "n", id: id, offset: 0).argv))
    #expect(ReadOnlyCommands.isReadOnly(detached.statusCommand(node: "n", id: id).argv))
    var tampered = detached.attachCommand(node: "n", id: id, offset: 0).argv
    tampered[2] += "; reboot"
    #expect(!ReadOnlyCommands.isReadOnly(tampered))
    let dry = DetachedExecution(transport: DryRunTransport(RecordingTransport(script: [:])))
    await #expect(throws: DetachedError.self) {
      try await dry.start(RemoteCommand(node: "n", argv: ["true"], mutating: true), id: id)
    }
  }
}

/// Polls a condition (at most 20 s).
enum DetachedWait {
  static func until(_ condition: () -> Bool) async throws {
    let deadline = ContinuousClock.now + .seconds(20)
    while !condition() && ContinuousClock.now < deadline {
      try await Task.sleep(for: .milliseconds(20))
    }
  }
}
