import PVEModel

/// The CRM's view of node load while it recovers services (`PVE::HA::Usage::Basic` / `::Static`):
/// which services count on which online node, and each node's score for the next service
/// (`score_nodes_to_start_service`; lower is better, as `select_service_node` sorts).
struct NodeUsage {
  struct Node {
    var name: String
    var cores: Int
    var memory: Int64
    /// Services (HA and, with the newer accounting, running guests) counted here.
    var services = 0
    /// Configured CPUs of those services (a service with 0 counts the node's cores).
    var cpu = 0.0
    /// Configured memory of those services, bytes.
    var mem = 0.0
  }

  /// Services counted on a node: how many, their CPUs (0 counts the node's cores) and memory.
  struct Load: Sendable {
    var services = 0
    var cpu = 0.0
    var mem = 0.0

    mutating func add(_ g: PVEModel.Guest, cores: Int) {
      services += 1
      cpu += g.vcpus == 0 ? Double(cores) : Double(g.vcpus)
      mem += Double(g.memory)
    }
  }

  let scheduler: HAStack.Scheduler
  /// Online (surviving) nodes, sorted by name.
  private(set) var nodes: [Node]
  private var index: [String: Int]

  init(scheduler: HAStack.Scheduler, nodes: [Node]) {
    self.scheduler = scheduler
    self.nodes = nodes.sorted { $0.name.utf8.lexicographicallyPrecedes($1.name.utf8) }
    var index: [String: Int] = [:]
    for (i, n) in self.nodes.enumerated() { index[n.name] = i }
    self.index = index
  }

  func contains(_ node: String) -> Bool { index[node] != nil }

  /// Counts a service (vCPUs, memory bytes) on `node`; ignored when the node is not online
  /// (`get_used_service_nodes` only counts online nodes).
  mutating func add(node: String, vcpus: Int, memory: Int64) {
    guard let i = index[node] else { return }
    nodes[i].services += 1
    nodes[i].cpu += vcpus == 0 ? Double(nodes[i].cores) : Double(vcpus)
    nodes[i].mem += Double(memory)
  }

  /// Adds a node's precomputed load.
  mutating func add(node: String, usage: Load) {
    guard let i = index[node] else { return }
    nodes[i].services += usage.services
    nodes[i].cpu += usage.cpu
    nodes[i].mem += usage.mem
  }

  /// Each node's score for starting a service of `vcpus` and `memory` (lower is better): the
  /// service count for `basic`; minus the TOPSIS closeness for `static`.
  func scores(vcpus: Int, memory: Int64) -> [String: Double] {
    switch scheduler {
    case .basic:
      var out: [String: Double] = [:]
      out.reserveCapacity(nodes.count)
      for n in nodes { out[n.name] = Double(n.services) }
      return out
    case .static:
      let closeness = Topsis.scoreNodes(nodes, vcpus: Double(vcpus), memory: Double(memory))
      var out: [String: Double] = [:]
      for (n, c) in zip(nodes, closeness) { out[n.name] = -c }
      return out
    }
  }
}

/// TOPSIS as `proxmox-resource-scheduling` scores nodes to start a service on
/// (`pve_static::score_nodes_to_start_service`, `topsis::score_alternatives`): for each candidate
/// node, the cluster as if the service ran there is described by four criteria — root mean square
/// and highest CPU share, root mean square and highest memory share (each plus 1.0), all to be
/// minimised, weighted 1, 2, 5, 10 — and the node's score is its closeness to the ideal.
enum Topsis {
  static let weights: [Double] = {
    let w = [1.0, 2.0, 5.0, 10.0]
    let sum = w.reduce(0, +)
    return w.map { $0 / sum }
  }()

  /// Closeness (0…1, higher is better) of each node in `nodes`, in the same order.
  static func scoreNodes(_ nodes: [NodeUsage.Node], vcpus: Double, memory: Double) -> [Double] {
    let len = Double(nodes.count)
    guard !nodes.isEmpty else { return [] }
    // Shares without the service, and with it, per node.
    let cpuShare = nodes.map { $0.cpu / Double(max($0.cores, 1)) }
    let memShare = nodes.map { $0.mem / Double(max($0.memory, 1)) }
    var matrix: [[Double]] = []
    matrix.reserveCapacity(nodes.count)
    for (t, target) in nodes.enumerated() {
      var highestCPU = 0.0
      var squaresCPU = 0.0
      var highestMem = 0.0
      var squaresMem = 0.0
      for i in nodes.indices {
        let c: Double
        let m: Double
        if i == t {
          let added = vcpus == 0 ? Double(target.cores) : vcpus
          c = (target.cpu + added) / Double(max(target.cores, 1))
          m = (target.mem + memory) / Double(max(target.memory, 1))
        } else {
          c = cpuShare[i]
          m = memShare[i]
        }
        highestCPU = max(highestCPU, c)
        squaresCPU += c * c
        highestMem = max(highestMem, m)
        squaresMem += m * m
      }
      matrix.append([
        1.0 + (squaresCPU / len).squareRoot(), 1.0 + highestCPU,
        1.0 + (squaresMem / len).squareRoot(), 1.0 + highestMem,
      ])
    }
    // Normalise each criterion by its L2 norm over the alternatives.
    for k in 0..<4 {
      let norm = matrix.reduce(0.0) { $0 + $1[k] * $1[k] }.squareRoot()
      if norm != 0 { for i in matrix.indices { matrix[i][k] /= norm } }
    }
    // Every criterion is minimised: best = column minimum, worst = column maximum.
    var best = [Double](repeating: 0, count: 4)
    var worst = [Double](repeating: 0, count: 4)
    for k in 0..<4 {
      best[k] = matrix.map { $0[k] }.min() ?? 0
      worst[k] = matrix.map { $0[k] }.max() ?? 0
    }
    return matrix.map { row in
      var toBest = 0.0
      var toWorst = 0.0
      for k in 0..<4 {
        let b = (row[k] - best[k]) * weights[k]
        let w = (row[k] - worst[k]) * weights[k]
        toBest += b * b
        toWorst += w * w
      }
      let dBest = toBest.squareRoot()
      let dWorst = toWorst.squareRoot()
      let divisor = dBest + dWorst
      return divisor == 0 ? 0 : dWorst / divisor
    }
  }
}
