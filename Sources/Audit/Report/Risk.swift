import PVEModel

/// Section 13: one row of the risk matrix.
///
/// Priority: P1 when the impact is critical, or likelihood high with impact high; P2 when the impact
/// is high, or likelihood medium or high with impact medium; P3 otherwise.
package struct Risk: Sendable, Codable, Hashable {
  /// Low, medium, high.
  package enum Likelihood: String, Sendable, Codable, Hashable {
    case low, medium, high
    var rank: Int { self == .low ? 1 : self == .medium ? 2 : 3 }
  }
  /// Low, medium, high, critical.
  package enum Impact: String, Sendable, Codable, Hashable {
    case low, medium, high, critical
    var rank: Int { self == .low ? 1 : self == .medium ? 2 : self == .high ? 3 : 4 }
  }

  package var risk: String
  package var likelihood: Likelihood
  package var impact: Impact
  /// `P1`, `P2`, `P3`.
  package var priority: String
  /// The findings behind it.
  package var findings: [String]

  init(_ risk: String, _ likelihood: Likelihood, _ impact: Impact, findings: [String]) {
    self.risk = risk
    self.likelihood = likelihood
    self.impact = impact
    self.findings = findings.sorted()
    switch (likelihood, impact) {
    case (_, .critical), (.high, .high): priority = "P1"
    case (_, .high), (.medium, .medium), (.high, .medium): priority = "P2"
    default: priority = "P3"
    }
  }

  static func all(_ findings: [Finding], context: AuditContext) -> [Risk] {
    var risks: [Risk] = []
    var byRule: [String: [Finding]] = [:]
    for f in findings { byRule[f.rule, default: []].append(f) }
    func ids(_ rule: String, _ subject: String? = nil) -> [String] {
      (byRule[rule] ?? []).filter { subject == nil || $0.subject.id == subject }.map(\.id)
    }

    // A critical service without HA fails on its own or with its node.
    for f in byRule[HAUnprotected.id] ?? [] {
      guard let g = context.guestBySID[f.subject.id] else { continue }
      let impact: Impact =
        f.severity == .critical ? .critical : f.severity == .high ? .high : .medium
      risks.append(Risk("\(AuditContext.label(g)) failure", .medium, impact, findings: [f.id]))
    }

    // Each node failing.
    var unprotectedOn: [String: [Finding]] = [:]
    for f in byRule[HAUnprotected.id] ?? [] {
      if let g = context.guestBySID[f.subject.id] { unprotectedOn[g.node, default: []].append(f) }
    }
    for n in context.onlineNodes {
      let unprotected = unprotectedOn[n.name] ?? []
      let loaded = ids(NodeOvercommit.id, n.name) + ids(NodeMemory.id, n.name)
      let noRoom = ids(HAFailoverCapacity.id, n.name)
      let reasons = ids(NodeSmall.id, n.name) + loaded + noRoom + unprotected.map(\.id)
      let worst = unprotected.map(\.severity).min()
      // The rehearsal of this node's failure: HA guests that do not come back (any reason) and
      // how critical they are, and whether any running guest goes down.
      let outcome = context.failover[n.name]
      let lostLevels = (outcome?.failed ?? []).compactMap {
        context.criticalityBySID[$0.sid]?.level
      }
      let lostHA = !(outcome?.failed.isEmpty ?? true)
      let downs =
        !(outcome?.down.isEmpty ?? true)
        || context.guests(on: n.name).contains { $0.isRunning && !context.isHARecovered($0) }
      let impact: Impact
      if worst == .critical || lostLevels.contains(.critical) {
        impact = .critical
      } else if worst == .high || !noRoom.isEmpty || lostHA {
        impact = .high
      } else if downs {
        impact = .medium
      } else {
        impact = .low
      }
      risks.append(
        Risk("\(n.name) node failure", loaded.isEmpty ? .low : .medium, impact, findings: reasons))
    }

    // Shared storage servers.
    for f in byRule[StorageSingleServer.id] ?? [] {
      risks.append(
        Risk("storage server \(f.subject.id) failure", .low, .critical, findings: [f.id]))
    }

    // Data loss.
    if let f = byRule[BackupNone.id]?.first {
      risks.append(Risk("data loss (no backups)", .medium, .critical, findings: [f.id]))
    } else if let fs = byRule[BackupUncovered.id], !fs.isEmpty {
      risks.append(
        Risk("data loss (\(fs.count) guest(s) without backup)", .low, .high, findings: fs.map(\.id))
      )
    }
    if let f = byRule[BackupOffsite.id]?.first, byRule[BackupNone.id] == nil {
      risks.append(Risk("backups lost with their only target", .low, .high, findings: [f.id]))
    }
    for f in byRule[BackupTargetFull.id] ?? [] {
      risks.append(
        Risk("backups fail on full target \(f.subject.id)", .high, .medium, findings: [f.id]))
    }

    // Quorum.
    if let f = byRule[QuorumLost.id]?.first {
      risks.append(Risk("cluster without quorum", .high, .critical, findings: [f.id]))
    } else if let f = byRule[QuorumFragile.id]?.first {
      risks.append(
        Risk("quorum loss on one more node failure", .medium, .critical, findings: [f.id]))
    }

    // Storage filling up.
    for f in byRule[StorageUsage.id] ?? [] {
      risks.append(
        Risk(
          "storage \(f.subject.id) full", f.severity == .high ? .high : .medium, .high,
          findings: [f.id]))
    }

    let order = ["P1", "P2", "P3"]
    return risks.sorted {
      (order.firstIndex(of: $0.priority) ?? 3, -$0.impact.rank, -$0.likelihood.rank, $0.risk)
        < (order.firstIndex(of: $1.priority) ?? 3, -$1.impact.rank, -$1.likelihood.rank, $1.risk)
    }
  }
}
