import PVEModel

/// Section 3: the HA resources, how they are spread over the nodes, and who is CRM master.
package struct HAOverview: Sendable, Codable, Hashable {
  /// One HA resource.
  package struct Service: Sendable, Codable, Hashable {
    package var sid: String
    package var vmid: Int
    /// The guest's name; nil for an orphan resource.
    package var name: String?
    /// Where the CRM sees it (or where the guest is).
    package var node: String?
    /// The live HA state (`started`, `error`, …).
    package var state: String
    /// The requested state in `resources.cfg`.
    package var requested: String
    /// `group prefer_pve1` or `rule ha-group-x`, if placed.
    package var placement: String?
    /// The policy's criticality level of the guest, if any.
    package var level: String?
    /// Volumes on node-local storage (HA cannot recover them).
    package var localVolumes: Int
  }

  /// One node's HA share.
  package struct NodeRow: Sendable, Codable, Hashable {
    package var node: String
    /// HA-managed guests on the node.
    package var ha: Int
    /// Running guests HA does not manage.
    package var nonHA: Int
    /// ha / (ha + nonHA), 0…1.
    package var haShare: Double
  }

  package var services: [Service]
  package var perNode: [NodeRow]
  package var master: String?
  /// `rules` (PVE 9), `groups` (PVE 8 or unmigrated 9).
  package var placementMode: String
  package var groups: Int
  package var rules: Int

  init(context: AuditContext) {
    let c = context.cluster
    services = c.haResources.map { r in
      let g = context.guestBySID[r.sid]
      let live = c.haManager.services[r.sid]
      return Service(
        sid: r.sid, vmid: r.vmid, name: g?.name, node: live?.node ?? g?.node,
        state: live?.state ?? g?.haState ?? r.state, requested: r.state,
        placement: context.haPlacement[r.sid],
        level: context.criticalityBySID[r.sid]?.level.rawValue,
        localVolumes: g.map { context.localVolumes(of: $0).count } ?? 0)
    }
    perNode = c.nodes.map { n in
      var ha = 0
      var non = 0
      for g in context.guests(on: n.name) {
        if context.isHAManaged(g) {
          ha += 1
        } else if g.isRunning {
          non += 1
        }
      }
      return NodeRow(
        node: n.name, ha: ha, nonHA: non,
        haShare: Figure.round(Figure.share(Double(ha), of: Double(ha + non)), 3))
    }
    master = c.haManager.master
    placementMode = c.usesHARules ? "rules" : "groups"
    groups = c.haGroups?.count ?? 0
    rules = c.haRules?.count ?? 0
  }
}
