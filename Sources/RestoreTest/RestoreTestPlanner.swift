import Foundation
import PVEModel
import Planning
import Playbook

/// Builds the restore-test plan. Pure: a snapshot, its cluster and a policy in, a plan out.
package enum RestoreTestPlanner {
  /// Why no plan can be made (bad input); problems with single guests become `unresolved`.
  package enum Failure: Error, Sendable, Hashable, CustomStringConvertible {
    /// `--guests` names a VMID the snapshot does not have.
    case unknownGuest(Int)

    package var description: String {
      switch self {
      case .unknownGuest(let vmid):
        return
          "--guests: no guest with VMID \(vmid) in the snapshot; list guests with 'pvemend audit SNAPSHOT' or collect again"
      }
    }
  }

  /// One guest's test as planned (for the CLI's summary and the tests).
  package struct Test: Sendable, Hashable {
    package var guest: String
    package var archive: String
    package var scratchVMID: Int
    package var node: String
    package var storage: String
    package var agent: Bool
  }

  /// The plan, and the tests it holds.
  package static func plan(
    snapshot: Snapshot, cluster: Cluster, policy: Policy, playbookPath: String,
    playbookText: String, guests requested: [Int]? = nil
  ) throws(Failure) -> (plan: Plan, tests: [Test]) {
    let rt = policy.restoreTest
    var steps: [Step] = []
    var unresolved: [Unresolved] = []
    var tests: [Test] = []
    func nextID() -> String {
      let n = steps.count + 1
      return n < 10 ? "s0\(n)" : "s\(n)"
    }

    // Leftovers of an interrupted run: tagged guests in the scratch range, and untagged copies a
    // run left between `qmrestore` and its `qm set` (stopped, named like a guest outside the range
    // of the same kind with a backup: qmrestore keeps the backed-up name and takes no tags).
    let tag = RestoreTestPolicy.tag
    for g in cluster.guests where rt.isScratch(g.vmid) && isLeftover(g, cluster: cluster, rt) {
      let cli = g.kind.cli
      var commands: [RemoteCommand] = []
      if g.isRunning {
        commands.append(
          RemoteCommand(node: g.node, argv: [cli, "stop", "\(g.vmid)"], mutating: true))
      }
      commands.append(
        RemoteCommand(
          node: g.node, argv: [cli, "destroy", "\(g.vmid)", "--purge", "1"], mutating: true))
      steps.append(
        Step(
          id: nextID(), kind: .restoreTest,
          title: "Clean up \(g.sid) (\(g.name)), left by an interrupted restore test",
          reasons: [], after: [], commands: commands,
          preconditions: [Condition(.guestOnNode, sid: g.sid, node: g.node)],
          effects: [Condition(.guestAbsent, id: "\(g.vmid)")],
          detail: g.tags.contains(tag)
            ? "tagged \(tag) and in the scratch range \(rt.firstVMID)-\(rt.lastVMID)"
            : "untagged restored copy in the scratch range \(rt.firstVMID)-\(rt.lastVMID): stopped, named like \(g.kind.haType) guest(s) with backups (its qm set never ran)"
        ))
    }
    let cleanups = steps.map(\.id)

    // Which guests.
    var chosen: [Guest] = []
    if let requested {
      for vmid in requested {
        guard let g = cluster.guest(vmid: vmid) else { throw .unknownGuest(vmid) }
        if !chosen.contains(g) { chosen.append(g) }
      }
    } else {
      chosen = cluster.guests.filter {
        !$0.template && !rt.isScratch($0.vmid) && policy.criticality(of: $0) != nil
      }.sorted {
        let a = policy.criticality(of: $0)?.level.rank ?? 9
        let b = policy.criticality(of: $1)?.level.rank ?? 9
        return (a, $0.vmid) < (b, $1.vmid)
      }
    }

    var usedVMIDs = Set(cluster.guests.map(\.vmid))
    var claimedMemory: [String: Int64] = [:]
    for g in cluster.guests where g.claimsCapacity { claimedMemory[g.node, default: 0] += g.memory }
    var claimedStorage: [String: Int64] = [:]

    for g in chosen {
      let sidKey = "restore-test/\(g.sid)"
      // At most max_guests tests: guests that cannot be tested do not use up the run.
      guard tests.count < rt.maxGuests else {
        unresolved.append(
          Unresolved(
            finding: sidKey,
            reason: "over restore_test.max_guests (\(rt.maxGuests)) for one run; test it next run",
            limit: "max_guests"))
        continue
      }
      guard let archive = cluster.backups.newest(of: g) else {
        unresolved.append(
          Unresolved(
            finding: sidKey,
            reason: cluster.backups.complete
              ? "\(g.sid) has no backup on any backup storage; nothing to restore"
              : "backup content unknown (the snapshot lists no backups; collect again)",
            limit: "backup"))
        continue
      }
      guard let storageOfArchive = cluster.storage(archive.storage) else {
        unresolved.append(
          Unresolved(finding: sidKey, reason: "storage \(archive.storage) not defined"))
        continue
      }
      // Nodes that can read the archive: its own node for a local storage.
      let readers = cluster.nodes.filter { n in
        n.online
          && (storageOfArchive.shared
            ? (storageOfArchive.restrictedTo?.contains(n.name) ?? true)
            : n.name == archive.node)
      }
      let content = g.kind == .qemu ? "images" : "rootdir"
      let size = g.disks.filter { !$0.isUnused }.reduce(Int64(0)) { $0 + $1.size }
      var placement: (node: Node, storage: String)?
      var why: [String] = []
      let candidates = readers.sorted {
        let fa = $0.memoryTotal - (claimedMemory[$0.name] ?? 0)
        let fb = $1.memoryTotal - (claimedMemory[$1.name] ?? 0)
        return (fb, $0.name) < (fa, $1.name)
      }
      for n in candidates {
        if g.vcpus > n.cores {
          why.append("\(n.name): \(g.vcpus) vCPUs > \(n.cores) cores")
          continue
        }
        let budget = n.memoryTotal - policy.capacity.memoryReserve
        let claimed = claimedMemory[n.name] ?? 0
        if claimed + g.memory > budget {
          why.append(
            "\(n.name): memory \(ByteSize.binary(claimed + g.memory)) > \(ByteSize.binary(budget))")
          continue
        }
        let own = g.disks.first { !$0.isUnused }?.storage
        let options =
          ([rt.storage, own].compactMap { $0 })
          + cluster.storages.sorted {
            ($0.on(n.name)?.available ?? 0, $1.id) > ($1.on(n.name)?.available ?? 0, $0.id)
          }.map(\.id)
        var picked: String?
        for id in rt.storage.map({ [$0] }) ?? options {
          guard let s = cluster.storage(id), !s.disabled, s.content.contains(content),
            s.restrictedTo?.contains(n.name) ?? true, let on = s.on(n.name), on.active,
            on.enabled
          else { continue }
          let key = s.shared ? s.id : "\(s.id)@\(n.name)"
          if on.available - (claimedStorage[key] ?? 0) >= size {
            picked = id
            break
          }
        }
        guard let picked else {
          why.append(
            "\(n.name): no storage with \(content) content and \(ByteSize.binary(size)) free"
              + (rt.storage.map { " (restore_test.storage \($0))" } ?? ""))
          continue
        }
        placement = (n, picked)
        break
      }
      guard let (node, storage) = placement else {
        unresolved.append(
          Unresolved(
            finding: sidKey,
            reason: readers.isEmpty
              ? "no online node can read \(archive.volid)"
              : "no node has room: \(why.joined(separator: "; "))",
            limit: "capacity"))
        continue
      }
      guard let vmid = (rt.firstVMID...rt.lastVMID).first(where: { !usedVMIDs.contains($0) })
      else {
        unresolved.append(
          Unresolved(
            finding: sidKey,
            reason: "no free VMID in restore_test.scratch_vmids \(rt.firstVMID)-\(rt.lastVMID)",
            limit: "scratch_vmids"))
        continue
      }
      usedVMIDs.insert(vmid)
      claimedMemory[node.name, default: 0] += g.memory
      if let s = cluster.storage(storage) {
        claimedStorage[s.shared ? s.id : "\(s.id)@\(node.name)", default: 0] += size
      }

      let scratch = "\(g.kind.haType):\(vmid)"
      let name = scratchName(vmid: g.vmid, name: g.name)
      let nets = cutNetworks(g.networks, bridge: rt.isolatedBridge)
      let netArgs = nets.keys.sorted { netIndex($0) < netIndex($1) }.flatMap {
        ["--\($0)", nets[$0] ?? ""]
      }
      let cli = g.kind.cli
      let cut = Condition(.networkCut, sid: scratch, key: rt.isolatedBridge)
      let on = Condition(.guestOnNode, sid: scratch, node: node.name)
      let age = archive.ctime.map { " of \(UTCDate(epoch: $0).minuteText)" } ?? ""
      let title =
        "Restore \(g.sid) (\(DisplayText.oneLine(g.name, limit: 60))) from its newest backup\(age) to scratch \(scratch) on \(node.name)"
      let detail =
        "archive \(archive.volid) (\(ByteSize.binary(archive.size))"
        + (archive.isPBS ? ", PBS verification \(archive.verification ?? "none")" : "")
        + "), volumes to \(storage), new MAC addresses (--unique 1), every network device link_down=1"
        + (rt.isolatedBridge.map { " on bridge \($0)" } ?? "")
        + " before the first start; named \(name), tagged \(tag)"
      let r = nextID()
      /// The restore step: `argv` on the chosen node, into a free scratch VMID.
      func restoreStep(_ argv: [String], effects: [Condition]) -> Step {
        Step(
          id: r, kind: .restoreTest, title: title, reasons: [], after: cleanups,
          commands: [RemoteCommand(node: node.name, argv: argv, mutating: true)],
          preconditions: [
            Condition(.guestAbsent, id: "\(vmid)"), Condition(.nodeOnline, node: node.name),
          ],
          effects: effects, detail: detail)
      }
      // The step the start waits for: the restore, or (VMs) the `qm set` that cuts the networks.
      var ready = r
      switch g.kind {
      case .qemu:
        // qmrestore takes no name, tags or network options: `qm set` follows as its own step (the
        // restore's duration is the restore alone; a failing `qm set` is named as such). A run
        // stops at a failed step, so a copy left untagged is recognised by the next plan
        // (`isLeftover`: stopped, in the scratch range, named like a backed-up guest).
        steps.append(
          restoreStep(
            ["qmrestore", archive.volid, "\(vmid)", "--storage", storage, "--unique", "1"],
            effects: [on]))
        ready = nextID()
        steps.append(
          Step(
            id: ready, kind: .restoreTest,
            title: "Cut the networks of scratch \(scratch), name and tag it", reasons: [],
            after: [r],
            commands: [
              RemoteCommand(
                node: node.name,
                argv: ["qm", "set", "\(vmid)"] + netArgs + [
                  "--name", name, "--tags", tag, "--onboot", "0",
                ], mutating: true)
            ],
            // No effect: at the check before the run the copy exists only as predicted (no
            // network devices), where `network-cut` holds, so the step would be skipped as
            // satisfied. The start step requires `network-cut` on the copy's real config.
            preconditions: [on], effects: [],
            detail: "every network device link_down=1 before the first start"))
      case .lxc:
        steps.append(
          restoreStep(
            ["pct", "restore", "\(vmid)", archive.volid, "--storage", storage, "--unique", "1"]
              + netArgs + ["--hostname", name, "--tags", tag, "--onboot", "0"],
            effects: [on, cut]))
      }
      let s = nextID()
      steps.append(
        Step(
          id: s, kind: .restoreTest, title: "Start scratch \(scratch) with its networks cut",
          reasons: [], after: [ready],
          commands: [
            RemoteCommand(node: node.name, argv: [cli, "start", "\(vmid)"], mutating: true)
          ],
          preconditions: [on, cut, Condition(.guestStatus, sid: scratch, state: "stopped")],
          effects: [Condition(.guestStatus, sid: scratch, state: "running")],
          detail: "its boot time is this step's duration in the journal"))
      let agent = hasAgent(snapshot: snapshot, guest: g)
      var stopAfter = [s]
      if agent {
        let p = nextID()
        steps.append(
          Step(
            id: p, kind: .restoreTest, title: "Wait for the guest agent of scratch \(scratch)",
            reasons: [], after: [s], commands: [],
            preconditions: [Condition(.guestStatus, sid: scratch, state: "running")], effects: [],
            wait: Wait(
              kind: Wait.agentPing, sid: scratch, node: node.name,
              timeoutSeconds: rt.agentTimeoutSeconds),
            detail: "qm agent \(vmid) ping until it answers (at most \(rt.agentTimeoutSeconds) s)"))
        stopAfter = [s]
      }
      let t = nextID()
      steps.append(
        Step(
          id: t, kind: .restoreTest, title: "Stop scratch \(scratch)", reasons: [],
          after: stopAfter,
          commands: [
            RemoteCommand(node: node.name, argv: [cli, "stop", "\(vmid)"], mutating: true)
          ],
          preconditions: [on], effects: [Condition(.guestStatus, sid: scratch, state: "stopped")]))
      steps.append(
        Step(
          id: nextID(), kind: .restoreTest,
          title: "Destroy scratch \(scratch) and its volumes", reasons: [], after: [r],
          commands: [
            RemoteCommand(
              node: node.name, argv: [cli, "destroy", "\(vmid)", "--purge", "1"], mutating: true)
          ],
          // No effect: `guest-absent` holds before the restore, so the check would skip it.
          preconditions: [on], effects: []))
      tests.append(
        Test(
          guest: g.sid, archive: archive.volid, scratchVMID: vmid, node: node.name,
          storage: storage, agent: agent))
    }

    let figures = Figures(score: 0, nodes: [], findings: 0)
    let plan = Plan(
      drafting: snapshot, cluster: cluster, policy: policy, playbookPath: playbookPath,
      playbookText: playbookText, findings: [], steps: steps, unresolved: unresolved,
      before: figures, after: figures,
      summary: Summary(
        haEnablements: 0, haPlacements: 0, volumeMoves: 0, migrations: 0, backupJobs: 0,
        advisories: 0, unresolved: unresolved.count, downtimeSeconds: 0))
    return (plan, tests)
  }

  /// Whether a scratch-range guest is a restore test's leftover: tagged, or an untagged copy
  /// `qmrestore` left (stopped, not a template, the name of a guest of its kind outside the range
  /// that has a backup).
  static func isLeftover(_ g: Guest, cluster: Cluster, _ rt: RestoreTestPolicy) -> Bool {
    if g.tags.contains(RestoreTestPolicy.tag) { return true }
    guard g.kind == .qemu, !g.template, g.status == "stopped" else { return false }
    return cluster.guests.contains { o in
      o.kind == g.kind && !rt.isScratch(o.vmid) && o.name == g.name
        && cluster.backups.newest(of: o) != nil
    }
  }

  /// `restore-test-<vmid>-<name>`: a DNS name (letters, digits, '-'), at most 63 characters.
  package static func scratchName(vmid: Int, name: String) -> String {
    let cleaned = String(
      name.lowercased().map { $0.isASCII && ($0.isLetter || $0.isNumber) ? $0 : "-" })
    var text = "restore-test-\(vmid)-\(cleaned)"
    while text.contains("--") { text = text.replacingOccurrences(of: "--", with: "-") }
    while text.hasSuffix("-") { text.removeLast() }
    return String(text.prefix(63)).trimmingCharacters(in: CharacterSet(charactersIn: "-"))
  }

  /// Each network device with `link_down=1` (replacing any `link_down=`), on `bridge` when
  /// given, and without its MAC address (`virtio=BC:…` → `virtio`, no `macaddr=`/`hwaddr=`), so
  /// Proxmox gives the copy a new one, as `--unique 1` does for the devices it restores.
  package static func cutNetworks(_ networks: [String: String], bridge: String?) -> [String: String]
  {
    var out: [String: String] = [:]
    for (key, text) in networks {
      var parts = text.split(separator: ",").map(String.init).filter {
        !$0.hasPrefix("link_down=") && !$0.hasPrefix("macaddr=") && !$0.hasPrefix("hwaddr=")
      }
      parts = parts.map { part in
        let kv = part.split(separator: "=", maxSplits: 1).map(String.init)
        // `<model>=<mac>`: the model alone (a MAC has five colons).
        if kv.count == 2, kv[1].filter({ $0 == ":" }).count == 5, !kv[0].contains(":") {
          return kv[0]
        }
        return part
      }
      if let bridge {
        parts = parts.map { $0.hasPrefix("bridge=") ? "bridge=\(bridge)" : $0 }
        if !parts.contains(where: { $0.hasPrefix("bridge=") }) { parts.append("bridge=\(bridge)") }
      }
      parts.append("link_down=1")
      out[key] = parts.joined(separator: ",")
    }
    return out
  }

  static func netIndex(_ key: String) -> Int { Int(key.dropFirst(3)) ?? 0 }

  /// Whether the guest's config enables the QEMU guest agent (`agent: 1`, `enabled=1,…`).
  static func hasAgent(snapshot: Snapshot, guest: Guest) -> Bool {
    guard guest.kind == .qemu else { return false }
    let path = Snapshot.guestConfigPath(node: guest.node, kind: .qemu, vmid: guest.vmid)
    guard let text = snapshot.api[path]?["agent"]?.stringValue else { return false }
    let parts = text.split(separator: ",").map(String.init)
    return parts.first == "1" || parts.contains("enabled=1")
  }
}
