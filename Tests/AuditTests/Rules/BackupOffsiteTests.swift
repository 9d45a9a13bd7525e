import Audit
import PVEMendTestSupport
import PVEModel
import Playbook
import Testing

@Suite struct BackupOffsiteTests {
  let base = TestCluster().node("a").guest(100, on: "a")
    .sharedStorage(
      "nas-a", server: "10.0.0.1", content: ["backup"], totalGB: 100, usedGB: 1, nodes: ["a"]
    )
    .sharedStorage(
      "nas-a2", server: "10.0.0.1", content: ["backup"], totalGB: 100, usedGB: 1, nodes: ["a"]
    )
    .sharedStorage(
      "nas-b", server: "10.0.0.2", content: ["backup"], totalGB: 100, usedGB: 1, nodes: ["a"])

  @Test func oneLocationIsFound() {
    #expect(base.findings(BackupOffsite()).map(\.id) == ["backup.offsite/cluster"])
    let sameServer = base.backupJob("j1", all: true, storage: "nas-a").backupJob(
      "j2", all: true, storage: "nas-a2")
    let f = sameServer.findings(BackupOffsite())
    #expect(f.count == 1)
    #expect(f[0].evidence["locations"] == .array([.string("10.0.0.1")]))
  }

  @Test func twoServersAreASecondCopy() {
    let c = base.backupJob("j1", all: true, storage: "nas-a").backupJob(
      "j2", all: true, storage: "nas-b")
    #expect(c.findings(BackupOffsite()).isEmpty)
  }
}
