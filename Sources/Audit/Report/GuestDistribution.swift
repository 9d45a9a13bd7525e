import PVEModel

/// Section 2: how the guests are spread over the nodes, against how the cores are spread.
///
/// Guests are every guest Proxmox lists, templates included (as the seed counted them); shares are
/// of all guests and of all cores of online nodes (the seed's proxmox: 17 of 37 guests = 46 %, 4 of
/// 20 cores = 20 %).
package struct GuestDistribution: Sendable, Codable, Hashable {
  /// One node's guests.
  package struct Row: Sendable, Codable, Hashable {
    package var node: String
    package var guests: Int
    package var running: Int
    package var stopped: Int
    /// Configured memory of all its guests, bytes.
    package var allocatedMemory: Int64
    /// Share of the cluster's guests 0…1.
    package var guestShare: Double
    package var cores: Int
    /// Share of the cluster's cores 0…1.
    package var coreShare: Double
    /// vCPUs of running and onboot guests.
    package var vcpus: Int
    package var vcpuPerCore: Double
  }

  package var rows: [Row]
  package var guests: Int
  package var running: Int
  package var stopped: Int
  package var allocatedMemory: Int64
  package var cores: Int
  /// Templates among `guests`.
  package var templates: Int

  init(context: AuditContext) {
    let nodes = context.cluster.nodes
    let onlineCores = context.onlineNodes.reduce(0) { $0 + $1.cores }
    let all = Dictionary(grouping: context.cluster.guests, by: \.node)
    let total = context.cluster.guests.count
    rows = nodes.map { n in
      let gs = all[n.name] ?? []
      let running = gs.filter(\.isRunning).count
      let vcpus = context.claimedVCPUs[n.name] ?? 0
      return Row(
        node: n.name, guests: gs.count, running: running, stopped: gs.count - running,
        allocatedMemory: gs.reduce(0) { $0 + $1.memory },
        guestShare: Figure.round(Figure.share(Double(gs.count), of: Double(total)), 3),
        cores: n.cores,
        coreShare: n.online
          ? Figure.round(Figure.share(Double(n.cores), of: Double(onlineCores)), 3) : 0,
        vcpus: vcpus,
        vcpuPerCore: Figure.round(Figure.share(Double(vcpus), of: Double(n.cores)), 2))
    }
    guests = total
    running = rows.reduce(0) { $0 + $1.running }
    stopped = rows.reduce(0) { $0 + $1.stopped }
    allocatedMemory = rows.reduce(0) { $0 + $1.allocatedMemory }
    cores = onlineCores
    templates = context.cluster.guests.filter(\.template).count
  }
}
