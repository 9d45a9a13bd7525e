import Foundation
import PVEModel
import Synth
import Testing

/// The synthetic cluster generator: deterministic, valid, realistic, and able to scale.
@Suite struct SynthTests {
  @Test(arguments: [8, 9])
  func sameSeedSameBytes(pve: Int) {
    let a = Synth.snapshot(nodes: 7, guests: 300, seed: 42, pveMajor: pve).encoded()
    let b = Synth.snapshot(nodes: 7, guests: 300, seed: 42, pveMajor: pve).encoded()
    #expect(a == b)
    let c = Synth.snapshot(nodes: 7, guests: 300, seed: 43, pveMajor: pve).encoded()
    #expect(a != c)
  }

  /// Pins the generator's output: a change to it must be deliberate (update the digest here).
  @Test func smallClusterIsStable() throws {
    let snapshot = Synth.snapshot(nodes: 3, guests: 20, seed: 1, pveMajor: 9)
    let cluster = try Cluster(snapshot: snapshot, file: "synth")
    #expect(cluster.nodes.map(\.name) == ["pve1", "pve2", "pve3"])
    #expect(cluster.guests.map(\.vmid) == Array(100..<120))
    #expect(snapshot.collectedAt == "2026-01-15T12:00:00Z")
    #expect(snapshot.source == "pvemend synth --nodes 3 --guests 20 --seed 1 --pve 9")
  }

  @Test(arguments: [8, 9])
  func derivesACleanCluster(pve: Int) throws {
    let snapshot = Synth.snapshot(nodes: 12, guests: 2_000, seed: 7, pveMajor: pve)
    let cluster = try Cluster(snapshot: snapshot, file: "synth")
    #expect(cluster.inconsistencies.isEmpty, "\(cluster.inconsistencies.prefix(3))")
    #expect(cluster.nodes.count == 12)
    #expect(cluster.nodes.map(\.name).first == "pve01")
    #expect(cluster.guests.count == 2_000)
    #expect(Set(cluster.guests.map(\.name)).count == 2_000)
    #expect(cluster.pveMajor == pve)
    #expect(cluster.quorum.quorate && cluster.quorum.online == 12)

    // Mixed node sizes.
    #expect(Set(cluster.nodes.map(\.cores)).count >= 2)
    #expect(cluster.nodes.allSatisfy { $0.online && $0.cores > 0 && $0.memoryTotal > 0 })
    #expect(cluster.nodes.allSatisfy { $0.version?.major == pve })

    // Shared and node-local storage; shared pools counted once.
    let shared = cluster.storages.filter(\.shared).map(\.id)
    #expect(shared == ["ceph-vm", "nas", "pbs"])
    let local = cluster.storages.filter { !$0.shared }.map(\.id)
    #expect(local == (pve == 9 ? ["local", "local-zfs"] : ["local", "local-lvm"]))
    #expect(cluster.storages.allSatisfy { $0.perNode.count == 12 })
    let guestsOnShared = cluster.guests.filter { g in
      g.disks.allSatisfy { cluster.isShared($0.storage ?? "") }
    }
    #expect(guestsOnShared.count > 1_000 && guestsOnShared.count < 1_600)

    // HA: resources, mostly on shared storage, some not; placement by groups or rules.
    let ha = cluster.guests.filter(\.isHAManaged)
    #expect(ha.count == cluster.haResources.count)
    #expect(ha.count > 100)
    #expect(ha.contains { g in g.disks.contains { !cluster.isShared($0.storage ?? "") } })
    #expect(cluster.haManager.services.count == ha.count)
    if pve == 9 {
      #expect(cluster.haGroups == nil)
      let rules = try #require(cluster.haRules)
      #expect(rules.contains { $0.type == "node-affinity" && !$0.resources.isEmpty })
      #expect(rules.contains { $0.type == "resource-affinity" && $0.affinity == "negative" })
      #expect(rules.contains { $0.disabled })
      #expect(cluster.usesHARules)
    } else {
      #expect(cluster.haRules == nil)
      let groups = try #require(cluster.haGroups)
      #expect(!groups.isEmpty && groups.contains { $0.restricted })
      #expect(cluster.haResources.contains { $0.group != nil })
      #expect(!cluster.usesHARules)
    }

    // Backup jobs cover part of the cluster.
    #expect(cluster.backupJobs.count == 3)
    #expect(cluster.backupJobs.contains { !$0.enabled })
    let covered = cluster.guests.filter { g in cluster.backupJobs.contains { $0.covers(g) } }
    #expect(covered.count > 200 && covered.count < 1_900)

    // Tags, pools, templates, running and stopped guests, both kinds.
    #expect(cluster.guests.contains { !$0.tags.isEmpty })
    #expect(Set(cluster.guests.compactMap(\.pool)) == ["dev", "infra", "prod"])
    #expect(cluster.guests.contains { $0.template })
    #expect(cluster.guests.contains { $0.isRunning } && cluster.guests.contains { !$0.isRunning })
    #expect(Set(cluster.guests.map(\.kind)) == [.qemu, .lxc])
    #expect(cluster.guests.allSatisfy { g in g.vcpus <= (cluster.node(g.node)?.cores ?? 0) })
  }

  @Test func oneNodeAndNoGuests() throws {
    let cluster = try Cluster(
      snapshot: Synth.snapshot(nodes: 1, guests: 0, seed: 0, pveMajor: 8), file: "synth")
    #expect(cluster.nodes.count == 1 && cluster.guests.isEmpty && cluster.backupJobs.isEmpty)
    #expect(cluster.storages.map(\.id) == ["local", "local-lvm", "nas", "pbs"])
    #expect(cluster.inconsistencies.isEmpty)
  }

  @Test func roundTripsThroughItsEncoding() throws {
    let snapshot = Synth.snapshot(nodes: 5, guests: 200, seed: 3, pveMajor: 9)
    let decoded = try Snapshot.decode(snapshot.encoded(), file: "synth")
    #expect(decoded == snapshot)
    #expect(try Cluster(snapshot: decoded) == Cluster(snapshot: snapshot))
  }

  /// Scale: 64 nodes, 50,000 guests (no timing here; see `pvemend-bench`).
  @Test func scales() throws {
    let snapshot = Synth.snapshot(nodes: 64, guests: 50_000, seed: 64, pveMajor: 9)
    let cluster = try Cluster(snapshot: snapshot, file: "synth")
    #expect(cluster.nodes.count == 64)
    #expect(cluster.guests.count == 50_000)
    #expect(cluster.inconsistencies.isEmpty)
  }
}
