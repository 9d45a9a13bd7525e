import PVEModel

/// One row of storage figures: a shared pool once, or a node-local pool on one node.
///
/// This is how pvemend counts storage: a shared pool that every node lists is one pool (the seed
/// report counted it once per node and got 9.45 TB instead of about 4.42 TB).
package struct PoolFigures: Sendable, Codable, Hashable {
  package var storage: String
  /// The node of a local pool; nil for a shared pool.
  package var node: String?
  package var type: String
  package var shared: Bool
  package var server: String?
  package var content: [String]
  package var total: Int64
  package var used: Int64
  package var available: Int64

  /// `TrueNas_NVMe` for a shared pool, `local-lvm@proxmox` for a local one (finding subjects).
  package var key: String { node.map { "\(storage)@\($0)" } ?? storage }
  package var usage: Double { Figure.share(Double(used), of: Double(total)) }
  /// Holds guest volumes (content `images` or `rootdir`).
  package var holdsGuests: Bool { content.contains("images") || content.contains("rootdir") }
}

extension AuditContext {
  /// Every enabled pool with figures, shared pools once, local pools per node; sorted by storage
  /// then node. Pools no node reports (offline, inactive) have zero figures and are left out.
  package var poolFigures: [PoolFigures] {
    var rows: [PoolFigures] = []
    for s in cluster.storages where !s.disabled {
      if s.shared {
        guard s.total > 0 else { continue }
        rows.append(
          PoolFigures(
            storage: s.id, node: nil, type: s.type, shared: true, server: s.server,
            content: s.content, total: s.total, used: s.used, available: s.available))
      } else {
        for p in s.perNode where p.enabled && p.total > 0 {
          rows.append(
            PoolFigures(
              storage: s.id, node: p.node, type: s.type, shared: false, server: s.server,
              content: s.content, total: p.total, used: p.used, available: p.available))
        }
      }
    }
    return rows
  }
}
