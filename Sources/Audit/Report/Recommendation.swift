import PVEModel

/// Section 10: what to do, one entry per rule with findings, most urgent first.
///
/// Horizon from the worst severity: critical and high → `immediate`, medium → `short-term`,
/// low and info → `medium-term`. Findings that are not scored (see `CategoryScore`) do not raise a
/// recommendation's severity unless the rule has no other findings.
package struct Recommendation: Sendable, Codable, Hashable {
  package var horizon: String
  package var severity: Severity
  package var rule: String
  /// The rule's advice line.
  package var advice: String
  /// Finding subjects (`ct:110`, `proxmox`), by severity then id.
  package var subjects: [String]
  package var remediation: Remediation

  static let horizons = ["immediate", "short-term", "medium-term"]

  static func all(_ findings: [Finding]) -> [Recommendation] {
    var byRule: [String: [Finding]] = [:]
    for f in findings { byRule[f.rule, default: []].append(f) }
    return byRule.map { rule, fs in
      // Local volumes of guests not yet HA-managed rank with the `ha.unprotected` they belong to,
      // not on their own (as in the scores).
      let scored = fs.filter(CategoryScore.isScored)
      let worst = (scored.isEmpty ? fs : scored).map(\.severity).min() ?? .info
      let horizon: String
      switch worst {
      case .critical, .high: horizon = "immediate"
      case .medium: horizon = "short-term"
      case .low, .info: horizon = "medium-term"
      }
      return Recommendation(
        horizon: horizon, severity: worst, rule: rule,
        advice: Auditor.advice(for: rule) ?? rule, subjects: fs.sorted().map(\.subject.id),
        remediation: fs[0].remediation)
    }.sorted { ($0.severity.rank, $0.rule) < ($1.severity.rank, $1.rule) }
  }
}
