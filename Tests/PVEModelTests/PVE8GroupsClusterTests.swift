import PVEModel
import Testing

/// `examples/pve8-groups-cluster.json`: PVE 8.4, HA groups, one node offline.
@Suite struct PVE8GroupsClusterTests {
  let cluster: Cluster

  init() throws { cluster = try Loading.cluster("pve8-groups-cluster.json") }

  @Test func offlineNode() throws {
    #expect(cluster.nodes.map(\.name) == ["hv1", "hv2", "hv3"])
    #expect(cluster.nodes.map(\.online) == [true, true, false])
    let hv3 = try #require(cluster.node("hv3"))
    #expect(hv3.cores == 16 && hv3.version == nil && hv3.haState == "unknown")
    #expect(cluster.quorum == Quorum(quorate: true, nodes: 3, online: 2, configVersion: 9))
    let stranded = cluster.guests(on: "hv3")
    #expect(stranded.map(\.vmid) == [150, 151, 152])
    #expect(stranded.allSatisfy { $0.status == "unknown" && $0.disks.isEmpty })
    #expect(cluster.guest(vmid: 152)?.lock == "backup")
    #expect(cluster.storages.allSatisfy { $0.perNode.map(\.node) == ["hv1", "hv2"] })
  }

  @Test func haGroups() throws {
    #expect(cluster.pveMajor == 8 && !cluster.usesHARules && cluster.haRules == nil)
    let groups = try #require(cluster.haGroups)
    #expect(groups.map(\.id) == ["db-only", "prefer-hv1", "web"])
    #expect(groups[0].restricted && !groups[0].nofailback)
    #expect(groups[2].nofailback && !groups[2].restricted)
    #expect(groups[2].nodes.map(\.node) == ["hv1", "hv2", "hv3"])
    #expect(
      groups[1].nodes == [
        NodePriority(node: "hv1", priority: 2), NodePriority(node: "hv2", priority: 1),
      ])
    #expect(cluster.haResource("vm:102")?.group == "db-only")
    #expect(cluster.haResource("vm:106")?.group == "web")
    #expect(cluster.guest(vmid: 121)?.haState == "ignored")
    #expect(cluster.guest(vmid: 121)?.isHAManaged == false)
    #expect(cluster.guests.filter(\.isHAManaged).map(\.vmid) == [101, 102, 103, 104, 105, 106])
  }

  @Test func quirks() {
    // A container without `cores` may use all 24 CPUs of its node.
    #expect(cluster.guest(vmid: 130)?.vcpus == 24)
    // Shared LVM (on iSCSI) is shared because its definition says so.
    #expect(cluster.storage("san-lvm")?.shared == true)
    #expect(cluster.storage("iscsi-san")?.total == 0)
    #expect(cluster.storage("local-lvm")?.shared == false)
  }

  @Test func backupJobWithAllAndExclude() throws {
    let job = try #require(cluster.backupJobs.first)
    #expect(cluster.backupJobs.count == 1)
    #expect(job.all && job.exclude == [140, 9000] && job.storage == "nas-backup")
    let uncovered = cluster.guests.filter { g in !job.covers(g) }.map(\.vmid)
    #expect(uncovered == [140, 9000])
  }
}
