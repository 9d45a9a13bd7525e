import PVEModel

/// Section 12: one health category's score, 0…10.
///
/// The formula (deterministic, from the findings alone):
/// - a severity weighs critical 3, high 2, medium 1, low 0.5, info 0;
/// - each rule with findings in the category costs the weight of its worst finding plus 0.25 per
///   further finding, at most twice the worst weight (so 10,000 uncovered guests cost no more than
///   a handful);
/// - the category scores 10 minus its costs, at least 0, rounded to one decimal;
/// - the overall score is the mean of the six categories, rounded to one decimal.
///
/// `ha.local-storage` findings of guests not HA-managed yet are not scored: moving their volumes is
/// part of fixing their `ha.unprotected` finding, which is scored.
package struct CategoryScore: Sendable, Codable, Hashable {
  package var category: ScoreCategory
  package var score: Double
  package var findings: Int

  static func weight(_ s: Severity) -> Double {
    switch s {
    case .critical: 3
    case .high: 2
    case .medium: 1
    case .low: 0.5
    case .info: 0
    }
  }

  /// The cost of one rule's findings.
  static func cost(_ findings: [Finding]) -> Double {
    guard let worst = findings.map(\.severity).min() else { return 0 }
    let w = weight(worst)
    return min(w + 0.25 * Double(findings.count - 1), 2 * w)
  }

  /// With restore tests (`measured`), disaster recovery also gains `measured.scoreBonus` (the
  /// share of critical guests with a recent passed test, times `MeasuredRecovery.bonusWeight`),
  /// at most 10.
  static func all(_ findings: [Finding], measured: MeasuredRecovery? = nil) -> [CategoryScore] {
    var byRule: [String: [Finding]] = [:]
    for f in findings where isScored(f) { byRule[f.rule, default: []].append(f) }
    return ScoreCategory.allCases.map { category in
      var cost = 0.0
      var count = 0
      for rule in byRule.keys.sorted() where Auditor.category(of: rule) == category {
        let fs = byRule[rule] ?? []
        cost += Self.cost(fs)
        count += fs.count
      }
      let bonus = category == .disasterRecovery ? (measured?.scoreBonus ?? 0) : 0
      return CategoryScore(
        category: category, score: Figure.round(min(10, max(0, 10 - cost) + bonus), 1),
        findings: count)
    }
  }

  static func isScored(_ f: Finding) -> Bool {
    !(f.rule == HALocalStorage.id && f.evidence["haManaged"] == .bool(false))
  }

  static func overall(_ scores: [CategoryScore]) -> Double {
    guard !scores.isEmpty else { return 10 }
    return Figure.round(scores.reduce(0) { $0 + $1.score } / Double(scores.count), 1)
  }

  /// `Excellent` (≥ 9), `Good` (≥ 7.5), `Fair` (≥ 5), `Poor` (≥ 3), `Critical`.
  package static func status(_ score: Double) -> String {
    switch score {
    case 9...: "Excellent"
    case 7.5..<9: "Good"
    case 5..<7.5: "Fair"
    case 3..<5: "Poor"
    default: "Critical"
    }
  }
}
