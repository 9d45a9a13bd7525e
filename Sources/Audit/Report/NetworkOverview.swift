import PVEModel

/// Section 6: quorum arithmetic, corosync config version, HA manager, and each member.
package struct NetworkOverview: Sendable, Codable, Hashable {
  /// One cluster member.
  package struct Member: Sendable, Codable, Hashable {
    package var node: String
    package var online: Bool
    package var ip: String?
    package var pveVersion: String?
    /// HA's view of the node (`online`, `maintenance`, …).
    package var haState: String?
  }

  /// Guests the policy calls critical, grouped by purpose (DNS, DHCP, …): what the network and
  /// its users depend on, and whether HA protects each.
  package struct Dependency: Sendable, Codable, Hashable {
    package var purpose: String
    /// `name (sid)` of each guest, by VMID.
    package var guests: [String]
    /// Whether HA manages each guest (same order).
    package var haManaged: [Bool]
  }

  package var quorum: QuorumFigures
  package var configVersion: Int?
  package var haMaster: String?
  package var haQuorate: Bool?
  package var members: [Member]
  /// Whether every node runs the same PVE major version.
  package var uniformVersion: Bool
  /// Critical services by purpose, sorted by purpose.
  package var dependencies: [Dependency]

  init(context: AuditContext) {
    let c = context.cluster
    quorum = QuorumFigures(c)
    configVersion = c.quorum.configVersion
    haMaster = c.haManager.master
    haQuorate = c.haManager.quorate
    members = c.nodes.map {
      Member(
        node: $0.name, online: $0.online, ip: $0.ip, pveVersion: $0.version?.description,
        haState: $0.haState)
    }
    uniformVersion = Set(c.nodes.compactMap { $0.version?.major }).count <= 1
    var byPurpose: [String: Dependency] = [:]
    for g in context.guests {
      guard let entry = context.criticality(of: g) else { continue }
      let purpose = entry.purpose ?? entry.level.rawValue
      byPurpose[purpose, default: Dependency(purpose: purpose, guests: [], haManaged: [])].guests
        .append(AuditContext.label(g))
      byPurpose[purpose]?.haManaged.append(context.isHAManaged(g))
    }
    dependencies = byPurpose.keys.sorted().compactMap { byPurpose[$0] }
  }
}
