import Audit
import PVEMendTestSupport
import PVEModel
import Playbook
import Testing

@Suite struct BackupNoneTests {
  let base = TestCluster().node("a").guest(100, on: "a")

  @Test func noJobOrOnlyDisabledJobsIsCritical() {
    #expect(base.findings(BackupNone()).map(\.id) == ["backup.none/cluster"])
    #expect(base.findings(BackupNone()).first?.severity == .critical)
    #expect(base.findings(BackupNone()).first?.remediation == .createBackupJob)
    #expect(base.backupJob("off", enabled: false, all: true).findings(BackupNone()).count == 1)
  }

  @Test func anEnabledJobOrNoGuestsIsNotFound() {
    #expect(base.backupJob("daily", all: true).findings(BackupNone()).isEmpty)
    #expect(TestCluster().node("a").findings(BackupNone()).isEmpty)
  }
}
