import Audit
import PVEMendTestSupport
import PVEModel
import Playbook
import Testing

@Suite struct BackupUncoveredTests {
  let base = TestCluster().node("a").node("b")
    .guest(100, on: "a", pool: "prod").guest(101, on: "a").guest(102, on: "b", pool: "prod")
    .guest(103, on: "b").guest(104, on: "b", template: true)

  func uncovered(_ c: TestCluster, policy: Policy = .builtinDefault) -> [String] {
    c.findings(BackupUncovered(), policy: policy).map(\.subject.id)
  }

  @Test func allWithExclude() {
    #expect(uncovered(base.backupJob("j", all: true, exclude: [101])) == ["ct:101"])
  }

  @Test func vmidList() {
    #expect(uncovered(base.backupJob("j", vmids: [100, 103])) == ["ct:101", "ct:102"])
  }

  @Test func poolSelection() {
    #expect(uncovered(base.backupJob("j", pool: "prod")) == ["ct:101", "ct:103"])
  }

  @Test func nodeRestriction() {
    #expect(uncovered(base.backupJob("j", all: true, node: "a")) == ["ct:102", "ct:103"])
  }

  @Test func disabledJobsCoverNothing() {
    let c = base.backupJob("on", vmids: [100]).backupJob("off", enabled: false, all: true)
    #expect(uncovered(c) == ["ct:101", "ct:102", "ct:103"])
  }

  @Test func noEnabledJobLeavesItToBackupNone() {
    #expect(uncovered(base).isEmpty)
  }

  @Test func policyExclusionsAndSeverity() {
    let policy = Policy(
      critical: [CriticalEntry(selector: GuestSelector(vmid: 103), level: .critical)],
      backup: BackupPolicy(exclude: [GuestSelector(vmid: 101)]))
    let f = base.backupJob("j", pool: "prod").findings(BackupUncovered(), policy: policy)
    #expect(f.map(\.subject.id) == ["ct:103"])
    #expect(f[0].severity == .critical)
    #expect(f[0].remediation == .createBackupJob)
  }
}

@Suite struct BackupCoverageTests {
  /// The fast path asks `BackupJob.covers` about cut-down copies; it must agree with asking it
  /// directly, job by job, guest by guest.
  @Test(arguments: Examples.names) func agreesWithCoversOnEveryExample(example: String) throws {
    let cluster = try Examples.cluster(example)
    let coverage = BackupCoverage(AuditContext(cluster: cluster, policy: .builtinDefault))
    for g in cluster.guests where !g.template {
      let direct = cluster.backupJobs.filter { $0.enabled && $0.covers(g) }.map(\.id).sorted()
      #expect((coverage.jobsBySID[g.sid] ?? []) == direct, "\(g.sid)")
    }
  }

  @Test func agreesWithCoversOnEverySelection() {
    let c = TestCluster().node("a").node("b")
      .guest(100, on: "a", pool: "p").guest(101, on: "b", pool: "p").guest(102, on: "b")
      .backupJob("v", vmids: [100, 102, 555]).backupJob("x", all: true, exclude: [101])
      .backupJob("p", exclude: [100], pool: "p").backupJob("n", all: true, node: "b")
      .backupJob("off", enabled: false, all: true).cluster
    let coverage = BackupCoverage(AuditContext(cluster: c, policy: .builtinDefault))
    #expect(coverage.jobsBySID["ct:100"] == ["v", "x"])
    #expect(coverage.jobsBySID["ct:101"] == ["n", "p"])
    #expect(coverage.jobsBySID["ct:102"] == ["n", "v", "x"])
    for g in c.guests {
      let direct = c.backupJobs.filter { $0.enabled && $0.covers(g) }.map(\.id).sorted()
      #expect((coverage.jobsBySID[g.sid] ?? []) == direct)
    }
  }
}
