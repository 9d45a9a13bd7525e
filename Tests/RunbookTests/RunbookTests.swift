import Foundation
import PVEMendTestSupport
import PVEModel
import Playbook
import Runbook
import Testing

/// What the runbook says in each case, beyond the goldens' bytes.
@Suite struct RunbookTests {
  func book(_ name: String) throws -> Runbook {
    Runbook(
      cluster: DRCases.cluster(name), policy: try DRCases.policy(),
      records: DRCases.records(name))
  }

  func scenario(_ book: Runbook, _ id: String) throws -> Runbook.Scenario {
    try #require(book.scenarios.first { $0.id == id })
  }

  @Test func scenariosFromData() throws {
    let b = try book("no-backups")
    #expect(
      b.scenarios.map(\.id) == [
        "node-pve1", "node-pve2", "node-pve3", "server-10.0.0.20", "server-10.0.0.9", "ingress",
      ])
    let ingress = try scenario(b, "ingress")
    #expect(ingress.stops.map(\.vmid) == [110])
  }

  @Test func restoreOrderIsDNSThenDHCPThenIngressThenLevels() throws {
    let s = try scenario(try book("own-storage"), "node-pve1")
    #expect(s.byHand.map(\.vmid) == [101, 102, 110])
    #expect(s.byHand.map(\.role) == [.dns, .dhcp, .ingress])
    #expect(s.byHand.map(\.order) == [1, 2, 3])
  }

  @Test func noBackupIsSaidLoudly() throws {
    let s = try scenario(try book("no-backups"), "node-pve1")
    let dns = try #require(s.byHand.first { $0.vmid == 101 })
    #expect(dns.method == .none)
    #expect(dns.problem == "no backup: cannot be restored")
    #expect(dns.commands.isEmpty)
    // Its volumes on NFS survive: the config moves, no backup needed.
    let dhcp = try #require(s.byHand.first { $0.vmid == 102 })
    #expect(dhcp.method == .moveConfig)
    #expect(dhcp.commands.map(\.argv.first) == ["mv", "pct"])
    #expect(
      RunbookMarkdownView.render(try book("no-backups")).contains(
        "**✗ no backup: cannot be restored**"))
  }

  @Test func backupsOnTheFailedStorageAreLost() throws {
    let b = try book("own-storage")
    let node = try scenario(b, "node-pve1")
    let dns = try #require(node.byHand.first { $0.vmid == 101 })
    #expect(dns.method == .none)
    #expect(dns.lostArchives == 2)
    #expect(dns.problem?.contains("lost with the failure") == true)
    let server = try scenario(b, "server-10.0.0.9")
    #expect(server.byHand.map(\.vmid) == [102, 120, 140])
    #expect(server.byHand.allSatisfy { $0.method == .none && $0.lostArchives == 2 })
    #expect(server.notes.contains { $0.contains("6 backup archive(s) on 10.0.0.9 are lost") })
  }

  @Test func pbsRestoresWithTheNewestSurvivingBackup() throws {
    let b = try book("pbs-unverified")
    let node = try scenario(b, "node-pve1")
    let proxy = try #require(node.byHand.first { $0.vmid == 110 })
    #expect(proxy.method == .restoreBackup)
    #expect(proxy.archive?.ageSeconds == Int64(8 * 3600))
    #expect(proxy.warnings.contains { $0.contains("never verified") })
    let restore = try #require(proxy.commands.first { $0.argv.first == "qmrestore" })
    #expect(
      restore.argv == [
        "qmrestore", "pbs:backup/vm/110/2025-11-09T02:00:00Z", "110", "--storage", "local-lvm",
      ])
    #expect(restore.node == proxy.node)
    // 130's newest failed verification: the older verified one is chosen.
    let pve2 = try scenario(b, "node-pve2")
    let db = try #require(pve2.byHand.first { $0.vmid == 130 })
    #expect(db.archive?.verification == "ok")
    #expect(db.archive?.ageSeconds == Int64(200 * 3600))
    // Measured: 101 passed, 120 failed its test.
    let dns = try #require(node.byHand.first { $0.vmid == 101 })
    #expect(dns.measured?.restoreSeconds == 41.6)
    // Its storage is gone: the config aside first, then a plain restore (no --force, which would
    // try to destroy volumes on the dead server).
    let server = try scenario(b, "server-10.0.0.9")
    let hub = try #require(server.byHand.first { $0.vmid == 120 })
    #expect(
      hub.commands.map(\.argv) == [
        ["ha-manager", "set", "vm:120", "--state", "disabled"],
        ["mv", "/etc/pve/nodes/pve2/qemu-server/120.conf", "/root/120.conf.from-pve2"],
        ["qmrestore", "pbs:backup/vm/120/2025-11-09T02:00:00Z", "120", "--storage", "local-lvm"],
        ["ha-manager", "set", "vm:120", "--state", "started"],
      ])
    // A broken ingress on intact storage: restored over itself with --force 1.
    let ingress = try scenario(b, "ingress")
    #expect(
      ingress.byHand.first?.commands.map(\.argv) == [
        ["qm", "stop", "110"],
        [
          "qmrestore", "pbs:backup/vm/110/2025-11-09T02:00:00Z", "110", "--storage", "local-lvm",
          "--force", "1",
        ],
        ["qm", "start", "110"],
      ])
    #expect(hub.measured?.verdict == .failed)
    // No backup at all for 150.
    let pve3 = try scenario(b, "node-pve3")
    #expect(pve3.byHand.first { $0.vmid == 150 }?.problem == "no backup: cannot be restored")
  }

  /// Hostile guest names never break the markdown or the HTML: no raw control or bidi scalar, the
  /// same number of lines as with plain names, no live tag.
  @Test(arguments: HostileText.corpus.indices) func hostileNames(_ i: Int) throws {
    let name = HostileText.corpus[i]
    let names = Dictionary(
      uniqueKeysWithValues: [101, 102, 110, 120, 130, 140, 150].map { ($0, name) })
    let plain = Runbook(
      cluster: DRCases.cluster("pbs-unverified"), policy: try DRCases.policy(),
      records: DRCases.records("pbs-unverified"))
    let hostile = Runbook(
      cluster: DRCases.cluster("pbs-unverified", names: names), policy: try DRCases.policy(),
      records: DRCases.records("pbs-unverified"))
    let md = RunbookMarkdownView.render(hostile)
    let html = RunbookHTMLView.render(hostile)
    #expect(HostileText.rawUnsafe(in: md).isEmpty)
    #expect(HostileText.rawUnsafe(in: html).isEmpty)
    #expect(HostileText.rawUnsafe(in: hostile.json()).isEmpty)
    #expect(
      md.split(separator: "\n", omittingEmptySubsequences: false).count
        == RunbookMarkdownView.render(plain).split(
          separator: "\n", omittingEmptySubsequences: false
        ).count)
    #expect(
      html.split(separator: "\n", omittingEmptySubsequences: false).count
        == RunbookHTMLView.render(plain).split(separator: "\n", omittingEmptySubsequences: false)
        .count)
    #expect(!html.lowercased().contains("<script"))
    #expect(!html.lowercased().contains("<svg"))
    #expect(!html.lowercased().contains("<img"))
  }

  /// Roles come from the playbook's purposes, else from tags; names alone never make a role.
  @Test func rolesFromPurposeOrTags() throws {
    let policy = try DRCases.policy()
    let c = DRCases.cluster("no-backups")
    let roles = c.guests.map { Runbook.role(of: $0, policy: policy) }
    #expect(roles == [.dns, .dhcp, .ingress, nil, nil, nil, nil])
    var tagged = try #require(c.guest(vmid: 140))
    tagged.tags = ["ingress"]
    #expect(Runbook.role(of: tagged, policy: policy) == .ingress)
    var named = try #require(c.guest(vmid: 150))
    named.name = "traefik"
    #expect(Runbook.role(of: named, policy: policy) == nil)
  }

  /// Two nodes: one failing leaves no quorum; the runbook says so first and still lists the work.
  @Test func quorumLostIsSaidFirst() throws {
    let c = TestCluster().node("a").node("b")
      .sharedStorage("nas", server: "10.0.0.9", totalGB: 100, usedGB: 10, nodes: ["a", "b"])
      .guest(101, on: "a", disks: [TestCluster.disk("nas")])
    let b = Runbook(cluster: c.cluster, policy: try DRCases.policy())
    let s = try scenario(b, "node-a")
    #expect(s.verdict == "quorum-lost")
    #expect(s.notes.contains { $0.hasPrefix("quorum lost (1 of 2 votes)") })
    #expect(s.byHand.map(\.vmid) == [101])
  }

  /// A guest no survivor has room for: said, with each node's reason, and no command.
  @Test func noRoomIsSaid() throws {
    let c = TestCluster().node("a", memoryGiB: 64).node("b", memoryGiB: 16).node("c", memoryGiB: 16)
      .sharedStorage("nas", server: "10.0.0.9", totalGB: 100, usedGB: 10, nodes: ["a", "b", "c"])
      .guest(
        101, on: "a", kind: .qemu, memoryGiB: 48, disks: [TestCluster.disk("nas", key: "scsi0")])
    let b = Runbook(cluster: c.cluster, policy: try DRCases.policy())
    let r = try #require(try scenario(b, "node-a").byHand.first)
    #expect(r.method == .none)
    #expect(r.commands.isEmpty)
    #expect(
      r.problem
        == "no surviving node has room: b: 14.0 GiB memory free under the reserve; c: 14.0 GiB memory free under the reserve"
    )
  }

  /// Which network services a failure takes away, from the roles.
  @Test func lostServicesAreNamed() throws {
    let s = try scenario(try book("own-storage"), "node-pve1")
    #expect(s.notes.contains { $0.hasPrefix("no DNS left (ct:101 dns-1 down)") })
    #expect(s.notes.contains { $0.hasPrefix("no DHCP left (ct:102 dhcp-1 down)") })
    #expect(s.notes.contains { $0.hasPrefix("no ingress left (vm:110 proxy down)") })
  }
}
