import PVEModel
import Testing

/// `examples/pve9-rules-cluster.json`: PVE 9.1, HA rules, Ceph, backup jobs covering part of it.
@Suite struct PVE9RulesClusterTests {
  let cluster: Cluster

  init() throws { cluster = try Loading.cluster("pve9-rules-cluster.json") }

  @Test func shape() {
    #expect(cluster.nodes.map(\.name) == ["pve1", "pve2", "pve3", "pve4"])
    #expect(cluster.nodes.map(\.cores) == [32, 32, 16, 12])
    #expect(cluster.guests.count == 30)
    #expect(cluster.pveMajor == 9 && cluster.usesHARules)
    #expect(cluster.haGroups == nil)
    #expect(cluster.quorum.quorate && cluster.quorum.nodes == 4)
    #expect(cluster.options["crs"] == "ha=static")
  }

  @Test func storage() {
    #expect(cluster.storages.map(\.id) == ["ceph-vm", "local", "local-zfs", "pbs01"])
    #expect(cluster.storage("ceph-vm")?.shared == true)
    #expect(cluster.storage("ceph-vm")?.total == 7_681_511_964_672)
    #expect(cluster.storage("local-zfs")?.shared == false)
    #expect(cluster.storage("local-zfs")?.perNode.count == 4)
  }

  @Test func haRules() throws {
    let rules = try #require(cluster.haRules)
    #expect(rules.map(\.id) == ["db-on-epyc", "ha-rule-4f0edd54-5473", "keep-dns-apart"])
    #expect(rules[0].resources == ["vm:201", "vm:202"])
    #expect(
      rules[0].nodes == [
        NodePriority(node: "pve1", priority: 2), NodePriority(node: "pve2", priority: 1),
      ])
    #expect(!rules[0].strict && !rules[0].disabled)
    #expect(rules[1].disabled && rules[1].strict)
    #expect(rules[2].type == "resource-affinity" && rules[2].affinity == "negative")
    #expect(cluster.haResources.count == 9)
    #expect(cluster.haResource("ct:290")?.failback == false)
    #expect(cluster.haResource("ct:221")?.state == "stopped")
    #expect(cluster.haManager.master == "pve2")
  }

  @Test func backupCoversPartOfTheCluster() {
    let jobs = cluster.backupJobs
    #expect(jobs.map(\.id) == ["backup-2c9e51a7-0d13", "legacy-erp", "prod-weekly"])
    #expect(jobs[0].node == "pve1" && jobs[0].all)
    #expect(!jobs[1].enabled && jobs[1].vmids == [301, 302])
    #expect(jobs[2].pool == "prod" && jobs[2].exclude == [205])
    #expect(jobs[2].pruneBackups == ["keep-last": "3", "keep-monthly": "6"])
    let covered = Set(cluster.guests.filter { g in jobs.contains { $0.covers(g) } }.map(\.vmid))
    // All of pve1 (but its template), the prod pool elsewhere; not 205 from the pool job alone,
    // but 205 lives on pve1.
    #expect(covered == [201, 202, 203, 204, 205, 210, 211, 230, 231, 240, 260])
    #expect(!covered.contains(301))
  }
}
