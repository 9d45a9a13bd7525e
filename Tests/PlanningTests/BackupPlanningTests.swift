import Audit
import PVEMendTestSupport
import PVEModel
import Planning
import Playbook
import Testing

/// Backup jobs: explicit id, exact flags, and coverage judged on the layout after the moves.
@Suite struct BackupPlanningTests {
  static func cluster(jobs: [BackupJob] = []) -> TestCluster {
    var b = TestCluster.planner()
    b.addNode("a", cores: 2)
    b.addNode("b", cores: 8)
    b.sharedPool("nfs", totalGiB: 1000)
    b.sharedPool("backups", totalGiB: 4000, content: ["backup"])
    b.vm(101, on: "a", vcpus: 2, disks: [("scsi0", "nfs", 8)])
    b.vm(102, on: "a", vcpus: 2, disks: [("scsi0", "nfs", 8)])
    b.ct(103, on: "b", disks: [("rootfs", "nfs", 8)])
    b.backupJobs = jobs
    return b
  }

  static var policy: Policy {
    var p = Policy(name: "t")
    p.actions["node.imbalance"] = .ignore
    p.backup.retention = ["keep-weekly": 8, "keep-daily": 30, "keep-monthly": 6]
    return p
  }

  @Test func noJobAtAllGetsAnAllGuestsJob() throws {
    let plan = Plans.plan(Self.cluster().cluster, Self.policy)
    let job = try #require(plan.steps.first { $0.kind == .backupJob })
    #expect(
      job.commands[0].argv == [
        "pvesh", "create", "/cluster/backup", "--id", "pvemend-daily", "--schedule", "02:00",
        "--storage", "backups", "--mode", "snapshot", "--compress", "zstd", "--prune-backups",
        "keep-daily=30,keep-weekly=8,keep-monthly=6", "--enabled", "1", "--all", "1",
        "--comment", "pvemend (t): backups of every guest",
      ])
    #expect(job.inverse[0].argv == ["pvesh", "delete", "/cluster/backup/pvemend-daily"])
    #expect(job.preconditions == [Condition(.backupJobAbsent, id: "pvemend-daily")])
    #expect(job.effects == [Condition(.backupJobPresent, id: "pvemend-daily")])
    #expect(job.reasons.contains("backup.none/cluster"))
  }

  @Test func aNodePinnedJobLosesAMovedGuestAndTheNewJobCoversIt() throws {
    let pinned = BackupJob(
      id: "on-a", enabled: true, all: true, vmids: [], exclude: [], pool: nil, node: "a",
      storage: "backups", schedule: "21:00", mode: "snapshot", compress: "zstd",
      pruneBackups: [:], comment: nil)
    let other = BackupJob(
      id: "ct", enabled: true, all: false, vmids: [103], exclude: [], pool: nil, node: nil,
      storage: "backups", schedule: "21:00", mode: "snapshot", compress: "zstd",
      pruneBackups: [:], comment: nil)
    var policy = Self.policy
    policy.capacity.vcpuPerCore = 1
    let plan = Plans.plan(Self.cluster(jobs: [pinned, other]).cluster, policy)
    let move = try #require(plan.steps.first { $0.kind == .migrate })
    let moved = move.commands[0].argv[2]
    let job = try #require(plan.steps.first { $0.kind == .backupJob })
    #expect(job.commands[0].argv.contains("--vmid"))
    #expect(job.commands[0].argv.contains(moved))
    #expect(job.reasons == ["backup.uncovered/vm:\(moved)"])
    #expect(job.detail?.contains("leave the node their current job is pinned to") == true)
  }

  @Test func excludedGuestsStayOutAndAMissingStorageIsExplained() throws {
    var policy = Self.policy
    policy.backup.exclude = [GuestSelector(vmid: 103)]
    let plan = Plans.plan(Self.cluster().cluster, policy)
    let job = try #require(plan.steps.first { $0.kind == .backupJob })
    #expect(Array(job.commands[0].argv.suffix(6).prefix(4)) == ["--all", "1", "--exclude", "103"])

    policy.backup.storage = "nope"
    let bad = Plans.plan(Self.cluster().cluster, policy)
    #expect(!bad.steps.contains { $0.kind == .backupJob })
    let u = try #require(bad.unresolved.first { $0.finding == "backup.none/cluster" })
    #expect(u.limit == "backup-storage")
    #expect(u.reason.contains("'nope'"))
  }
}
