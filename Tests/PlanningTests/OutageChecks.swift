import PVEModel
import Planning

/// Issue 11's properties of a plan: no guest has more than one outage, no guest migrates twice,
/// and the summary's outage figures agree with the steps.
enum OutageChecks {
  /// The guest a step acts on: its guest-on-node effect, else its first condition naming one.
  static func guest(of step: Step) -> String? {
    step.effects.first { $0.kind == .guestOnNode }?.sid
      ?? (step.effects + step.preconditions).compactMap(\.sid).first
  }

  static func problems(_ plan: Plan) -> [String] {
    var outages: [String: Int] = [:]
    var seconds = 0
    var migrations: [String: Int] = [:]
    for step in plan.steps {
      if step.downtime.seconds > 0, let sid = guest(of: step) {
        outages[sid, default: 0] += 1
        seconds += step.downtime.seconds
      }
      if step.commands.contains(where: \.isMigration), let sid = guest(of: step) {
        migrations[sid, default: 0] += 1
      }
    }
    var out: [String] = []
    for (sid, n) in outages.sorted(by: { $0.key < $1.key }) where n > 1 {
      out.append("\(sid) has \(n) outages")
    }
    for (sid, n) in migrations.sorted(by: { $0.key < $1.key }) where n > 1 {
      out.append("\(sid) migrates \(n) times")
    }
    let s = plan.summary
    if s.outages != outages.values.reduce(0, +) {
      out.append(
        "summary says \(s.outages ?? -1) outages, the steps \(outages.values.reduce(0, +))")
    }
    if s.outageSeconds != seconds {
      out.append("summary outage seconds \(s.outageSeconds ?? -1) ≠ \(seconds)")
    }
    if (s.outagesByGuest ?? [:]) != outages { out.append("summary outages per guest differ") }
    if s.migrations != migrations.values.reduce(0, +) {
      out.append(
        "summary says \(s.migrations) migrations, the steps \(migrations.values.reduce(0, +))")
    }
    return out
  }
}
