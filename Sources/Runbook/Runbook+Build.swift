import PVEModel
import Playbook
import Rehearse

extension Runbook {
  /// The runbook of `cluster` under `policy`, with measured restore times from `records`.
  package init(cluster: Cluster, policy: Policy, records: [RestoreRecord] = []) {
    let book = Book(cluster: cluster, policy: policy, records: records)
    self.cluster = cluster.name ?? cluster.nodes.first?.name ?? "cluster"
    collectedAt = cluster.collectedAt
    pveVersion = cluster.version?.description
    playbook = policy.name
    backupsKnown = cluster.backups.complete
    archiveCount = cluster.backups.archives.count
    backupStorages = Set(cluster.backups.archives.map(\.storage)).sorted()
    restoreTests = records.count
    var notes: [String] = []
    if !cluster.backups.complete {
      notes.append(
        cluster.backups.read.isEmpty
          ? "the snapshot lists no backup content: which backups exist is unknown; collect again with a current pvemend"
          : "some backup storages could not be listed (\(cluster.backups.unread.map { "\($0.storage) on \($0.node)" }.joined(separator: ", "))): a guest shown without backup may have one there"
      )
    }
    if book.ingress.isEmpty {
      notes.append(
        "no guest is named as ingress: give the reverse proxy a critical entry with purpose 'reverse proxy' or 'ingress' in the playbook (or tag it 'ingress') for its scenario"
      )
    }
    if records.isEmpty {
      notes.append(
        "no restore test given: every restore time is untested (run 'pvemend restore-test', apply it, and pass its journals with --restore-tests)"
      )
    }
    self.notes = notes
    var scenarios: [Scenario] = []
    let rehearsal = Rehearsal(cluster: cluster, policy: policy)
    for scenario in FailureScenario.eachOnlineNode(of: cluster) {
      scenarios.append(book.nodeFailure(rehearsal.run(scenario)))
    }
    scenarios += book.serverFailures()
    if let ingress = book.ingressFailure() { scenarios.append(ingress) }
    self.scenarios = scenarios
  }

  /// The role of a guest in the restore order, from the playbook's purpose of its critical entry
  /// (words `DNS`, `DHCP`; `reverse proxy`, `ingress`, `load balancer`), else its tags (`dns`,
  /// `dhcp`, `ingress`, `reverse-proxy`).
  package static func role(of guest: Guest, policy: Policy) -> Role? {
    let purpose = (policy.criticality(of: guest)?.purpose ?? "").lowercased()
    let words = Set(
      purpose.split(whereSeparator: { !($0.isLetter || $0.isNumber) }).map(String.init))
    if words.contains("dns") { return .dns }
    if words.contains("dhcp") { return .dhcp }
    if purpose.contains("reverse proxy") || purpose.contains("load balancer")
      || words.contains("ingress")
    {
      return .ingress
    }
    let tags = Set(guest.tags.map { $0.lowercased() })
    if tags.contains("dns") { return .dns }
    if tags.contains("dhcp") { return .dhcp }
    if !tags.isDisjoint(with: ["ingress", "reverse-proxy", "reverseproxy"]) { return .ingress }
    return nil
  }
}

/// The indexes and the placement bookkeeping behind `Runbook.init`.
struct Book {
  let cluster: Cluster
  let policy: Policy
  let records: [Int: RestoreRecord]
  let collected: Int64?
  let nodeByName: [String: Node]
  let storageByID: [String: Storage]
  let guestBySID: [String: Guest]
  /// Running or onboot guests' vCPUs and memory per node.
  let claimed: [String: (vcpus: Int, memory: Int64)]
  /// Per sid: the playbook's critical entry and the guest's role, computed once.
  let entryOf: [String: CriticalEntry]
  let roleOf: [String: Runbook.Role]
  /// Running guests per role, by VMID.
  let byRole: [Runbook.Role: [Guest]]
  /// Backup archives by VMID, newest first (`BackupInventory`'s order).
  let archivesByVMID: [Int: [BackupArchive]]
  /// Running ingress guests, by VMID.
  let ingress: [Guest]

  init(cluster: Cluster, policy: Policy, records: [RestoreRecord]) {
    self.cluster = cluster
    self.policy = policy
    self.records = Dictionary(
      uniqueKeysWithValues: RestoreRecord.newestPerGuest(records).map { ($0.vmid, $0) })
    collected = UTCDate.epoch(rfc3339: cluster.collectedAt)
    var nodes: [String: Node] = [:]
    for n in cluster.nodes where nodes[n.name] == nil { nodes[n.name] = n }
    nodeByName = nodes
    var storages: [String: Storage] = [:]
    for s in cluster.storages where storages[s.id] == nil { storages[s.id] = s }
    storageByID = storages
    var guests: [String: Guest] = [:]
    var claimed: [String: (vcpus: Int, memory: Int64)] = [:]
    for g in cluster.guests where !g.template {
      if guests[g.sid] == nil { guests[g.sid] = g }
      if g.claimsCapacity {
        let c = claimed[g.node] ?? (0, 0)
        claimed[g.node] = (c.vcpus + g.vcpus, c.memory + g.memory)
      }
    }
    guestBySID = guests
    var entryOf: [String: CriticalEntry] = [:]
    var roleOf: [String: Runbook.Role] = [:]
    var byRole: [Runbook.Role: [Guest]] = [:]
    for g in cluster.guests.sorted(by: { $0.vmid < $1.vmid }) where !g.template {
      if let e = policy.criticality(of: g) { entryOf[g.sid] = e }
      if let r = Runbook.role(of: g, policy: policy) {
        roleOf[g.sid] = r
        if g.isRunning { byRole[r, default: []].append(g) }
      }
    }
    self.entryOf = entryOf
    self.roleOf = roleOf
    self.byRole = byRole
    var archives: [Int: [BackupArchive]] = [:]
    for a in cluster.backups.archives { if let v = a.vmid { archives[v, default: []].append(a) } }
    archivesByVMID = archives
    self.claimed = claimed
    ingress = byRole[.ingress] ?? []
  }

  /// What a failure takes with it.
  struct Loss {
    /// Failed nodes (their local storages are lost; their configs are out of reach).
    var nodes: Set<String> = []
    /// Storages lost everywhere (a failed server's pools).
    var storages: Set<String> = []

    func lost(storage: String, node: String, shared: Bool) -> Bool {
      storages.contains(storage) || (!shared && nodes.contains(node))
    }
  }

  func lost(_ storage: String, on node: String, _ loss: Loss) -> Bool {
    loss.lost(storage: storage, node: node, shared: storageByID[storage]?.shared ?? false)
  }

  func usedDisks(_ g: Guest) -> [Disk] { g.disks.filter { !$0.isUnused } }

  /// A guest's archives (VMID, and kind where the archive names one), newest first: what
  /// `BackupInventory.archives(of:)` returns, from an index.
  func archives(of g: Guest) -> [BackupArchive] {
    (archivesByVMID[g.vmid] ?? []).filter { $0.kind == nil || $0.kind == g.kind }
  }

  // MARK: Scenarios

  func nodeFailure(_ outcome: RecoveryOutcome) -> Runbook.Scenario {
    let failed = outcome.failedNodes
    let loss = Loss(nodes: Set(failed + outcome.alreadyOffline))
    let local = cluster.storages.filter { s in
      !s.shared && !s.disabled && s.perNode.contains { failed.contains($0.node) }
    }.map(\.id).sorted()
    var notes: [String] = []
    if !outcome.quorate {
      notes.append(
        "quorum lost (\(outcome.votes) of \(outcome.expectedVotes) votes): /etc/pve is read-only on the survivors and HA recovers nothing; nothing below works until quorum is back — only when \(failed.joined(separator: ", ")) is really off, run 'pvecm expected \(outcome.votes)' on a survivor"
      )
    }
    var load: [String: (vcpus: Int, memory: Int64)] = [:]
    for s in outcome.survivors where !s.fenced { load[s.node] = (s.vcpus, s.memory) }
    var placement = Placement(book: self, load: load, loss: loss)
    var recovers: [Runbook.HARecovery] = []
    for r in outcome.recovered {
      recovers.append(
        .init(sid: r.sid, name: r.name, from: r.from, to: r.to, started: r.started))
    }
    var fails: [Runbook.HAFailure] = []
    var hand: [(Guest, configNode: String)] = []
    for f in outcome.failed {
      fails.append(.init(sid: f.sid, name: f.name, reason: f.reason.rawValue, message: f.message))
      if let g = guestBySID[f.sid] { hand.append((g, f.node ?? f.from)) }
    }
    for d in outcome.down {
      if let g = guestBySID[d.sid] { hand.append((g, d.node)) }
    }
    var byHand: [Runbook.Restore] = []
    var configNodeOf: [String: String] = [:]
    for (g, node) in hand where configNodeOf[g.sid] == nil { configNodeOf[g.sid] = node }
    for g in order(hand.map(\.0)) {
      byHand.append(placement.bringBack(g, configNode: configNodeOf[g.sid] ?? g.node))
    }
    number(&byHand)
    if byHand.contains(where: { r in r.commands.contains { $0.argv.first == "mv" } }) {
      notes.append(
        "before moving any config or restoring over a VMID: make sure \(failed.joined(separator: ", ")) is really off (power it down, or cut it off the network) — if it comes back with its guests running, their disks are used twice"
      )
    }
    let recoveredSIDs = Set(outcome.recovered.filter(\.started).map(\.sid))
    let failedSIDs = Set(outcome.failed.map(\.sid))
    let stops = cluster.guests.filter {
      !$0.template && $0.isRunning && loss.nodes.contains($0.node)
    }
    .sorted { $0.vmid < $1.vmid }.map { g in
      stopped(
        g,
        fate: recoveredSIDs.contains(g.sid)
          ? "HA recovers it" : failedSIDs.contains(g.sid) ? "HA fails: by hand" : "by hand")
    }
    let extra =
      outcome.alreadyOffline.isEmpty
      ? "" : " (already offline: \(outcome.alreadyOffline.joined(separator: ", ")))"
    return Runbook.Scenario(
      id: "node-\(failed.joined(separator: "+"))", kind: .node,
      title: "node \(failed.joined(separator: " and "))\(extra)",
      lost: local.map { "\($0) on \(failed.joined(separator: ", "))" }, stops: stops,
      haRecovers: recovers, haFails: fails, byHand: byHand, notes: services(stops) + notes,
      verdict: outcome.verdict.rawValue)
  }

  /// One scenario per storage server that serves an enabled shared pool.
  func serverFailures() -> [Runbook.Scenario] {
    var pools: [String: [Storage]] = [:]
    for s in cluster.storages where s.shared && !s.disabled {
      if let server = s.server { pools[server, default: []].append(s) }
    }
    return pools.keys.sorted().map { server in
      let ids = Set(pools[server, default: []].map(\.id))
      let loss = Loss(storages: ids)
      let offline = Set(cluster.nodes.filter { !$0.online }.map(\.name))
      var lossWithOffline = loss
      lossWithOffline.nodes = offline
      let hit = cluster.guests.filter { g in
        !g.template && g.isRunning
          && usedDisks(g).contains { d in d.storage.map(ids.contains) ?? false }
      }
      var placement = Placement(book: self, load: claimed, loss: lossWithOffline)
      var byHand = order(hit).map { placement.bringBack($0, configNode: $0.node, inPlace: true) }
      number(&byHand)
      var notes: [String] = []
      if !hit.isEmpty {
        notes.append(
          "HA does not help: it recovers failed nodes, not storage; guests with a volume on \(ids.sorted().joined(separator: ", ")) stop or hang wherever they run"
        )
      }
      let archives = cluster.backups.archives.filter { ids.contains($0.storage) }.count
      if archives > 0 {
        notes.append("\(archives) backup archive(s) on \(server) are lost with it")
      }
      let sorted = ids.sorted()
      let stopped = hit.sorted { $0.vmid < $1.vmid }.map { self.stopped($0, fate: "by hand") }
      return Runbook.Scenario(
        id: "server-\(server)", kind: .storageServer,
        title: "storage server \(server) (\(sorted.joined(separator: ", ")))",
        lost: sorted, stops: stopped,
        haRecovers: [], haFails: [], byHand: byHand, notes: services(stopped) + notes,
        verdict: nil)
    }
  }

  /// The ingress guests broken (their disks corrupted, a bad upgrade): restored in place.
  func ingressFailure() -> Runbook.Scenario? {
    guard !ingress.isEmpty else { return nil }
    let offline = Set(cluster.nodes.filter { !$0.online }.map(\.name))
    var placement = Placement(book: self, load: claimed, loss: Loss(nodes: offline))
    var byHand = ingress.map { placement.bringBack($0, configNode: $0.node, inPlace: true) }
    number(&byHand)
    var notes = [
      "HA restarts a crashed guest but cannot repair a broken one (a bad upgrade, a corrupted disk): restore it"
    ]
    if ingress.count > 1 {
      notes.append(
        "\(ingress.count) ingress guests (\(ingress.map { "\($0.sid) \($0.name)" }.joined(separator: ", "))): if only one breaks, point clients at another while restoring it"
      )
    }
    let stops = ingress.map { stopped($0, fate: "by hand") }
    return Runbook.Scenario(
      id: "ingress", kind: .ingress,
      title: "the ingress (\(ingress.map { "\($0.sid) \($0.name)" }.joined(separator: ", ")))",
      lost: [], stops: stops, haRecovers: [], haFails: [], byHand: byHand,
      notes: services(stops) + notes, verdict: nil)
  }

  /// What the network loses: per role (DNS, DHCP, ingress), whether any guest of it keeps
  /// running (not stopped, or recovered by HA).
  func services(_ stops: [Runbook.Stopped]) -> [String] {
    let down = Set(stops.filter { $0.fate != "HA recovers it" }.map(\.sid))
    var out: [String] = []
    for role in [Runbook.Role.dns, .dhcp, .ingress] {
      let all = byRole[role] ?? []
      let lost = all.filter { down.contains($0.sid) }
      guard !lost.isEmpty else { continue }
      let left = all.filter { !down.contains($0.sid) }
      let effect: String
      switch role {
      case .dns: effect = "names stop resolving for every client that uses it"
      case .dhcp: effect = "clients whose lease runs out lose their address"
      case .ingress: effect = "everything published through it is unreachable from outside"
      }
      let names = { (list: [Guest]) in list.map { "\($0.sid) \($0.name)" }.joined(separator: ", ") }
      out.append(
        left.isEmpty
          ? "no \(role.rawValue) left (\(names(lost)) down): \(effect) until one is back"
          : "\(role.rawValue): \(names(left)) keeps serving while \(names(lost)) is down, if clients fall back to it"
      )
    }
    return out
  }

  // MARK: Order

  /// DNS, DHCP, ingress, then the playbook's levels (critical first; no level last), then VMID.
  func order(_ guests: [Guest]) -> [Guest] {
    var seen = Set<String>()
    return guests.filter { seen.insert($0.sid).inserted }.sorted { a, b in
      key(a) < key(b)
    }
  }

  func key(_ g: Guest) -> (Int, Int, Int, String) {
    let role = roleOf[g.sid]?.rank ?? 3
    let level = entryOf[g.sid]?.level.rank ?? 4
    return (role, level, g.vmid, g.sid)
  }

  func number(_ list: inout [Runbook.Restore]) {
    for i in list.indices { list[i].order = i + 1 }
  }

  func stopped(_ g: Guest, fate: String) -> Runbook.Stopped {
    let role = roleOf[g.sid]
    let purpose = entryOf[g.sid]?.purpose ?? role?.rawValue
    return Runbook.Stopped(
      sid: g.sid, vmid: g.vmid, name: g.name, node: g.node, purpose: purpose, fate: fate)
  }

  func measured(_ vmid: Int) -> Runbook.Measured? {
    guard let r = records[vmid] else { return nil }
    return Runbook.Measured(
      testedAt: r.testedAt, restoreSeconds: r.restoreSeconds, bootSeconds: r.bootSeconds,
      verdict: r.verdict, detail: r.detail, archive: r.backupVolid)
  }
}
