import Audit
import PVEMendTestSupport
import PVEModel
import Playbook
import Testing

/// The rules over backup content: never, stale, same storage, unverified, content unknown.
@Suite struct BackupContentRulesTests {
  let base = TestCluster().node("a").node("b")
    .sharedStorage("nas", server: "10.0.0.5", totalGB: 1000, usedGB: 10, nodes: ["a", "b"])
    .sharedStorage(
      "pbs", server: "10.0.0.9", type: "pbs", content: ["backup"], totalGB: 1000, usedGB: 1,
      nodes: ["a", "b"]
    )
    .localStorage("local-lvm", perNode: [("a", 100, 1), ("b", 100, 1)])
    .guest(100, on: "a", disks: [TestCluster.disk("nas")])
    .guest(101, on: "a", disks: [TestCluster.disk("local-lvm")])
    .guest(102, on: "b", disks: [TestCluster.disk("nas")])
    .guest(103, on: "b", template: true)

  func ids(_ c: TestCluster, _ rule: some AuditRule) -> [String] {
    c.findings(rule).map(\.subject.id).sorted()
  }

  @Test func unknownContentSaysSoAndTheOthersStaySilent() {
    var c = base.backupJob("j", all: true)
    c.backups = BackupInventory(
      unread: [BackupContentRead(storage: "pbs", node: "a", shared: true)], complete: false)
    let unknown = c.findings(BackupContentUnknown())
    #expect(unknown.map(\.id) == ["backup.content-unknown/cluster"])
    #expect(unknown.first?.message.contains("backup content unknown") == true)
    #expect(ids(c, BackupNever()).isEmpty)
    #expect(ids(c, BackupStale()).isEmpty)
    #expect(ids(c, BackupSameStorage()).isEmpty)
  }

  @Test func neverBackedUpOnlyWhenAJobCoversItOrNoJobRuns() {
    let c = base.backupJob("j", vmids: [100, 101]).archives([(100, "pbs", "a", 2, "ok")])
    // 101 is covered but has nothing; 102 is uncovered (backup.uncovered's); 103 is a template.
    #expect(ids(c, BackupNever()) == ["ct:101"])
    // No job and no archive at all: backup.none says it.
    #expect(ids(base.archives([]), BackupNever()).isEmpty)
    // No job, but someone backed up 100 by hand: the others were never backed up.
    #expect(
      ids(base.archives([(100, "pbs", "a", 2, "ok")]), BackupNever()) == ["ct:101", "ct:102"])
  }

  @Test func staleAgainstTheJobSchedule() {
    // Daily job: allowed 1 day + 1 day of slack.
    let c = base.backupJob("j", all: true).archives([
      (100, "pbs", "a", 20, "ok"), (101, "pbs", "a", 49, "ok"), (102, "pbs", "a", 47, "ok"),
    ])
    #expect(ids(c, BackupStale()) == ["ct:101"])
    let f = c.findings(BackupStale()).first
    #expect(f?.evidence["allowedSeconds"] == .int(2 * 86_400))
  }

  @Test func scheduleIntervals() {
    let day: Int64 = 86_400
    let hour: Int64 = 3600
    #expect(BackupSchedule.interval("21:00") == 86_400)
    #expect(BackupSchedule.interval("mon..fri 22:00") == 3 * day)
    #expect(BackupSchedule.interval("sat 03:00") == 7 * day)
    #expect(BackupSchedule.interval("sat,sun 01:00") == 6 * day)
    #expect(BackupSchedule.interval("*-01 04:30") == 31 * day)
    #expect(BackupSchedule.interval("*/6:00") == 6 * hour)
    #expect(BackupSchedule.interval("weekly") == 7 * day)
    #expect(BackupSchedule.interval("fri..mon 02:00") == 4 * day)
    #expect(BackupSchedule.interval("0 2 * * *") == nil)
    #expect(BackupSchedule.epoch("2025-11-09T10:00:00Z") == 1_762_682_400)
    #expect(BackupSchedule.epoch("2025-11-09T12:00:00+02:00") == 1_762_682_400)
  }

  @Test func backupsWhereTheDisksAre() {
    let c = base.backupJob("j", all: true).archives([
      // 100: disks on nas (10.0.0.5), backups on pbs (10.0.0.9): fine.
      (100, "pbs", "a", 2, "ok"),
      // 101: local disks on a, backups on a's local dir only: one node loses both.
      (101, "local", "a", 2, nil),
      // 102: disks on nas, backups on nas too.
      (102, "nas", "a", 2, nil),
    ])
    #expect(ids(c, BackupSameStorage()) == ["ct:101", "ct:102"])
  }

  @Test func unverifiedPBSSnapshots() {
    let c = base.archives([
      (100, "pbs", "a", 2, nil), (100, "pbs", "a", 30, "ok"), (101, "pbs", "a", 2, "failed"),
      (102, "pbs", "a", 2, "ok"), (102, "nas", "a", 1, nil),
    ])
    let f = c.findings(BackupUnverified())
    #expect(f.map(\.subject.id).sorted() == ["ct:100", "ct:101"])
    #expect(f.first { $0.subject.id == "ct:101" }?.severity == .high)
    #expect(f.first { $0.subject.id == "ct:100" }?.severity == .low)
  }
}
