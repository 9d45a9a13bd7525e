import PVEModel

/// Section 1: one node's hardware and what it uses now.
package struct NodeResources: Sendable, Codable, Hashable {
  package var node: String
  package var online: Bool
  package var cores: Int
  /// CPU load 0…1 (3 decimals).
  package var cpuUsage: Double
  package var memoryTotal: Int64
  package var memoryUsed: Int64
  /// Memory used 0…1 (3 decimals).
  package var memoryUsage: Double
  package var uptime: Int64
  package var pveVersion: String?

  init(_ n: Node) {
    node = n.name
    online = n.online
    cores = n.cores
    cpuUsage = Figure.round(n.cpuUsage, 3)
    memoryTotal = n.memoryTotal
    memoryUsed = n.memoryUsed
    memoryUsage = Figure.round(Figure.share(Double(n.memoryUsed), of: Double(n.memoryTotal)), 3)
    uptime = n.uptime
    pveVersion = n.version?.description
  }
}
