import Audit
import PVEMendTestSupport
import PVEModel
import Playbook
import Testing

/// The reference cluster (`examples/homelab-cluster.json`) against the seed report's key facts, and
/// where the seed is wrong, the truth.
@Suite struct ReferenceClusterAuditTests {
  let report: AuditReport

  init() throws {
    report = AuditReport(
      cluster: try Examples.cluster("homelab-cluster"),
      policy: try Examples.policy("homelab-cluster"))
  }

  /// The seed says 9.45 TB total, 2.31 TB used: it counted each shared NFS pool once per node.
  /// Counted once, the pools hold 899 GB + 1.54 TB + 3 local-lvm (349 + 816 + 816 GB) = 4.42 TB,
  /// with 179 + 557 + 64 + 18 + 28 GB = 846 GB ≈ 0.85 TB used.
  @Test func storageTotalsCountSharedPoolsOnce() {
    let gb: Int64 = 1_000_000_000
    #expect(report.storage.total == 4_420 * gb)
    #expect(report.storage.used == 846 * gb)
    #expect(ByteSize.decimal(report.storage.total) == "4.42 TB")
    #expect(ByteSize.decimal(report.storage.used) == "846 GB")
    #expect(report.capacity.storageTotal == 4_420 * gb)
    // The seed's way: every node's list summed. Not what the report's totals say.
    #expect(report.storage.listedPerNodeTotal > 9_000 * gb)
    #expect(report.storage.listedPerNodeUsed > 2_300 * gb)
    #expect(
      report.storage.pools.map(\.key) == [
        "TrueNas_NVMe", "Truenas_jbod", "local-lvm@proxmox", "local-lvm@proxmox2",
        "local-lvm@proxmox3",
      ])
    #expect(report.text().contains("Total Cluster Storage: 4.42 TB (shared pools counted once)"))
    #expect(report.markdown().contains("**Total Cluster Storage:** 4.42 TB"))
  }

  @Test func proxmoxHoldsFortySixPercentOfGuestsOnTwentyPercentOfCores() throws {
    let row = try #require(report.distribution.rows.first { $0.node == "proxmox" })
    #expect(row.guests == 17)
    #expect(report.distribution.guests == 37)
    #expect(Figure.wholePercent(row.guestShare) == "46%")
    #expect(row.cores == 4)
    #expect(report.distribution.cores == 20)
    #expect(Figure.wholePercent(row.coreShare) == "20%")
    let f = try #require(report.findings.first { $0.id == "node.imbalance/proxmox" })
    #expect(f.evidence["guests"] == .int(17))
    #expect(f.evidence["totalGuests"] == .int(37))
    #expect(f.evidence["cores"] == .int(4))
    #expect(f.evidence["totalCores"] == .int(20))
    #expect(report.distribution.rows.map(\.running) == [15, 9, 9])
    #expect(report.distribution.rows.map(\.stopped) == [2, 1, 1])
  }

  @Test func haSplitThreeZeroFourWithMasterOnProxmox3() {
    #expect(report.ha.services.map(\.vmid) == [100, 113, 116, 122, 130, 131, 1250])
    #expect(report.ha.perNode.map(\.ha) == [3, 0, 4])
    #expect(report.ha.perNode.map(\.nonHA) == [12, 9, 5])
    #expect(report.ha.master == "proxmox3")
    #expect(report.findings.contains { $0.id == "ha.distribution/proxmox2" })
  }

  @Test func traefikIsCriticalWithoutHA() throws {
    let first = try #require(report.criticalWithoutHA.first)
    #expect(first.vmid == 110)
    #expect(first.name == "traefik")
    #expect(first.level == "critical")
    #expect(first.node == "proxmox")
    #expect(first.purpose == "Reverse proxy (all external access)")
    let f = try #require(report.findings.first { $0.id == "ha.unprotected/ct:110" })
    #expect(f.severity == .critical)
    #expect(f.remediation == .enableHA)
    #expect(
      report.criticalWithoutHA.map(\.vmid) == [110, 114, 101, 121, 128, 132, 133, 134, 109, 112])
  }

  @Test func seedFactsElsewhere() {
    let ids = Set(report.findings.map(\.id))
    // No backup jobs; TrueNAS serves all shared storage; proxmox is the small node.
    #expect(ids.contains("backup.none/cluster"))
    #expect(ids.contains("storage.single-server/192.168.1.98"))
    #expect(ids.contains("node.small/proxmox"))
    #expect(ids.contains("storage.local-imbalance/proxmox"))
    // HA guests on local-lvm cannot fail over (the seed missed this).
    #expect(ids.contains("ha.local-storage/ct:100"))
    #expect(ids.contains("ha.local-storage/ct:131"))
    // Quorum 3/3, nothing fragile.
    #expect(report.network.quorum.online == 3)
    #expect(report.network.quorum.needed == 2)
    #expect(!ids.contains("quorum.fragile/cluster"))
    #expect(report.network.configVersion == 6)
    // Node figures as the seed states them.
    #expect(report.nodes.map(\.cores) == [4, 8, 8])
    #expect(report.nodes.map { Figure.percent($0.cpuUsage) } == ["18.7%", "6.6%", "7.9%"])
    #expect(report.summary.collectedAt == "2025-11-09T10:00:00Z")
  }

  @Test func everyNodeFailureIsAScenario() {
    let nodes = report.recovery.filter { $0.kind == "node" }.map(\.subject)
    #expect(nodes == ["proxmox", "proxmox2", "proxmox3"])
    let proxmox3 = report.recovery.first { $0.subject == "proxmox3" }
    // Four HA guests; zigbee2mqtt (ct:122) passes its USB stick through (dev0), so HA places it
    // but it cannot start off proxmox3 (the rehearsal's start check; earlier audits counted it).
    #expect(proxmox3?.restarted.count == 3)
    #expect(proxmox3?.haNotRecovered == ["zigbee2mqtt (ct:122)"])
    #expect(proxmox3?.down.count == 5)
    #expect(
      report.recovery.contains { $0.kind == "storage-server" && $0.subject == "192.168.1.98" })
    #expect(report.recovery.contains { $0.kind == "service" && $0.subject == "traefik (ct:110)" })
  }

  @Test func scoresAreInRangeAndOverallIsTheirMean() {
    #expect(report.scores.map(\.category) == ScoreCategory.allCases)
    #expect(report.scores.allSatisfy { (0...10).contains($0.score) })
    let mean = report.scores.reduce(0) { $0 + $1.score } / Double(report.scores.count)
    #expect(report.overallScore == Figure.round(mean, 1))
    #expect(report.scores.first { $0.category == .networkQuorum }?.score == 10)
    #expect(report.risks.first?.priority == "P1")
  }
}
