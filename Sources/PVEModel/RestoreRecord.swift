/// What one restore test proved about one guest (issue 15 part 3): read from a `pvemend
/// restore-test` run's journal, read by `audit --restore-tests` (the measured RTO table and the
/// disaster-recovery score) and by `runbook` (measured restore times).
///
/// Times are seconds as the executor measured them; `testedAt` is the journal's RFC 3339 time of
/// the restore step. Sorted by VMID, then `testedAt`.
package struct RestoreRecord: Sendable, Hashable, Codable, Comparable {
  /// How the test ended.
  package enum Verdict: String, Sendable, Hashable, Codable {
    /// Restored, started (networks cut), answered the agent where enabled, destroyed.
    case passed
    /// A step failed: the restore, the start or the agent wait (`detail` says which and why).
    case failed
    /// The run stopped before the verdict (interrupted, or a later step never ran).
    case incomplete
  }

  /// The original guest.
  package var vmid: Int
  package var kind: GuestKind?
  package var name: String?
  /// The archive restored (`pbs01:backup/vm/114/2025-11-08T02:00:00Z`).
  package var backupVolid: String
  /// The archive's creation time (seconds since 1970) and size in bytes, when the plan knew them.
  package var backupTime: Int64?
  package var backupSize: Int64?
  /// The node and scratch VMID it was restored to.
  package var node: String
  package var scratchVMID: Int
  /// RFC 3339 time the restore step started.
  package var testedAt: String
  /// Seconds the restore took; seconds from the start command until the guest ran (and answered
  /// its agent where enabled). Nil when that step did not succeed.
  package var restoreSeconds: Double?
  package var bootSeconds: Double?
  package var verdict: Verdict
  /// Why a test failed or is incomplete, one line.
  package var detail: String?

  package init(
    vmid: Int, kind: GuestKind?, name: String?, backupVolid: String, backupTime: Int64?,
    backupSize: Int64?, node: String, scratchVMID: Int, testedAt: String,
    restoreSeconds: Double?, bootSeconds: Double?, verdict: Verdict, detail: String?
  ) {
    self.vmid = vmid
    self.kind = kind
    self.name = name
    self.backupVolid = backupVolid
    self.backupTime = backupTime
    self.backupSize = backupSize
    self.node = node
    self.scratchVMID = scratchVMID
    self.testedAt = testedAt
    self.restoreSeconds = restoreSeconds
    self.bootSeconds = bootSeconds
    self.verdict = verdict
    self.detail = detail
  }

  /// Restore plus boot: the measured time to recover, when both were measured.
  package var recoverySeconds: Double? {
    guard let restoreSeconds, let bootSeconds else { return nil }
    return restoreSeconds + bootSeconds
  }

  package static func < (a: RestoreRecord, b: RestoreRecord) -> Bool {
    (a.vmid, a.testedAt, a.backupVolid) < (b.vmid, b.testedAt, b.backupVolid)
  }
}

extension RestoreRecord {
  /// The newest record of each guest (by `testedAt` as a moment; ties: the greater record),
  /// sorted by VMID: what `audit --restore-tests` shows when several journals test one guest.
  package static func newestPerGuest(_ records: [RestoreRecord]) -> [RestoreRecord] {
    var newest: [Int: (Int64, RestoreRecord)] = [:]
    for r in records {
      let t = UTCDate.epoch(rfc3339: r.testedAt) ?? Int64.min
      if let have = newest[r.vmid], have.0 > t || (have.0 == t && have.1 >= r) { continue }
      newest[r.vmid] = (t, r)
    }
    return newest.values.map(\.1).sorted()
  }
}
