import Audit
import PVEMendTestSupport
import PVEModel
import Playbook
import Testing

@Suite struct BackupTargetFullTests {
  let base = TestCluster().node("a").node("b").guest(100, on: "a")
    .sharedStorage(
      "nas", server: "10.0.0.1", content: ["backup"], totalGB: 100, usedGB: 92, nodes: ["a", "b"]
    )
    .localStorage(
      "local", type: "dir", content: ["backup"], perNode: [("a", 100, 10), ("b", 100, 85)])

  @Test func fullTargetsOfEnabledJobsAreFound() {
    let c = base.backupJob("j1", all: true, storage: "nas").backupJob("j2", all: true, storage: nil)
    let f = c.findings(BackupTargetFull())
    #expect(f.map(\.id) == ["backup.target-full/local", "backup.target-full/nas"])
    #expect(f.map(\.severity) == [.medium, .high])
    #expect(f[1].evidence["jobs"] == .array([.string("j1")]))
  }

  @Test func targetsThatCannotTakeBackupsAreFound() {
    let inactive = base.with {
      $0.storages.append(
        Storage(
          id: "pbs", type: "pbs", shared: true, content: ["backup"], restrictedTo: nil,
          disabled: false, server: "10.0.0.9",
          perNode: ["a", "b"].map {
            NodeStorage(node: $0, total: 0, used: 0, available: 0, active: false, enabled: true)
          }))
    }
    let f = inactive.backupJob("j1", all: true, storage: "pbs").backupJob(
      "j2", all: true, storage: "gone"
    ).findings(BackupTargetFull())
    #expect(f.map(\.id) == ["backup.target-full/gone", "backup.target-full/pbs"])
    #expect(f.map(\.severity) == [.high, .high])
    #expect(f[0].message.contains("is not defined in /storage"))
    #expect(f[1].message.contains("inactive on every node"))
  }

  @Test func unusedOrDisabledTargetsAreNotFound() {
    #expect(base.findings(BackupTargetFull()).isEmpty)
    #expect(
      base.backupJob("j", enabled: false, all: true, storage: "nas").findings(BackupTargetFull())
        .isEmpty)
  }
}
