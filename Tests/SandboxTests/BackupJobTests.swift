import Foundation
import PVEModel
import SandboxCore
import Testing

/// `pvesh create|set|delete /cluster/backup`: POST /cluster/backup's checks, stored as GET returns it.
@Suite struct BackupJobTests {
  static let valid = [
    "pvesh", "create", "/cluster/backup", "--id", "pvemend-nightly", "--schedule", "21:00",
    "--storage", "pbs", "--mode", "snapshot", "--vmid", "100,114", "--compress", "zstd",
    "--prune-backups", "keep-daily=7,keep-weekly=4,keep-monthly=6", "--notes-template",
    "{{guestname}}", "--enabled", "1", "--comment", "created by pvemend",
  ]

  @Test func createListAndDelete() throws {
    let state = try TinyCluster.state()
    let out = run(state, Self.valid)
    #expect(out.exitCode == 0, "\(out.stderr)")
    #expect(out.stdout.isEmpty)
    let list = run(state, ["pvesh", "get", "/cluster/backup", "--output-format", "json"])
    let jobs =
      try JSONDecoder().decode(JSONValue.self, from: Data(list.stdout.utf8)).arrayValue ?? []
    #expect(jobs.count == 1)
    let job = jobs.first
    #expect(job?["type"]?.stringValue == "vzdump")
    #expect(job?["enabled"] == .int(1))
    #expect(job?["vmid"] == .string("100,114"))
    #expect(
      job?["prune-backups"]
        == .object([
          "keep-daily": .string("7"), "keep-weekly": .string("4"), "keep-monthly": .string("6"),
        ]))
    #expect(job?["next-run"]?.intValue == 1_763_067_600)  // 2025-11-13 21:00 UTC
    // The model reads it back.
    let api = Dictionary(uniqueKeysWithValues: state.paths.map { ($0, state[$0] ?? .null) })
    let cluster = try Cluster(snapshot: Snapshot(collectedAt: "x", source: "x", api: api))
    #expect(cluster.backupJobs.first?.covers(cluster.guest(vmid: 114)!) == true)
    #expect(
      run(state, ["pvesh", "set", "/cluster/backup/pvemend-nightly", "--enabled", "0"]).exitCode
        == 0)
    #expect(state.list("/cluster/backup").first?["enabled"] == .int(0))
    #expect(run(state, ["pvesh", "delete", "/cluster/backup/pvemend-nightly"]).exitCode == 0)
    #expect(state.list("/cluster/backup").isEmpty)
    #expect(
      run(state, ["pvesh", "delete", "/cluster/backup/pvemend-nightly"]).stderr
        == "delete job failed: job 'pvemend-nightly' does not exist\n")
  }

  @Test func existingIDIsRefused() throws {
    let state = try TinyCluster.state()
    #expect(run(state, Self.valid).exitCode == 0)
    #expect(
      run(state, Self.valid).stderr == "create job failed: Job 'pvemend-nightly' already exists\n")
  }

  @Test func selectionConflicts() throws {
    let state = try TinyCluster.state()
    let base = [
      "pvesh", "create", "/cluster/backup", "--id", "j1", "--schedule", "daily", "--storage", "pbs",
    ]
    #expect(
      run(state, base + ["--all", "1", "--vmid", "100"]).stderr.hasPrefix(
        parameterError("all", "option conflicts with option 'vmid'")))
    #expect(
      run(state, base + ["--exclude", "100", "--vmid", "101"]).stderr.hasPrefix(
        parameterError("exclude", "option conflicts with option 'vmid'")))
    #expect(
      run(state, base + ["--pool", "prod", "--vmid", "101"]).stderr.hasPrefix(
        parameterError("pool", "option conflicts with option 'vmid'")))
    #expect(run(state, base).stderr.hasPrefix(parameterError("vmid", "property is missing")))
    // exclude alone means all.
    #expect(run(state, base + ["--exclude", "130"]).exitCode == 0)
    #expect(state.list("/cluster/backup").first?["exclude"] == .string("130"))
  }

  @Test func optionValuesAreChecked() throws {
    let state = try TinyCluster.state()
    let base = ["pvesh", "create", "/cluster/backup", "--schedule", "daily", "--all", "1"]
    #expect(
      run(state, base + ["--id", "1bad"]).stderr.hasPrefix(
        parameterError("id", "invalid configuration ID '1bad'")))
    #expect(
      run(state, base + ["--id", "j", "--storage", "nfs-shared"]).stderr.contains(
        "invalid configuration ID"))
    #expect(
      run(state, base + ["--id", "j2", "--storage", "nfs-shared"]).stderr
        == "can't use storage 'nfs-shared' for backups - wrong content type\n")
    #expect(
      run(state, base + ["--id", "j2", "--storage", "nas"]).stderr
        == "storage 'nas' does not exist\n")
    #expect(
      run(state, base + ["--id", "j2", "--prune-backups", "keep-dayly=7"]).stderr.contains(
        "prune-backups: invalid format - property 'keep-dayly' is not defined in schema"))
    #expect(
      run(state, base + ["--id", "j2", "--prune-backups", "keep-all=1,keep-daily=7"]).stderr
        .contains(
          "prune-backups: invalid format"))
    #expect(
      run(state, base + ["--id", "j2", "--mode", "fast"]).stderr.contains(
        "mode: value 'fast' does not have a value"))
    #expect(
      run(
        state,
        [
          "pvesh", "create", "/cluster/backup", "--id", "j2", "--schedule", "0 2 * * *", "--all",
          "1",
        ]
      )
      .stderr.contains("schedule: invalid format - unable to parse calendar event '0 2 * * *'"))
    #expect(
      run(state, ["pvesh", "create", "/cluster/backup", "--id", "j2", "--all", "1"]).stderr
        == "neither 'starttime' nor 'schedule' were set\n")
    #expect(
      run(state, base + ["--id", "j2", "--vmid", "10"]).stderr.contains(
        "vmid: value '10' does not look like a valid VM ID"))
    #expect(
      run(state, base + ["--id", "j2", "--notification-policy", "always"]).stderr.contains(
        "notification-policy: property is not defined in schema"))
    #expect(state.list("/cluster/backup").isEmpty)
    // PVE 8 knows notification-policy.
    let eight = try TinyCluster.state(major: 8)
    #expect(run(eight, base + ["--id", "j2", "--notification-policy", "always"]).exitCode == 0)
  }
}
