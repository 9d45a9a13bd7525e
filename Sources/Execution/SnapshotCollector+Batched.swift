import Foundation
import PVEConfig
import PVEModel
import Transport

extension SnapshotCollector {
  /// The batched collection (see the type's documentation): 2 commands on the entry node, then
  /// 1 (through the entry node) or one per online node, then at most one more per node for configs
  /// that could not be read from `/etc/pve`.
  func collectBatched(collectedAt: String, source: String) async throws -> Snapshot {
    var api: [String: JSONValue] = [:]
    var failures: [CollectError.FailedPath] = []

    let haPaths = [Snapshot.haGroupsPath, Snapshot.haRulesPath]
    progress?(
      "collecting \(Snapshot.clusterPaths.count) cluster-wide paths from \(entryNode)"
        + (configDecoder == nil ? "" : ", and the guest config files in /etc/pve/nodes"))
    let clusterItems = (Snapshot.clusterPaths + haPaths).map(ClusterRead.Item.get)
    async let clusterRead = batch(clusterItems, on: entryNode)
    async let configRead: Result<[ReadBatch.Record], any Error>? =
      configDecoder == nil ? nil : batch([.allGuestConfigs], on: entryNode)

    var haRecords: [String: ReadBatch.Record] = [:]
    switch await clusterRead {
    case .success(let records):
      for r in records where r.kind == .get {
        if haPaths.contains(r.name) {
          haRecords[r.name] = r
          continue
        }
        switch decode(r) {
        case .success(let value): api[r.name] = value
        case .failure(let f): failures.append(f)
        }
      }
    case .failure(let error):
      failures += Snapshot.clusterPaths.map {
        CollectError.FailedPath(path: $0, node: entryNode, reason: "\(error)")
      }
    }
    guard api["/cluster/status"] != nil || api["/cluster/resources"] != nil else {
      _ = await configRead
      throw CollectError.failed(entryNode: entryNode, paths: failures)
    }

    let layout = ClusterLayout(status: api["/cluster/status"], resources: api["/cluster/resources"])
    let offline = layout.nodes.filter { !layout.online.contains($0) }
    progress?(
      "found \(layout.nodes.count) nodes (\(layout.online.count) online) and \(layout.guests.count) guests"
        + (offline.isEmpty ? "" : "; skipping offline node(s) \(offline.joined(separator: ", "))"))
    let online = layout.nodes.filter { layout.online.contains($0) }
    var nodePaths: [String: [String]] = [:]
    for node in online {
      nodePaths[self.node(for: Snapshot.nodeStatusPath(node)), default: []] += [
        Snapshot.nodeStatusPath(node), Snapshot.nodeStoragePath(node),
      ]
    }
    // Backup content listings ride in the same batches: no extra command.
    let contentReads = Snapshot.backupContentReads(storage: api["/storage"], online: online)
    var nodeItems = nodePaths.mapValues { $0.map(ClusterRead.Item.get) }
    for r in contentReads {
      nodeItems[self.node(for: r.path), default: []].append(
        .getContent(r.path, content: "backup"))
    }
    let contentPaths = Set(contentReads.map(\.path))
    progress?(
      "collecting \(online.count * 2) node paths"
        + (contentReads.isEmpty ? " " : " and \(contentReads.count) backup content listing(s) ")
        + (route == .entryNode ? "through \(entryNode)" : "on each node"))
    async let nodeRead = batches(nodeItems)

    // Guest configs: from the files, else (per guest) with pvesh.
    var wanted: [String: (node: String, kind: GuestKind, vmid: Int)] = [:]
    for g in layout.guests where layout.online.contains(g.node) {
      wanted[Snapshot.guestConfigPath(node: g.node, kind: g.kind, vmid: g.vmid)] = (
        g.node, g.kind, g.vmid
      )
    }
    var configs: [String: JSONValue] = [:]
    var whyPvesh: String?
    var undecodable: [String] = []
    switch await configRead {
    case nil:
      whyPvesh = "no config file decoder"
    case .failure(let error)?:
      whyPvesh = "the config file read failed: \(error)"
    case .success(let records)?:
      if let dir = records.first(where: { $0.kind == .dir }), !dir.succeeded {
        whyPvesh = "\(dir.name): \(dir.reason)"
      }
      for r in records where r.kind == .file && r.succeeded {
        guard let (node, kind, vmid) = GuestConfigPath.parse(r.name) else { continue }
        let path = Snapshot.guestConfigPath(node: node, kind: kind, vmid: vmid)
        guard wanted[path] != nil, let configDecoder else { continue }
        do {
          configs[path] = .object(try configDecoder(r.payload, kind, r.name))
        } catch {
          undecodable.append("\(r.name): \(error)")
        }
      }
    }
    api.merge(configs) { a, _ in a }
    let missing = wanted.keys.filter { configs[$0] == nil }.sorted()
    if !missing.isEmpty {
      let why =
        whyPvesh
        ?? (undecodable.isEmpty
          ? "not found in /etc/pve/nodes"
          : "\(undecodable.count) could not be parsed (\(undecodable.prefix(2).joined(separator: "; ")))")
      progress?(
        "read \(configs.count) guest configs from /etc/pve; reading \(missing.count) with pvesh instead ("
          + "\(why))")
      var byNode: [String: [ClusterRead.Item]] = [:]
      for path in missing { byNode[node(for: path), default: []].append(.get(path)) }
      let (values, fails) = await batches(byNode)
      api.merge(values) { a, _ in a }
      failures += fails
    } else if !wanted.isEmpty {
      progress?("read \(configs.count) guest configs from /etc/pve/nodes")
    }
    let (nodeValues, nodeFailures) = await nodeRead
    api.merge(nodeValues) { a, _ in a }
    failures += nodeFailures.filter { !contentPaths.contains($0.path) }
    reportUnread(nodeFailures.filter { contentPaths.contains($0.path) })

    // HA placement: groups (PVE 8, unmigrated 9) or rules (migrated 9), as the per-path mode does.
    let major = layout.pveMajor(in: api)
    func ha(_ path: String) -> Result<JSONValue, CollectError.FailedPath> {
      guard let r = haRecords[path] else {
        return .failure(.init(path: path, node: entryNode, reason: "not read"))
      }
      return decode(r)
    }
    let groups = ha(Snapshot.haGroupsPath)
    if major < 9 {
      progress?("HA placement: groups (PVE \(major))")
      switch groups {
      case .success(let v): api[Snapshot.haGroupsPath] = v
      case .failure(let f): failures.append(f)
      }
    } else if case .success(let list) = groups, list.arrayValue?.isEmpty == false {
      progress?("HA placement: groups (PVE 9, not yet migrated to rules)")
      api[Snapshot.haGroupsPath] = list
    } else {
      progress?("HA placement: rules (PVE 9, groups migrated)")
      switch ha(Snapshot.haRulesPath) {
      case .success(let v): api[Snapshot.haRulesPath] = v
      case .failure(let f):
        failures.append(f)
        if case .success(let list) = groups { api[Snapshot.haGroupsPath] = list }
      }
    }

    guard failures.isEmpty else {
      throw CollectError.failed(entryNode: entryNode, paths: failures.sorted { $0.path < $1.path })
    }
    progress?("collected \(api.count) paths")
    return Snapshot(collectedAt: collectedAt, source: source, api: api)
  }

  /// One batch on `node`; the records, or why the command could not run or be parsed.
  private func batch(_ items: [ClusterRead.Item], on node: String) async -> Result<
    [ReadBatch.Record], any Error
  > {
    let pvesh = items.filter { if case .allGuestConfigs = $0 { false } else { true } }.count
    let waves = (pvesh + parallelism - 1) / parallelism
    do {
      return .success(
        try await ReadBatch.run(
          ClusterRead.command(items, on: node, parallelism: parallelism), transport: transport,
          timeout: .seconds(max(120, 30 * waves))))
    } catch {
      return .failure(error)
    }
  }

  /// `pvesh get` of each node's items in one batch per node, all nodes at once.
  private func batches(_ itemsByNode: [String: [ClusterRead.Item]]) async -> (
    [String: JSONValue], [CollectError.FailedPath]
  ) {
    var values: [String: JSONValue] = [:]
    var failures: [CollectError.FailedPath] = []
    await withTaskGroup(of: (String, [String], Result<[ReadBatch.Record], any Error>).self) {
      group in
      for (node, items) in itemsByNode where !items.isEmpty {
        let paths = items.compactMap { item -> String? in
          switch item {
          case .get(let p), .getContent(let p, _): p
          default: nil
          }
        }
        group.addTask { (node, paths, await self.batch(items, on: node)) }
      }
      for await (node, paths, result) in group {
        switch result {
        case .success(let records):
          var seen = Set<String>()
          for r in records where r.kind == .get {
            seen.insert(r.name)
            switch decode(r, node: node) {
            case .success(let v): values[r.name] = v
            case .failure(let f): failures.append(f)
            }
          }
          for p in paths where !seen.contains(p) {
            failures.append(.init(path: p, node: node, reason: "missing from the batch output"))
          }
        case .failure(let error):
          failures += paths.map { .init(path: $0, node: node, reason: "\(error)") }
        }
      }
    }
    return (values, failures.sorted { $0.path < $1.path })
  }

  /// A `get` record as JSON, or the failure it reports.
  private func decode(_ r: ReadBatch.Record, node: String? = nil) -> Result<
    JSONValue, CollectError.FailedPath
  > {
    let node = node ?? entryNode
    guard r.succeeded else { return .failure(.init(path: r.name, node: node, reason: r.reason)) }
    do {
      return .success(try JSONParser.parse(r.payload))
    } catch {
      let head = String(decoding: r.payload.prefix(60), as: UTF8.self)
      return .failure(
        .init(path: r.name, node: node, reason: "output is not JSON (starts with '\(head)')"))
    }
  }
}

/// Turns a guest config file (its bytes, kind, path for messages) into the object
/// `pvesh get /nodes/<n>/<kind>/<vmid>/config --output-format json` prints for it.
package typealias GuestConfigDecoder =
  @Sendable (_ data: Data, _ kind: GuestKind, _ file: String) throws -> [String: JSONValue]

/// The config decoders pvemend knows.
package enum GuestConfigDecoding {
  /// Proxmox's own format: `PVEConfig.GuestConfigFile` (pending values applied, snapshots
  /// ignored, description decoded, digest = SHA-1 of the bytes), as pvesh prints the config.
  package static let proxmox: GuestConfigDecoder? = { data, kind, file in
    try GuestConfigFile.parse(data, kind: kind, file: file).pveshConfig()
  }
}
