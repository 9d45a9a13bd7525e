import PVEModel

/// Section 9b: recovery as restore tests measured it (`audit --restore-tests`, issue 15 part 3).
///
/// One row per critical guest and per guest with a record: its newest test's verdict, the age and
/// size of the backup it restored, the restore and boot seconds; `untested` where no test exists.
///
/// The disaster-recovery score counts tested recoveries (docs/restore-tests.md):
/// `tested share` = critical guests whose newest test passed within `maxAgeDays` of the snapshot,
/// divided by the critical guests (0 when the policy names none); the category scores its
/// findings' score plus `bonusWeight × tested share`, at most 10. Failed and incomplete tests are
/// `restore.failed` findings and cost like any other finding.
package struct MeasuredRecovery: Sendable, Codable, Hashable {
  /// A passed test older than this (days before the snapshot) no longer counts as tested.
  package static let maxAgeDays = 30
  /// Points the disaster-recovery category gains when every critical guest is tested.
  package static let bonusWeight = 3.0

  package struct Row: Sendable, Codable, Hashable {
    /// `name (sid)`, or `VMID <n>` for a guest the snapshot no longer has.
    package var guest: String
    package var vmid: Int
    /// The policy's criticality level, if any.
    package var level: String?
    /// `passed`, `failed`, `incomplete` or `untested`.
    package var verdict: String
    /// RFC 3339 time of the test's restore step.
    package var testedAt: String?
    /// Seconds from the backup's creation to the test.
    package var backupAgeSeconds: Int64?
    package var backupSize: Int64?
    package var restoreSeconds: Double?
    package var bootSeconds: Double?
    package var totalSeconds: Double?
    /// A passed test older than `maxAgeDays` at the snapshot's time.
    package var stale: Bool
    package var detail: String?
  }

  package var rows: [Row]
  package var criticalGuests: Int
  /// Critical guests whose newest test passed within `maxAgeDays`.
  package var criticalTested: Int
  /// `criticalTested / criticalGuests` (0 without critical guests), 3 decimals.
  package var testedShare: Double
  /// What the disaster-recovery category gains: `bonusWeight × testedShare`, 1 decimal.
  package var scoreBonus: Double
  package var maxAgeDays: Int

  init(context: AuditContext, records: [RestoreRecord]) {
    let now = UTCDate.epoch(rfc3339: context.cluster.collectedAt)
    var byVMID: [Int: RestoreRecord] = [:]
    for r in records { byVMID[r.vmid] = r }
    let critical = context.guests.filter { context.criticality(of: $0) != nil }
    let criticalVMIDs = Set(critical.map(\.vmid))
    let vmids = criticalVMIDs.union(byVMID.keys).sorted()
    var rows: [Row] = []
    var tested = 0
    for vmid in vmids {
      let guest = context.guestsByVMID[vmid]?.first
      let label =
        guest.map(AuditContext.label) ?? byVMID[vmid].flatMap { r in
          r.name.map { "\($0) (VMID \(vmid))" }
        }
        ?? "VMID \(vmid)"
      let level = guest.flatMap { context.criticality(of: $0)?.level.rawValue }
      guard let r = byVMID[vmid] else {
        rows.append(
          Row(
            guest: label, vmid: vmid, level: level, verdict: "untested", testedAt: nil,
            backupAgeSeconds: nil, backupSize: nil, restoreSeconds: nil, bootSeconds: nil,
            totalSeconds: nil, stale: false, detail: nil))
        continue
      }
      let at = UTCDate.epoch(rfc3339: r.testedAt)
      let age = zip2(at, r.backupTime).map { $0.0 - $0.1 }
      let stale =
        zip2(now, at).map { $0.0 - $0.1 > Int64(Self.maxAgeDays) * 86_400 } ?? false
      if r.verdict == .passed, !stale, criticalVMIDs.contains(vmid) { tested += 1 }
      rows.append(
        Row(
          guest: label, vmid: vmid, level: level, verdict: r.verdict.rawValue,
          testedAt: r.testedAt, backupAgeSeconds: age, backupSize: r.backupSize,
          restoreSeconds: r.restoreSeconds.map { Figure.round($0, 1) },
          bootSeconds: r.bootSeconds.map { Figure.round($0, 1) },
          totalSeconds: r.recoverySeconds.map { Figure.round($0, 1) }, stale: stale,
          detail: r.detail.map { DisplayText.oneLine($0, limit: 200) }))
    }
    self.rows = rows
    criticalGuests = critical.count
    criticalTested = tested
    let share = critical.isEmpty ? 0 : Double(tested) / Double(critical.count)
    testedShare = Figure.round(share, 3)
    scoreBonus = Figure.round(Self.bonusWeight * share, 1)
    maxAgeDays = Self.maxAgeDays
  }

  /// The row of a guest with a passed, measured test.
  func measured(_ vmid: Int) -> Row? {
    rows.first { $0.vmid == vmid && $0.verdict == "passed" && $0.totalSeconds != nil }
  }

  /// What restoring these guests from backup takes, one after another, as measured: `measured
  /// 6 min 40 s for 2 of 3 guests; 1 untested`; nil when none of them was tested.
  func restoreText(_ guests: [Guest]) -> String? {
    let times = guests.compactMap { measured($0.vmid)?.totalSeconds }
    guard !times.isEmpty else { return nil }
    let untested = guests.count - times.count
    return "restore from backup measured \(Elapsed.duration(times.reduce(0, +)))"
      + (guests.count > 1 ? " for \(times.count) of \(guests.count) guests in turn" : "")
      + (untested > 0 ? "; \(untested) untested" : "")
  }
}

private func zip2(_ a: Int64?, _ b: Int64?) -> (Int64, Int64)? {
  guard let a, let b else { return nil }
  return (a, b)
}
