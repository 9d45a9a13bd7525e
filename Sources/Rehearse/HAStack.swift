import PVEModel

/// The parts of a cluster's HA configuration that decide where a service is recovered:
/// the CRS scheduler mode, the release's usage accounting, node affinity (PVE 8 groups or PVE 9
/// node-affinity rules) and resource affinity (PVE 9).
package struct HAStack: Sendable, Hashable {
  /// `crs` `ha=` in `/cluster/options` (datacenter.cfg).
  package enum Scheduler: String, Sendable, Hashable, Codable {
    /// Fewest HA services (in 5.1.2+: services and running guests) per node.
    case basic
    /// TOPSIS over configured CPU and memory (`proxmox-resource-scheduling`).
    case `static`
  }

  /// What the scheduler counts as load on a node.
  package enum Accounting: String, Sendable, Hashable, Codable {
    /// HA resources only (pve-ha-manager before 5.1.2: PVE 8, 9.0, early 9.1).
    case haResources = "ha-resources"
    /// HA resources and running non-HA guests (pve-ha-manager 5.1.2+, `recompute_online_node_usage`).
    case haResourcesAndGuests = "ha-resources-and-running-guests"
  }

  /// A service's node affinity: nodes with priorities, and whether only they are allowed.
  package struct NodeAffinity: Sendable, Hashable {
    /// `group NAME` or `rule NAME`, for display.
    package var source: String
    package var nodes: [NodePriority]
    /// Restricted group (PVE 8) or strict rule (PVE 9).
    package var strict: Bool
  }

  package var scheduler: Scheduler
  /// The `crs` `ha=` value as configured (`dynamic` is rehearsed as `static`).
  package var configuredScheduler: String
  package var accounting: Accounting
  /// The release whose logic is rehearsed (lowest online node version, else `/version`).
  package var version: PVEVersion?
  /// Sid → its node affinity.
  package var nodeAffinity: [String: NodeAffinity]
  /// Sid → sids it must share a node with (positive resource affinity).
  package var together: [String: [String]]
  /// Sid → sids it must not share a node with (negative resource affinity).
  package var apart: [String: [String]]
  /// What the rehearsal had to assume, for the reader.
  package var notes: [String]

  package init(cluster: Cluster) {
    var notes: [String] = []
    let crs = Self.property(cluster.options["crs"] ?? "", key: "ha") ?? "basic"
    configuredScheduler = crs
    switch crs {
    case "static": scheduler = .static
    case "dynamic":
      scheduler = .static
      notes.append(
        "crs ha=dynamic scores live CPU and memory use; rehearsed with configured sizes (as static)"
      )
    case "basic": scheduler = .basic
    default:
      scheduler = .basic
      notes.append("crs ha=\(crs) is unknown; the CRM falls back to basic")
    }

    let versions = cluster.nodes.filter(\.online).compactMap(\.version)
    let version = versions.min() ?? cluster.version
    self.version = version
    if let v = version, v >= PVEVersion(major: 9, minor: 2, patch: 0) {
      accounting = .haResourcesAndGuests
    } else if cluster.haManager.armedState != nil {
      // Only pve-ha-manager 5.1.3+ reports a `fencing` entry: it counts non-HA guests too.
      accounting = .haResourcesAndGuests
      if let v = version, v.major == 9, v.minor == 1 {
        notes.append(
          "PVE \(v) with pve-ha-manager 5.1.3 or later (its HA status reports fencing): running non-HA guests count too"
        )
      }
    } else {
      accounting = .haResources
      if let v = version, v.major == 9, v.minor == 1 {
        notes.append(
          "PVE \(v) counts HA resources only; pve-ha-manager 5.1.2 (a later 9.1 update, see `pveversion -v`) also counts running non-HA guests and may place differently"
        )
      }
    }

    var affinity: [String: NodeAffinity] = [:]
    let groups = Dictionary(
      (cluster.haGroups ?? []).map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
    for r in cluster.haResources {
      guard let name = r.group else { continue }
      if let g = groups[name] {
        affinity[r.sid] = NodeAffinity(
          source: "group \(name)", nodes: g.nodes, strict: g.restricted)
      } else {
        notes.append("\(r.sid) names HA group \(name), which does not exist: placed without it")
      }
    }
    var together: [String: Set<String>] = [:]
    var apart: [String: Set<String>] = [:]
    for rule in cluster.haRules ?? [] where !rule.disabled {
      if rule.type == "node-affinity" {
        for sid in rule.resources where affinity[sid] == nil {
          affinity[sid] = NodeAffinity(
            source: "rule \(rule.id)", nodes: rule.nodes, strict: rule.strict)
        }
      } else if rule.type == "resource-affinity" {
        for sid in rule.resources {
          let others = rule.resources.filter { $0 != sid }
          if rule.affinity == "negative" {
            apart[sid, default: []].formUnion(others)
          } else {
            together[sid, default: []].formUnion(others)
          }
        }
      }
    }
    nodeAffinity = affinity
    self.together = together.mapValues { $0.sorted() }
    self.apart = apart.mapValues { $0.sorted() }
    self.notes = notes
  }

  /// The value of `key` in a property string `k=v,k=v` (`ha=static,ha-rebalance-on-start=1`).
  static func property(_ text: String, key: String) -> String? {
    for part in text.split(separator: ",") {
      let kv = part.split(separator: "=", maxSplits: 1)
      if kv.count == 2, trim(kv[0]) == key { return trim(kv[1]) }
    }
    return nil
  }

  private static func trim(_ s: Substring) -> String {
    var s = s
    while s.first == " " || s.first == "\t" { s = s.dropFirst() }
    while s.last == " " || s.last == "\t" { s = s.dropLast() }
    return String(s)
  }
}
