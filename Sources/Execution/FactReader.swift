import Foundation
import PVEConfig
import PVEModel
import Planning
import Synchronization
import Transport

/// The executor's reader: reads just the facts a check needs, in ONE `ClusterRead` batch on the
/// entry node, lays the fresh paths over the last-known snapshot and derives the `Cluster`.
///
/// The last-known snapshot starts as the plan's embedded one and takes in every read, so paths no
/// condition depends on (node status, storage figures) stay as last read. Guest configs come from
/// `/etc/pve/nodes/*/<qemu-server|lxc>/<vmid>.conf` (wherever the guest is now), else `pvesh get`.
/// When fresh `/cluster/resources` shows a guest on another node, its last-known config moves with
/// it (a migration moves the file); a guest or node no earlier read saw is read in one more batch.
/// A baseline that cannot derive a cluster (an undo plan embeds none) makes the first read a full
/// batched collection.
package final class FactReader: Sendable {
  let entryNode: String
  let clock: any ExecutionClock
  let parallelism: Int
  let configDecoder: GuestConfigDecoder?
  private let state: Mutex<State>

  struct State {
    var api: [String: JSONValue]
    /// Path → the read that wrote it last (a slower, older read never overwrites a newer one).
    var generation: [String: Int] = [:]
    var reads = 0
    var usable: Bool
  }

  package init(
    entryNode: String, clock: any ExecutionClock, baseline: Snapshot, parallelism: Int = 4,
    configDecoder: GuestConfigDecoder? = GuestConfigDecoding.proxmox
  ) {
    self.entryNode = entryNode
    self.clock = clock
    self.parallelism = max(1, parallelism)
    self.configDecoder = configDecoder
    let usable = (try? Cluster(snapshot: baseline)) != nil
    state = Mutex(State(api: baseline.api, usable: usable))
  }

  /// The executor's read closure.
  package var read: Executor.ReadFacts {
    { transport, facts in try await self.read(facts, through: transport) }
  }

  /// Reads `facts` fresh and derives the cluster.
  package func read(_ facts: Set<ClusterFact>, through transport: any Transport) async throws
    -> Cluster
  {
    let (base, generation, usable) = state.withLock { s -> ([String: JSONValue], Int, Bool) in
      s.reads += 1
      return (s.api, s.reads, s.usable)
    }
    let source = "ssh://\(entryNode)"
    guard usable else {
      let snapshot = try await collect(through: transport)
      state.withLock { s in
        s.api = snapshot.api
        s.usable = true
        for key in snapshot.api.keys { s.generation[key] = generation }
      }
      return try Cluster(snapshot: snapshot, file: source)
    }
    var api = base
    var written: [String: JSONValue?] = [:]
    func set(_ path: String, _ value: JSONValue?) {
      api[path] = value
      written[path] = .some(value)
    }

    // 1. The facts, in one batch.
    var items: [ClusterRead.Item] = []
    var optional = Set<String>()
    var configs: [(kind: GuestKind, vmid: Int)] = []
    for fact in facts.sorted() {
      if let path = fact.path {
        items.append(.get(path))
        // The HA placement path the cluster does not use fails (groups migrated, or PVE 8 rules).
        if fact == .haGroups || fact == .haRules, base[path] == nil { optional.insert(path) }
      } else if case .guestConfig(let sid) = fact, let (kind, vmid) = Cluster.parseSID(sid) {
        configs.append((kind, vmid))
        let item = configItem(kind: kind, vmid: vmid, in: base)
        items.append(item)
        // A guest that no longer exists has no config: judged by the conditions, not an error
        // (a guest /cluster/resources still lists is read again below and must succeed).
        if case .get(let path) = item { optional.insert(path) }
        if case .guestConfig(_, _, let node) = item {
          optional.insert(Snapshot.guestConfigPath(node: node, kind: kind, vmid: vmid))
        }
      }
    }
    if !items.isEmpty {
      for (kind, vmid) in configs {
        for path in configPaths(kind: kind, vmid: vmid, in: api) { set(path, nil) }
      }
      let values = try await batch(items, through: transport, optional: optional)
      for (path, value) in values { set(path, value) }
    }

    // 2. What the fresh placement needs that no read has seen yet.
    let layout = ClusterLayout(status: api["/cluster/status"], resources: api["/cluster/resources"])
    var missing: [ClusterRead.Item] = []
    for node in layout.nodes where layout.online.contains(node) {
      for path in [Snapshot.nodeStatusPath(node), Snapshot.nodeStoragePath(node)]
      where api[path] == nil {
        missing.append(.get(path))
      }
    }
    for g in layout.guests where layout.online.contains(g.node) {
      let path = Snapshot.guestConfigPath(node: g.node, kind: g.kind, vmid: g.vmid)
      guard api[path] == nil else { continue }
      if let old = configPaths(kind: g.kind, vmid: g.vmid, in: api).first {
        // Migrated since the last read: the file moved with the guest.
        set(path, api[old])
        set(old, nil)
      } else {
        missing.append(configItem(kind: g.kind, vmid: g.vmid, node: g.node))
      }
    }
    if !missing.isEmpty {
      let values = try await batch(missing, through: transport, optional: [])
      for (path, value) in values { set(path, value) }
    }

    state.withLock { s in
      for (path, value) in written where (s.generation[path] ?? 0) <= generation {
        s.api[path] = value
        s.generation[path] = generation
      }
    }
    return try Cluster(
      snapshot: Snapshot(collectedAt: clock.timestamp(), source: source, api: api), file: source)
  }

  /// A full batched collection (the first read when the baseline derives no cluster).
  func collect(through transport: any Transport) async throws -> Snapshot {
    let collector = SnapshotCollector(
      transport: transport, entryNode: entryNode, parallelism: parallelism,
      configDecoder: configDecoder)
    do {
      return try await collector.collect(
        collectedAt: clock.timestamp(), source: "ssh://\(entryNode)")
    } catch {
      // The collector folds transport errors into per-path reasons; when the entry node itself
      // cannot be reached (host key, refused, authentication), surface that error (exit 4).
      _ = try await transport.run(.pveshGet("/version", on: entryNode))
      throw error
    }
  }

  /// The config paths of (kind, vmid) on any node in `api`.
  func configPaths(kind: GuestKind, vmid: Int, in api: [String: JSONValue]) -> [String] {
    let suffix = "/\(kind.rawValue)/\(vmid)/config"
    return api.keys.filter { $0.hasPrefix("/nodes/") && $0.hasSuffix(suffix) }.sorted()
  }

  func configItem(kind: GuestKind, vmid: Int, in api: [String: JSONValue]) -> ClusterRead.Item {
    let resources = api["/cluster/resources"]?.arrayValue ?? []
    let node =
      resources.first {
        $0["type"]?.stringValue == kind.rawValue && $0["vmid"]?.intValue == Int64(vmid)
      }?["node"]?.stringValue ?? entryNode
    return configItem(kind: kind, vmid: vmid, node: node)
  }

  /// The config file wherever it is (with a decoder), else `pvesh get` on its node's path.
  func configItem(kind: GuestKind, vmid: Int, node: String) -> ClusterRead.Item {
    configDecoder == nil
      ? .get(Snapshot.guestConfigPath(node: node, kind: kind, vmid: vmid))
      : .guestConfig(kind: kind, vmid: vmid, node: node)
  }

  /// Runs one batch and returns path → value; throws `FactReadError` naming every path that failed
  /// (but those in `optional`).
  func batch(
    _ items: [ClusterRead.Item], through transport: any Transport, optional: Set<String>
  ) async throws -> [String: JSONValue] {
    let pvesh = items.count
    let waves = (pvesh + parallelism - 1) / parallelism
    let records = try await ReadBatch.run(
      ClusterRead.command(items, on: entryNode, parallelism: parallelism), transport: transport,
      timeout: .seconds(max(120, 30 * waves)))
    var values: [String: JSONValue] = [:]
    var failures: [CollectError.FailedPath] = []
    var undecodable: [(path: String, item: ClusterRead.Item)] = []
    for r in records {
      switch r.kind {
      case .dir: continue
      case .get:
        guard r.succeeded else {
          if !optional.contains(r.name) {
            failures.append(.init(path: r.name, node: entryNode, reason: r.reason))
          }
          continue
        }
        do {
          values[r.name] = try JSONParser.parse(r.payload)
        } catch {
          failures.append(
            .init(
              path: r.name, node: entryNode,
              reason:
                "output is not JSON (starts with '\(String(decoding: r.payload.prefix(60), as: UTF8.self))')"
            ))
        }
      case .file:
        guard let (node, kind, vmid) = GuestConfigPath.parse(r.name) else { continue }
        let path = Snapshot.guestConfigPath(node: node, kind: kind, vmid: vmid)
        do {
          guard let configDecoder else { continue }
          values[path] = .object(try configDecoder(r.payload, kind, r.name))
        } catch {
          undecodable.append((path, .get(path)))
        }
      }
    }
    if !undecodable.isEmpty {
      // A file pvemend cannot parse: what pvesh prints for it instead.
      let again = try await batch(undecodable.map(\.item), through: transport, optional: [])
      values.merge(again) { _, b in b }
    }
    guard failures.isEmpty else {
      throw CollectError.failed(entryNode: entryNode, paths: failures.sorted { $0.path < $1.path })
    }
    return values
  }
}
