import Audit
import PVEMendTestSupport
import PVEModel
import Playbook
import Testing

/// The report as a whole: the rule list, scores that move with fixes, hostile names.
@Suite struct ReportTests {
  @Test func everyRuleOfTheSharedVocabularyIsListedOnce() {
    let ids = Auditor.allRules.map { type(of: $0).id }
    #expect(
      ids.sorted() == [
        "backup.content-unknown", "backup.never", "backup.none", "backup.offsite",
        "backup.same-storage", "backup.stale", "backup.target-full", "backup.uncovered",
        "backup.unverified", "guest.too-many-vcpus", "ha.disarmed", "ha.distribution", "ha.error",
        "ha.failover-capacity",
        "ha.local-storage", "ha.orphan", "ha.unprotected", "node.imbalance", "node.memory",
        "node.offline", "node.overcommit", "node.small", "quorum.fragile", "quorum.lost",
        "restore.failed", "snapshot.inconsistent", "storage.local-imbalance",
        "storage.single-server", "storage.usage",
      ])
    #expect(Set(ids).count == ids.count)
    #expect(ids.allSatisfy { Auditor.advice(for: $0) != nil })
  }

  @Test func findingsAreSortedMostSevereFirst() {
    let c = TestCluster().node("a", cores: 2).node("b", cores: 8)
      .guest(1, on: "a", name: "traefik", vcpus: 9)
    let f = Auditor.findings(in: c.cluster, policy: .builtinDefault)
    #expect(f == f.sorted())
    #expect(f.first?.severity == .critical)
  }

  @Test func fixingFindingsRaisesTheScore() {
    let policy = TestCluster.policy([(110, .critical)])
    let before = TestCluster().node("a").node("b").node("c")
      .guest(110, on: "a", name: "traefik").guest(111, on: "b").guest(112, on: "c").ha("ct:111")
    let after = before.ha("ct:110").backupJob("daily", all: true)
    let b = AuditReport(cluster: before.cluster, policy: policy)
    let a = AuditReport(cluster: after.cluster, policy: policy)
    #expect(b.findings.contains { $0.id == "ha.unprotected/ct:110" })
    #expect(!a.findings.contains { $0.id == "ha.unprotected/ct:110" })
    #expect(a.overallScore > b.overallScore)
  }

  @Test func scoreFormula() {
    // One critical (3) + one medium rule (1): categories 7 and 9.
    let c = TestCluster().node("a").node("b").node("c").guest(1, on: "a").guest(2, on: "b")
      .guest(3, on: "c")
    let r = AuditReport(cluster: c.cluster, policy: .builtinDefault)
    #expect(r.findings.map(\.id) == ["backup.none/cluster", "backup.offsite/cluster"])
    #expect(r.scores.first { $0.category == .disasterRecovery }?.score == 6)
    #expect(r.overallScore == Figure.round((50 + 6) / 6.0, 1))
  }

  @Test func hostileGuestNamesCannotBreakTheOutput() {
    let evil = "x|y\u{1B}[31m<b>\nrm -rf`*"
    let c = TestCluster().node("a").node("b").node("c").guest(1, on: "a", name: evil)
      .with { $0.guests[0].tags = ["critical"] }
    let r = AuditReport(cluster: c.cluster, policy: .builtinDefault)
    #expect(r.findings.contains { $0.id == "ha.unprotected/ct:1" })
    let text = r.text()
    let md = r.markdown()
    #expect(!text.contains("\u{1B}"))
    #expect(!md.contains("\u{1B}"))
    #expect(!md.contains("x|y"))
    #expect(md.contains("x\\|y"))
    #expect(!md.contains("<b>"))
    #expect(!text.contains("<b>\nrm"))
    // Every markdown table row still has as many cells as its header.
    for line in md.split(separator: "\n") where line.hasPrefix("| ") {
      #expect(!line.contains("\n"))
    }
  }

  @Test func anEmptyClusterStillReports() {
    let r = AuditReport(
      cluster: TestCluster().node("a").with { $0.name = nil }.cluster, policy: .builtinDefault)
    #expect(r.findings.isEmpty)
    #expect(r.overallScore == 10)
    #expect(r.text().contains("13. RISK MATRIX"))
    #expect(r.markdown().contains("## 13. Risk Matrix"))
  }
}
