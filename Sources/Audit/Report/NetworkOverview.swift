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

  package var quorum: QuorumFigures
  package var configVersion: Int?
  package var haMaster: String?
  package var haQuorate: Bool?
  package var members: [Member]
  /// Whether every node runs the same PVE major version.
  package var uniformVersion: Bool

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
  }
}
