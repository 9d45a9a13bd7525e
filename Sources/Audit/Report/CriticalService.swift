import PVEModel

/// Section 4: a guest the policy calls critical that HA does not manage.
package struct CriticalService: Sendable, Codable, Hashable {
  package var sid: String
  package var vmid: Int
  package var name: String
  package var node: String
  package var status: String
  /// The policy's level: `critical`, `high`, `medium`, `low`.
  package var level: String
  package var purpose: String?
  /// Whether the policy's `ha.levels` include this level (then `ha.unprotected` reports it).
  package var policyWantsHA: Bool
  /// Volumes on node-local storage that must move before HA can protect it.
  package var localVolumes: Int

  /// Every policy-critical guest without HA, most critical first, then by VMID.
  static func all(_ context: AuditContext) -> [CriticalService] {
    context.guests.compactMap { g -> (Int, CriticalService)? in
      guard let entry = context.criticality(of: g), !context.isHAManaged(g) else { return nil }
      return (
        entry.level.rank,
        CriticalService(
          sid: g.sid, vmid: g.vmid, name: g.name, node: g.node, status: g.status,
          level: entry.level.rawValue, purpose: entry.purpose,
          policyWantsHA: context.policy.ha.levels.contains(entry.level),
          localVolumes: context.localVolumes(of: g).count)
      )
    }.sorted { ($0.0, $0.1.vmid) < ($1.0, $1.1.vmid) }.map(\.1)
  }
}
