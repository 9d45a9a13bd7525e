import PVEModel

/// Section 11: what the cluster has, what it has promised, what N+1 keeps back, and what is left.
///
/// Promised = running and onboot guests (templates never). The HA reserve is the memory of the
/// largest set of HA guests one node carries: what the others must keep free for N+1.
package struct CapacityOverview: Sendable, Codable, Hashable {
  package var cores: Int
  /// vCPUs of running and onboot guests.
  package var vcpus: Int
  package var vcpuPerCore: Double
  /// CPU load across the online nodes, weighted by cores, 0…1.
  package var cpuUsage: Double
  package var memoryTotal: Int64
  /// Memory the nodes use now.
  package var memoryUsed: Int64
  /// Memory configured for running and onboot guests.
  package var memoryPromised: Int64
  /// The policy's per-node reserve × online nodes.
  package var memoryReserve: Int64
  /// Memory to keep free for the HA guests of the node with most HA memory.
  package var haReserve: Int64
  /// total − promised − reserve − HA reserve (negative when over-promised).
  package var memoryAvailable: Int64
  package var storageTotal: Int64
  package var storageUsed: Int64
  package var storageAvailable: Int64
  /// Each online node's failure, played out as Proxmox's HA stack would (`Rehearse`).
  package var failover: [Failover]
  /// Whether every single node failure is survivable: HA brings back every HA guest and every
  /// survivor stays within the playbook's ceilings.
  package var nPlusOne: Bool

  init(context: AuditContext, storage: StorageOverview) {
    let online = context.onlineNodes
    cores = online.reduce(0) { $0 + $1.cores }
    vcpus = online.reduce(0) { $0 + (context.claimedVCPUs[$1.name] ?? 0) }
    vcpuPerCore = Figure.round(Figure.share(Double(vcpus), of: Double(cores)), 2)
    cpuUsage = Figure.round(
      Figure.share(online.reduce(0.0) { $0 + $1.cpuUsage * Double($1.cores) }, of: Double(cores)), 3
    )
    memoryTotal = online.reduce(0) { $0 + $1.memoryTotal }
    memoryUsed = online.reduce(0) { $0 + $1.memoryUsed }
    memoryPromised = online.reduce(0) { $0 + (context.claimedMemory[$1.name] ?? 0) }
    memoryReserve = context.policy.capacity.memoryReserve * Int64(online.count)
    failover = online.compactMap { n in
      context.failover[n.name].map { Failover($0, context: context) }
    }
    haReserve = failover.map(\.haMemory).max() ?? 0
    memoryAvailable = memoryTotal - memoryPromised - memoryReserve - haReserve
    storageTotal = storage.total
    storageUsed = storage.used
    storageAvailable = storage.available
    nPlusOne = context.hasFailoverNodes && failover.allSatisfy(\.survivable)
  }
}
