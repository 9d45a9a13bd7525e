import PVEModel

/// Section 9: one failure and what it costs: which HA guests restart elsewhere (about 2–5 minutes:
/// fencing, then restart), which guests stay down, and the recovery time to expect.
package struct RecoveryScenario: Sendable, Codable, Hashable {
  /// `node`, `storage-server` or `service`.
  package var kind: String
  /// The node, server or guest that fails.
  package var subject: String
  /// `2–5 min`, `manual`, `hours–days`.
  package var rto: String
  /// HA guests that restart on another node (`name (sid)`).
  package var restarted: [String]
  /// Guests that stay down until someone acts.
  package var down: [String]
  /// HA guests that cannot restart elsewhere (node-local volumes or no room).
  package var haNotRecovered: [String]
  /// One line for the table.
  package var impact: String

  static let haRTO = "2–5 min"

  /// Each online node's failure as the rehearsal plays it out (`AuditContext.failover`).
  /// With restore tests (`measured`), the guests that stay down also show what restoring them
  /// from backup took when tested, and how many are untested.
  static func all(_ context: AuditContext, measured: MeasuredRecovery? = nil) -> [RecoveryScenario]
  {
    func withRestore(_ rto: String, _ guests: [Guest]) -> String {
      guard let measured, !guests.isEmpty else { return rto }
      return rto + "; "
        + (measured.restoreText(guests) ?? "restore from backup untested")
    }
    var out: [RecoveryScenario] = []
    for n in context.onlineNodes {
      guard let outcome = context.failover[n.name] else { continue }
      func label(_ sid: String, _ name: String) -> String {
        context.guestBySID[sid].map(AuditContext.label) ?? "\(name) (\(sid))"
      }
      let downGuests = (outcome.down.map(\.sid) + outcome.failed.map(\.sid)).compactMap {
        context.guestBySID[$0]
      }
      let restarted = outcome.recovered.filter(\.started).map { label($0.sid, $0.name) }
      let notRecovered = outcome.failed.map { label($0.sid, $0.name) }
      let down = outcome.down.map { label($0.sid, $0.name) }
      var parts: [String] = []
      if !outcome.quorate { parts.append("quorum lost: HA recovers nothing") }
      if !restarted.isEmpty { parts.append("\(restarted.count) HA guest(s) restart elsewhere") }
      if !notRecovered.isEmpty {
        parts.append("\(notRecovered.count) HA guest(s) cannot restart elsewhere")
      }
      if !down.isEmpty { parts.append("\(down.count) non-HA guest(s) down") }
      let overloaded = outcome.overloadedByRecovery.map(\.node)
      if !overloaded.isEmpty {
        parts.append("\(overloaded.joined(separator: ", ")) over the ceilings after recovery")
      }
      if parts.isEmpty { parts.append("no running guests affected") }
      let rto =
        down.isEmpty && notRecovered.isEmpty
        ? (restarted.isEmpty ? "none" : haRTO)
        : (restarted.isEmpty ? "manual (node repair)" : "\(haRTO) for HA; manual for the rest")
      out.append(
        RecoveryScenario(
          kind: "node", subject: n.name, rto: withRestore(rto, downGuests), restarted: restarted,
          down: down,
          haNotRecovered: notRecovered, impact: parts.joined(separator: "; ")))
    }
    // Nodes already offline: their non-HA guests are down now.
    for n in context.cluster.nodes where !n.online {
      let listed = context.guests(on: n.name).filter { !context.isHARecovered($0) }.map(
        AuditContext.label)
      out.append(
        RecoveryScenario(
          kind: "node", subject: n.name, rto: "now (offline)", restarted: [], down: listed,
          haNotRecovered: [],
          impact: "offline now; \(listed.count) non-HA guest(s) listed on it are down"))
    }
    // Each server behind shared guest storage.
    let sharedPools = context.cluster.storages.filter {
      $0.shared && !$0.disabled && ($0.content.contains("images") || $0.content.contains("rootdir"))
    }
    var poolsByServer: [String: Set<String>] = [:]
    for s in sharedPools {
      if let server = s.server { poolsByServer[server, default: []].insert(s.id) }
    }
    let allShared = sharedPools.allSatisfy { $0.server != nil } && poolsByServer.count == 1
    for server in poolsByServer.keys.sorted() {
      let pools = poolsByServer[server] ?? []
      let hitGuests = context.guests.filter { g in
        g.isRunning && g.disks.contains { d in d.storage.map(pools.contains) ?? false }
      }
      let hit = hitGuests.map(AuditContext.label)
      let scope =
        allShared
        ? "all shared storage lost" : "pool(s) \(pools.sorted().joined(separator: ", ")) lost"
      out.append(
        RecoveryScenario(
          kind: "storage-server", subject: server, rto: withRestore("hours–days", hitGuests),
          restarted: [], down: hit,
          haNotRecovered: [],
          impact: "\(scope); \(hit.count) running guest(s) down, HA cannot help"))
    }
    // Each critical guest without HA that the policy wants protected.
    for g in context.guests where context.wantsHA(g) && !context.isHAManaged(g) {
      let purpose = context.criticality(of: g)?.purpose.map { ": \($0)" } ?? ""
      out.append(
        RecoveryScenario(
          kind: "service", subject: AuditContext.label(g), rto: withRestore("manual", [g]),
          restarted: [],
          down: [AuditContext.label(g)], haNotRecovered: [],
          impact: "down until restarted by hand\(purpose)"))
    }
    return out
  }
}
