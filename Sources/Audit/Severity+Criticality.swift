import Playbook

extension Severity {
  /// The severity a guest finding gets from the policy's criticality level (critical → critical, …).
  package init(_ level: CriticalityLevel) {
    switch level {
    case .critical: self = .critical
    case .high: self = .high
    case .medium: self = .medium
    case .low: self = .low
    }
  }

  /// The more severe of two severities.
  package static func worst(_ a: Severity, _ b: Severity) -> Severity { a.rank <= b.rank ? a : b }

  /// Upper-case name for the terminal report (`CRITICAL`).
  package var label: String { rawValue.uppercased() }
}
