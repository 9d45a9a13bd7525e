import PVEModel
import Playbook

/// The report's header: which cluster, when (the snapshot's `collectedAt`, never the clock), which
/// policy, and the findings by severity.
package struct ReportSummary: Sendable, Codable, Hashable {
  package var cluster: String
  package var collectedAt: String
  package var source: String
  package var policy: String
  package var nodes: [String]
  package var nodesOnline: Int
  /// Every guest, templates included.
  package var guests: Int
  package var templates: Int
  package var quorate: Bool
  /// PVE versions in use (`8.4.1`, `9.1.1`), sorted.
  package var pveVersions: [String]
  /// Severity → number of findings (every severity present, zero included).
  package var findingsBySeverity: [String: Int]

  init(context: AuditContext, findings: [Finding]) {
    let c = context.cluster
    cluster = c.name ?? c.nodes.first?.name ?? "standalone"
    collectedAt = c.collectedAt
    source = c.source
    policy = context.policy.name
    nodes = c.nodes.map(\.name)
    nodesOnline = c.nodes.filter(\.online).count
    guests = c.guests.count
    templates = c.guests.count - context.guests.count
    quorate = c.quorum.quorate
    var versions = Set(c.nodes.compactMap { $0.version?.description })
    if versions.isEmpty, let v = c.version { versions.insert(v.description) }
    pveVersions = versions.sorted {
      (PVEVersion(parsing: $0) ?? .zero) < (PVEVersion(parsing: $1) ?? .zero)
    }
    var counts: [String: Int] = [:]
    for s in Severity.allCases { counts[s.rawValue] = 0 }
    for f in findings { counts[f.severity.rawValue, default: 0] += 1 }
    findingsBySeverity = counts
  }

  /// `2 critical, 5 high, 3 medium` (zero counts left out).
  package var findingsText: String {
    let parts = Severity.allCases.compactMap { s -> String? in
      let n = findingsBySeverity[s.rawValue] ?? 0
      return n > 0 ? "\(n) \(s.rawValue)" : nil
    }
    return parts.isEmpty ? "none" : parts.joined(separator: ", ")
  }
}

extension PVEVersion {
  static let zero = PVEVersion(major: 0, minor: 0, patch: 0)
}
