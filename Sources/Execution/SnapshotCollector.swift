import Foundation
import PVEModel
import Transport

/// Collects a `pvemend-snapshot/1` from a live cluster: every API path of the format, as
/// `pvesh get <path> --output-format json` prints it, over any `Transport`. Every command is
/// read-only. A failure of any path fails the whole collection with an error that names each
/// failed path; nothing partial is returned.
///
/// `Mode.batched` (the default) reads in O(nodes) remote commands whatever the guest count, with
/// `ClusterRead` batches: the cluster-wide paths and every guest config file under
/// `/etc/pve/nodes` (pmxcfs, the same on every node) in two commands on the entry node, started
/// together; then each online node's status and storage (one batch on the entry node, or one per
/// node with `Route.eachNode`). A config file becomes the object pvesh prints for its config path
/// (`configDecoder`, Proxmox's own format); a guest whose file cannot be read or decoded (no
/// `/etc/pve`, no permission, a parse error) is read with `pvesh get` instead, in one more batch,
/// and the progress says why. `Mode.perPath` is the former mode: one `pvesh get` per path.
///
/// Cluster-wide paths come first; their node and guest lists decide the per-node and per-guest
/// paths (online nodes only: an offline node cannot answer; only guests `/cluster/resources` lists,
/// so both modes give the same snapshot). HA placement is read by version: PVE 8 and unmigrated
/// PVE 9 answer `/cluster/ha/groups`; on a migrated PVE 9 that fails and `/cluster/ha/rules` is
/// read instead (a batch reads both and keeps what the per-path mode would).
///
/// Backup content: each backup storage's listing (`pvesh get /nodes/<n>/storage/<s>/content
/// --content backup`), a shared one on one node only (`Snapshot.backupContentReads`), read in the
/// node batches (no extra command) or one command each per path. A listing that fails (a PBS
/// server down, an NFS export not mounted) does not fail the collection: it is left out, the
/// progress says why, and the audit reports that storage's backup content as unknown.
package struct SnapshotCollector: Sendable {
  package let transport: any Transport
  package let entryNode: String
  package let parallelism: Int
  package let progress: (@Sendable (String) -> Void)?
  package let route: Route
  package let mode: Mode
  /// Turns a guest config file into pvesh's object for it; nil: configs are read with pvesh.
  package let configDecoder: GuestConfigDecoder?

  /// Where `/nodes/<n>/…` paths are read.
  package enum Route: Sendable, Hashable {
    /// On the entry node; pvesh proxies to node n (needs SSH to one node only).
    case entryNode
    /// On node n itself.
    case eachNode
  }

  /// How paths are read.
  package enum Mode: Sendable, Hashable {
    /// `ClusterRead` batches and guest config files: O(nodes) remote commands.
    case batched
    /// One `pvesh get` command per path (`pvemend collect --per-path`).
    case perPath
  }

  package init(
    transport: any Transport, entryNode: String, parallelism: Int = 4,
    progress: (@Sendable (String) -> Void)? = nil, route: Route = .entryNode,
    mode: Mode = .batched, configDecoder: GuestConfigDecoder? = GuestConfigDecoding.proxmox
  ) {
    self.transport = transport
    self.entryNode = entryNode
    self.parallelism = max(1, parallelism)
    self.progress = progress
    self.route = route
    self.mode = mode
    self.configDecoder = configDecoder
  }

  /// Reads every path and returns the snapshot, or throws `CollectError.failed` naming each path
  /// that could not be read.
  package func collect(collectedAt: String, source: String) async throws -> Snapshot {
    switch mode {
    case .batched: try await collectBatched(collectedAt: collectedAt, source: source)
    case .perPath: try await collectPerPath(collectedAt: collectedAt, source: source)
    }
  }

  func collectPerPath(collectedAt: String, source: String) async throws -> Snapshot {
    var api: [String: JSONValue] = [:]
    var failures: [CollectError.FailedPath] = []

    progress?("collecting \(Snapshot.clusterPaths.count) cluster-wide paths from \(entryNode)")
    let (clusterWide, clusterFailures) = await fetch(Snapshot.clusterPaths)
    api.merge(clusterWide) { a, _ in a }
    failures += clusterFailures
    guard api["/cluster/status"] != nil || api["/cluster/resources"] != nil else {
      throw CollectError.failed(entryNode: entryNode, paths: failures)
    }

    let layout = ClusterLayout(status: api["/cluster/status"], resources: api["/cluster/resources"])
    let offline = layout.nodes.filter { !layout.online.contains($0) }
    progress?(
      "found \(layout.nodes.count) nodes (\(layout.online.count) online) and \(layout.guests.count) guests"
        + (offline.isEmpty ? "" : "; skipping offline node(s) \(offline.joined(separator: ", "))"))
    var perNode: [String] = []
    for node in layout.nodes where layout.online.contains(node) {
      perNode += [Snapshot.nodeStatusPath(node), Snapshot.nodeStoragePath(node)]
    }
    for guest in layout.guests where layout.online.contains(guest.node) {
      perNode.append(Snapshot.guestConfigPath(node: guest.node, kind: guest.kind, vmid: guest.vmid))
    }
    progress?(
      "collecting \(perNode.count) node and guest paths "
        + (route == .entryNode ? "through \(entryNode)" : "on each node"))
    let (nodeValues, nodeFailures) = await fetch(perNode, report: true)
    api.merge(nodeValues) { a, _ in a }
    failures += nodeFailures

    let reads = Snapshot.backupContentReads(
      storage: api["/storage"], online: layout.nodes.filter { layout.online.contains($0) })
    if !reads.isEmpty {
      progress?("collecting the backup content of \(reads.count) storage listing(s)")
      let (contents, contentFailures) = await fetch(reads.map(\.path), content: "backup")
      api.merge(contents) { a, _ in a }
      reportUnread(contentFailures)
    }

    // HA placement: groups (PVE 8, unmigrated 9) or rules (migrated 9).
    let major = layout.pveMajor(in: api)
    let (groups, groupFailures) = await fetch([Snapshot.haGroupsPath])
    if major < 9 {
      progress?("HA placement: groups (PVE \(major))")
      api.merge(groups) { a, _ in a }
      failures += groupFailures
    } else if let list = groups[Snapshot.haGroupsPath], list.arrayValue?.isEmpty == false {
      progress?("HA placement: groups (PVE 9, not yet migrated to rules)")
      api.merge(groups) { a, _ in a }
    } else {
      progress?("HA placement: rules (PVE 9, groups migrated)")
      let (rules, ruleFailures) = await fetch([Snapshot.haRulesPath])
      api.merge(rules) { a, _ in a }
      failures += ruleFailures
      if groups[Snapshot.haGroupsPath] != nil, !ruleFailures.isEmpty {
        api.merge(groups) { a, _ in a }
      }
    }

    guard failures.isEmpty else {
      throw CollectError.failed(entryNode: entryNode, paths: failures)
    }
    progress?("collected \(api.count) paths")
    return Snapshot(collectedAt: collectedAt, source: source, api: api)
  }

  /// Says which backup listings could not be read (they stay out of the snapshot: unknown).
  func reportUnread(_ failures: [CollectError.FailedPath]) {
    for f in failures {
      progress?(
        "backup content \(f.path) not read (\(f.reason)); the audit will report it as unknown")
    }
  }

  /// Runs `pvesh get` for each path, at most `parallelism` at a time; with `content`, as
  /// `--content <type>` listings.
  private func fetch(_ paths: [String], report: Bool = false, content: String? = nil) async -> (
    [String: JSONValue], [CollectError.FailedPath]
  ) {
    var values: [String: JSONValue] = [:]
    var failures: [CollectError.FailedPath] = []
    let step = paths.count >= 50 ? paths.count / 10 : Int.max
    var done = 0
    await withTaskGroup(of: (String, Result<JSONValue, CollectError.FailedPath>).self) { group in
      var next = 0
      func launch() {
        guard next < paths.count else { return }
        let path = paths[next]
        next += 1
        group.addTask { (path, await self.get(path, content: content)) }
      }
      for _ in 0..<min(parallelism, paths.count) { launch() }
      while let (path, result) = await group.next() {
        switch result {
        case .success(let value): values[path] = value
        case .failure(let failure): failures.append(failure)
        }
        done += 1
        if report, done % step == 0 {
          progress?("  \(done)/\(paths.count)")
        }
        launch()
      }
    }
    return (values, failures.sorted { $0.path < $1.path })
  }

  /// The node a path is read on.
  func node(for path: String) -> String {
    guard route == .eachNode, path.hasPrefix("/nodes/") else { return entryNode }
    return path.split(separator: "/").dropFirst().first.map(String.init) ?? entryNode
  }

  private func get(_ path: String, content: String? = nil) async
    -> Result<JSONValue, CollectError.FailedPath>
  {
    let node = node(for: path)
    let command =
      content.map { RemoteCommand.pveshGet(path, content: $0, on: node) }
      ?? RemoteCommand.pveshGet(path, on: node)
    let result: CommandResult
    do {
      result = try await transport.run(command)
    } catch {
      return .failure(.init(path: path, node: node, reason: "\(error)"))
    }
    guard result.succeeded else {
      let text = result.stderrText.trimmingCharacters(in: .whitespacesAndNewlines)
        .split(separator: "\n").prefix(2).joined(separator: " / ")
      let how = result.exitSignal.map { "killed by SIG\($0)" } ?? "exit \(result.exitStatus)"
      return .failure(.init(path: path, node: node, reason: text.isEmpty ? how : "\(how): \(text)"))
    }
    do {
      return .success(try JSONParser.parse(result.stdout))
    } catch {
      let head = result.stdoutText.prefix(60)
      return .failure(
        .init(path: path, node: node, reason: "output is not JSON (starts with '\(head)')"))
    }
  }
}

/// The nodes and guests a cluster's `/cluster/status` and `/cluster/resources` list.
struct ClusterLayout {
  var nodes: [String] = []
  var online: Set<String> = []
  var guests: [(kind: GuestKind, vmid: Int, node: String)] = []

  /// The lowest PVE major of the nodes' `pveversion` (else `/version`, else 8): it decides whether HA
  /// placement is read as groups or rules.
  func pveMajor(in api: [String: JSONValue]) -> Int {
    let majors = nodes.compactMap { node in
      api[Snapshot.nodeStatusPath(node)]?["pveversion"]?.stringValue.flatMap(
        PVEVersion.init(parsing:))?.major
    }
    return majors.min()
      ?? api["/version"]?["version"]?.stringValue.flatMap(PVEVersion.init(parsing:))?.major ?? 8
  }

  init(status: JSONValue?, resources: JSONValue?) {
    var names = Set<String>()
    var statusOnline: [String: Bool] = [:]
    for e in status?.arrayValue ?? [] where e["type"]?.stringValue == "node" {
      guard let n = e["name"]?.stringValue else { continue }
      names.insert(n)
      statusOnline[n] = e["online"]?.boolValue ?? false
    }
    for e in resources?.arrayValue ?? [] {
      switch e["type"]?.stringValue {
      case "node":
        guard let n = e["node"]?.stringValue else { continue }
        names.insert(n)
        if statusOnline[n] == nil { statusOnline[n] = e["status"]?.stringValue == "online" }
      case "qemu", "lxc":
        guard let kind = e["type"]?.stringValue.flatMap(GuestKind.init(rawValue:)),
          let vmid = e["vmid"]?.intValue, let node = e["node"]?.stringValue
        else { continue }
        guests.append((kind, Int(vmid), node))
      default: break
      }
    }
    nodes = names.sorted()
    online = Set(statusOnline.filter(\.value).keys)
    guests.sort { ($0.vmid, $0.kind) < ($1.vmid, $1.kind) }
  }
}

/// Why a collection failed. Messages name every failed path and end with the fix.
package enum CollectError: Error, Sendable, Hashable, CustomStringConvertible {
  /// One path that could not be read, and why.
  package struct FailedPath: Error, Sendable, Hashable {
    package var path: String
    /// The node the command ran on.
    package var node: String
    package var reason: String
  }

  /// Some paths could not be read; nothing was written.
  case failed(entryNode: String, paths: [FailedPath])

  package var description: String {
    switch self {
    case .failed(let node, let paths):
      // Paths that failed for the same reason (a dead connection fails them all) share a line.
      var reasons: [String] = []
      var byReason: [String: [String]] = [:]
      for p in paths {
        let reason = p.node == node ? p.reason : "on \(p.node): \(p.reason)"
        if byReason[reason] == nil { reasons.append(reason) }
        byReason[reason, default: []].append(p.path)
      }
      let list = reasons.map { reason in
        "  \((byReason[reason] ?? []).joined(separator: ", ")): \(reason)"
      }.joined(separator: "\n")
      return
        "could not read \(paths.count) API path(s) through node '\(node)'; nothing was written:\n\(list)\nrun 'pvesh get <path> --output-format json' on \(node) to see the error, fix it (or pick another node with --node), then collect again"
    }
  }
}
