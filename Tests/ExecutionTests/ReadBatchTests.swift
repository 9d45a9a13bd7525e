import Execution
import Foundation
import PVEConfig
import PVEMendTestSupport
import PVEModel
import Planning
import Synth
import Testing
import Transport

/// Read batches: the script, its framed output, the batched collection and the fact reads.
@Suite("Read batches")
struct ReadBatchTests {
  // MARK: The script, run by a real /bin/sh

  /// Runs the batch script locally with a `pvesh` that prints its path argument as a JSON string
  /// (and fails for paths under /fail).
  static func runScript(_ items: [ClusterRead.Item], parallelism: Int = 3) async throws
    -> (Tool.Output, URL)
  {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent(
      "pvemend-read-test-\(UUID().uuidString.prefix(8))")
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    let pvesh = dir.appendingPathComponent("pvesh")
    try Data(
      """
      #!/bin/sh
      case $2 in /fail*) echo "no such path $2" >&2; echo second line >&2; exit 2;; esac
      printf '"%s"\\n' "$2"

      """.utf8
    ).write(to: pvesh)
    try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: pvesh.path)
    let command = ClusterRead.command(items, on: "pve1", parallelism: parallelism)
    let out = try await Tool.run(
      "/bin/sh", Array(command.argv.dropFirst()),
      environment: ["PATH": "\(dir.path):/usr/bin:/bin", "TMPDIR": dir.path])
    return (out, dir)
  }

  static let hostile = [
    "/x'; touch /tmp/pvemend-pwned; '", "/$(touch /tmp/pvemend-pwned)", "/`id`", "/a b  c",
    "/ünïcödé", "/-n", "/*",
  ]

  @Test("a content listing item passes --content to pvesh; a bad content word is refused")
  func contentItem() async throws {
    let path = "/nodes/pve1/storage/pbs/content"
    let (out, dir) = try await Self.runScript([
      .get("/version"), .getContent(path, content: "backup"),
    ])
    defer { try? FileManager.default.removeItem(at: dir) }
    #expect(out.status == 0, "\(out.stderr)")
    let records = try ReadBatch.parse(Data(out.stdout.utf8))
    #expect(records.map(\.name) == ["/version", path])
    #expect(records.allSatisfy { $0.status == 0 })
    #expect(
      ClusterRead.command([.getContent(path, content: "backup")], on: "pve1").argv.suffix(3)
        == ["getc", path, "backup"])
    let (bad, badDir) = try await Self.runScript([.getContent(path, content: "x;id")])
    defer { try? FileManager.default.removeItem(at: badDir) }
    #expect(bad.status == 64)
    #expect(bad.stderr.contains("content type 'x;id' is not a word"))
  }

  @Test("the script passes every path verbatim to pvesh, keeps outputs apart, cleans up")
  func scriptRoundTrip() async throws {
    let paths = (0..<7).map { "/cluster/p\($0)" } + Self.hostile + ["/fail/x"]
    let (out, dir) = try await Self.runScript(paths.map(ClusterRead.Item.get))
    defer { try? FileManager.default.removeItem(at: dir) }
    #expect(out.status == 0, "\(out.stderr)")
    let records = try ReadBatch.parse(Data(out.stdout.utf8))
    #expect(records.map(\.name) == paths)
    for r in records where r.name != "/fail/x" {
      #expect(r.kind == .get && r.status == 0)
      #expect(try JSONParser.parse(r.payload) == .string(r.name))
    }
    let failed = try #require(records.last)
    #expect(failed.status == 2)
    #expect(failed.reason == "exit 2: no such path /fail/x / second line")
    #expect(!FileManager.default.fileExists(atPath: "/tmp/pvemend-pwned"))
    // The private temporary directory is gone.
    let left = try FileManager.default.contentsOfDirectory(atPath: dir.path)
    #expect(left == ["pvesh"], "\(left)")
  }

  @Test("the script refuses malformed items before reading anything")
  func scriptRefusesBadItems() async throws {
    for items: [ClusterRead.Item] in [
      [.get("relative")], [.get("/a\nb")], [.guestConfig(kind: .qemu, vmid: 1, node: "a/b")],
    ] {
      let (out, dir) = try await Self.runScript(items)
      defer { try? FileManager.default.removeItem(at: dir) }
      #expect(out.status == 64)
      #expect(out.stdout.isEmpty)
      #expect(out.stderr.hasPrefix("pvemend-read: "))
    }
  }

  @Test("a guest config with no file under /etc/pve is read with pvesh on its node")
  func scriptConfigFallsBackToPvesh() async throws {
    let (out, dir) = try await Self.runScript([
      .guestConfig(kind: .lxc, vmid: 987_654, node: "pve 2"), .allGuestConfigs,
    ])
    defer { try? FileManager.default.removeItem(at: dir) }
    #expect(out.status == 0, "\(out.stderr)")
    let records = try ReadBatch.parse(Data(out.stdout.utf8))
    #expect(records.first?.name == "/nodes/pve 2/lxc/987654/config")
    #expect(records.first?.kind == .get)
    #expect(records.contains { $0.kind == .dir && $0.name == "/etc/pve/nodes" })
  }

  @Test("only the batch script, verbatim, is read-only")
  func readOnlyRecognition() {
    let command = ClusterRead.command([.get("/version"), .allGuestConfigs], on: "pve1")
    #expect(!command.mutating)
    #expect(ReadOnlyCommands.isReadOnly(command.argv))
    var edited = command.argv
    edited[2] += "\nqm destroy 100"
    #expect(!ReadOnlyCommands.isReadOnly(edited))
    #expect(!ReadOnlyCommands.isReadOnly(["sh", "-c", "pvesh get /version"]))
    #expect(!ReadOnlyCommands.isReadOnly(["sh", "-c", ClusterRead.script]))
  }

  // MARK: The parser

  @Test("the parser refuses truncated and malformed streams with the place it broke")
  func parserErrors() throws {
    let good = BatchServer.stream([
      ("get", 0, "/a b", Data("[1]\n".utf8)), ("file", 0, "/etc/pve/x", Data("a\nb".utf8)),
    ])
    let records = try ReadBatch.parse(good)
    #expect(records.map(\.name) == ["/a b", "/etc/pve/x"])
    #expect(records[1].payload == Data("a\nb".utf8))
    func error(_ data: Data) -> String {
      do {
        _ = try ReadBatch.parse(data)
        return ""
      } catch { return error.detail }
    }
    #expect(error(good.dropLast(22)).contains("announces"))
    #expect(error(Data("hello\n".utf8)).contains("expected 'pvemend-read/1 <records>'"))
    #expect(error(Data("pvemend-read/1 1\nget x 1 /a\n".utf8)).contains("is not '<type>"))
    #expect(error(good + Data("x".utf8)).contains("expected 'pvemend-read/1 end'"))
  }

  // MARK: Collecting

  static func collect(
    _ server: BatchServer, entry: String, route: SnapshotCollector.Route = .entryNode,
    mode: SnapshotCollector.Mode = .batched, lines: LockedLines? = nil
  ) async throws -> (Snapshot, RecordingTransport) {
    let transport = server.transport()
    var progress: (@Sendable (String) -> Void)?
    if let lines { progress = { line in lines.append(line) } }
    let decoder: GuestConfigDecoder = BatchServer.jsonDecoder
    let collector = SnapshotCollector(
      transport: transport, entryNode: entry, parallelism: 4, progress: progress, route: route,
      mode: mode, configDecoder: decoder)
    let snapshot = try await collector.collect(collectedAt: "t", source: "s")
    return (snapshot, transport)
  }

  static var examples: [URL] {
    let dir = Fixtures.root.appendingPathComponent("examples")
    let names = (try? FileManager.default.contentsOfDirectory(atPath: dir.path)) ?? []
    return names.filter { $0.hasSuffix(".json") }.sorted().map { dir.appendingPathComponent($0) }
  }

  static func entry(_ snapshot: Snapshot) -> String {
    ClusterReader.entryNode(of: snapshot) ?? "pve1"
  }

  @Test("config files and per-path reads give the same snapshot and cluster", arguments: examples)
  func filesAgreeWithPerPath(_ file: URL) async throws {
    let original = try Snapshot.decode(Data(contentsOf: file), file: file.path)
    let entry = Self.entry(original)
    let server = BatchServer(original)
    let (perPath, t1) = try await Self.collect(server, entry: entry, mode: .perPath)
    let (batched, t2) = try await Self.collect(server, entry: entry)
    #expect(batched.api == perPath.api)
    #expect(try Cluster(snapshot: batched) == Cluster(snapshot: perPath))
    let nodes = (try Cluster(snapshot: original)).nodes.count
    #expect(t2.commands.count == 3, "cluster + configs + node paths through \(entry)")
    #expect(t2.commands.count <= 4 + 2 * nodes)
    #expect(t1.commands.count > t2.commands.count)
    #expect(t2.commands.allSatisfy { ClusterRead.isReadBatch($0.argv) })
  }

  @Test("16 nodes / 1,000 guests: a handful of commands, each node's paths on that node")
  func synthBudget() async throws {
    let original = Synth.snapshot(nodes: 16, guests: 1000, seed: 1, pveMajor: 9)
    let entry = Self.entry(original)
    let server = BatchServer(original)
    let (through, t1) = try await Self.collect(server, entry: entry)
    #expect(through.api == original.api)
    #expect(t1.commands.count == 3)
    let (each, t2) = try await Self.collect(server, entry: entry, route: .eachNode)
    #expect(each.api == original.api)
    let online = try Cluster(snapshot: original).nodes.filter(\.online).count
    #expect(t2.commands.count == 2 + online)
    #expect(t2.commands.count <= 4 + 2 * 16)
  }

  @Test("no /etc/pve: configs by pvesh in one more batch, saying why")
  func noConfigFiles() async throws {
    let original = try Snapshot.decode(
      Data(contentsOf: Fixtures.example("homelab-cluster.json")), file: "homelab")
    let server = BatchServer(original, filesReadable: false)
    let lines = LockedLines()
    let (collected, transport) = try await Self.collect(server, entry: "proxmox", lines: lines)
    #expect(collected.api == original.api)
    #expect(transport.commands.count == 4)
    #expect(
      lines.all.contains {
        $0.contains("reading 37 with pvesh instead") && $0.contains("cannot read /etc/pve/nodes")
      }, "\(lines.all)")
  }

  @Test("a config file pvemend cannot parse is read with pvesh; others come from the files")
  func unparsableConfig() async throws {
    let original = try Snapshot.decode(
      Data(contentsOf: Fixtures.example("homelab-cluster.json")), file: "homelab")
    let server = BatchServer(original)
    let path = try #require(original.api.keys.sorted().first { $0.hasSuffix("/config") })
    let p = path.split(separator: "/")
    let kind = try #require(GuestKind(rawValue: String(p[2])))
    server.fileOverrides[
      "/etc/pve/nodes/\(p[1])/\(GuestConfigPath.directory(kind))/\(p[3]).conf"] = Data(
        "\u{0}garbage".utf8)
    let lines = LockedLines()
    let (collected, transport) = try await Self.collect(server, entry: "proxmox", lines: lines)
    #expect(collected.api == original.api)
    #expect(transport.commands.count == 4)
    #expect(
      lines.all.contains { $0.contains("reading 1 with pvesh instead (1 could not be parsed") })
    #expect(
      transport.commands.contains { $0.argv.suffix(2) == ["get", path] && $0.argv.count == 7 })
  }

  @Test("a config file of a guest /cluster/resources does not list is not collected")
  func strayConfigIgnored() async throws {
    var original = try Snapshot.decode(
      Data(contentsOf: Fixtures.example("homelab-cluster.json")), file: "homelab")
    let server = BatchServer(original)
    var api = original.api
    api["/nodes/proxmox/qemu/999999/config"] = .object(["name": .string("stray")])
    server.snapshotAPI = api
    let (collected, _) = try await Self.collect(server, entry: "proxmox")
    original.api["/nodes/proxmox/qemu/999999/config"] = nil
    #expect(collected.api == original.api)
  }
}

/// Lines collected from several tasks.
final class LockedLines: @unchecked Sendable {
  private let lock = NSLock()
  private var lines: [String] = []
  func append(_ line: String) { lock.withLock { lines.append(line) } }
  var all: [String] { lock.withLock { lines } }
}

/// The executor's fact reads: one batch with just the facts' paths, over the last-known snapshot.
@Suite("Fact reads")
struct FactReaderTests {
  static func homelab() throws -> Snapshot {
    try Snapshot.decode(Data(contentsOf: Fixtures.example("homelab-cluster.json")), file: "homelab")
  }

  static func reader(_ baseline: Snapshot) -> FactReader {
    FactReader(
      entryNode: "proxmox", clock: VirtualClock(), baseline: baseline,
      configDecoder: BatchServer.jsonDecoder)
  }

  /// The `get` paths and `conf` items of a batch.
  static func items(_ command: RemoteCommand) -> [String] {
    var out: [String] = []
    var i = 5
    let a = command.argv
    while i < a.count {
      switch a[i] {
      case "get": out.append(a[i + 1]); i += 2
      case "conf": out.append("conf \(a[i + 1]) \(a[i + 2])"); i += 4
      default: out.append(a[i]); i += 1
      }
    }
    return out
  }

  @Test("a fact read is one batch of just its paths; the rest comes from the last-known snapshot")
  func onlyTheFacts() async throws {
    let snapshot = try Self.homelab()
    let server = BatchServer(snapshot)
    let transport = server.transport()
    let reader = Self.reader(snapshot)
    let cluster = try await reader.read([.haStatus, .resources], through: transport)
    #expect(transport.commands.count == 1)
    #expect(
      Self.items(try #require(transport.commands.first))
        == ["/cluster/resources", "/cluster/ha/status/current"])
    #expect(cluster == (try Cluster(snapshot: snapshot)).like(cluster))
    _ = try await reader.read([.guestConfig("ct:111"), .backupJobs], through: transport)
    #expect(
      Self.items(transport.commands[1]) == ["/cluster/backup", "conf lxc 111"])
    // Nothing to read: no command.
    _ = try await reader.read([], through: transport)
    #expect(transport.commands.count == 2)
  }

  @Test("a guest that moved keeps its config; a new one is read in one more batch")
  func placementChanges() async throws {
    let snapshot = try Self.homelab()
    let server = BatchServer(snapshot)
    let transport = server.transport()
    let reader = Self.reader(snapshot)
    var api = snapshot.api
    // ct:111 migrates proxmox2 → proxmox3 (its file moves with it).
    var resources = try #require(api["/cluster/resources"]?.arrayValue)
    let i = try #require(resources.firstIndex { $0["vmid"]?.intValue == 111 })
    guard case .object(var entry) = resources[i] else { return }
    entry["node"] = .string("proxmox3")
    resources[i] = .object(entry)
    api["/nodes/proxmox3/lxc/111/config"] = api["/nodes/proxmox2/lxc/111/config"]
    api["/nodes/proxmox2/lxc/111/config"] = nil
    api["/cluster/resources"] = .array(resources)
    server.snapshotAPI = api
    let moved = try await reader.read([.resources], through: transport)
    #expect(moved.guest(sid: "ct:111")?.node == "proxmox3")
    #expect(
      moved.guest(sid: "ct:111")?.disks
        == (try Cluster(snapshot: snapshot)).guest(sid: "ct:111")?.disks)
    #expect(transport.commands.count == 1)
    // A guest no read has seen: its config is read in a second batch.
    var more = try #require(api["/cluster/resources"]?.arrayValue)
    entry["vmid"] = .int(4242)
    entry["id"] = .string("lxc/4242")
    more.append(.object(entry))
    api["/cluster/resources"] = .array(more)
    api["/nodes/proxmox3/lxc/4242/config"] = api["/nodes/proxmox3/lxc/111/config"]
    server.snapshotAPI = api
    let grown = try await reader.read([.resources], through: transport)
    #expect(grown.guest(sid: "ct:4242")?.node == "proxmox3")
    #expect(transport.commands.count == 3)
    #expect(Self.items(transport.commands[2]) == ["conf lxc 4242"])
  }

  @Test("a baseline that derives no cluster (an undo plan) makes the first read a full collection")
  func emptyBaseline() async throws {
    let snapshot = try Self.homelab()
    let server = BatchServer(snapshot)
    let transport = server.transport()
    let reader = Self.reader(Snapshot(collectedAt: "t", source: "undo", api: [:]))
    let cluster = try await reader.read([.haResources], through: transport)
    #expect(cluster.guests.count == 37)
    #expect(transport.commands.count == 3)
    _ = try await reader.read([.haResources], through: transport)
    #expect(transport.commands.count == 4)
  }
}

extension Cluster {
  /// This cluster with `other`'s collection time and source.
  fileprivate func like(_ other: Cluster) -> Cluster {
    var copy = self
    copy.collectedAt = other.collectedAt
    copy.source = other.source
    return copy
  }
}
