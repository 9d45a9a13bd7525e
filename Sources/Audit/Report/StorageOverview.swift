import PVEModel

/// Section 5: every pool with its figures and the cluster totals, shared pools counted once.
package struct StorageOverview: Sendable, Codable, Hashable {
  package var pools: [PoolFigures]
  /// Sum over `pools`: each shared pool once, each node's local pool once.
  package var total: Int64
  package var used: Int64
  package var available: Int64
  package var usage: Double
  /// What summing every node's `/nodes/<node>/storage` list gives: shared pools once per node.
  /// Shown only to explain why such totals (the seed's 9.45 TB) are wrong.
  package var listedPerNodeTotal: Int64
  package var listedPerNodeUsed: Int64
  /// Servers behind shared pools (NFS, CIFS, PBS), sorted.
  package var sharedServers: [String]
  /// Node → total of its local pools that hold guest volumes.
  package var localGuestStorage: [String: Int64]

  init(context: AuditContext) {
    pools = context.poolFigures
    total = pools.reduce(0) { $0 + $1.total }
    used = pools.reduce(0) { $0 + $1.used }
    available = pools.reduce(0) { $0 + $1.available }
    usage = Figure.round(Figure.share(Double(used), of: Double(total)), 3)
    var listedTotal: Int64 = 0
    var listedUsed: Int64 = 0
    for s in context.cluster.storages where !s.disabled {
      for p in s.perNode where p.enabled {
        listedTotal += p.total
        listedUsed += p.used
      }
    }
    listedPerNodeTotal = listedTotal
    listedPerNodeUsed = listedUsed
    sharedServers = Array(
      Set(context.cluster.storages.filter { $0.shared && !$0.disabled }.compactMap(\.server))
    ).sorted()
    var local: [String: Int64] = [:]
    for p in pools where !p.shared && p.holdsGuests {
      if let n = p.node { local[n, default: 0] += p.total }
    }
    localGuestStorage = local
  }
}
