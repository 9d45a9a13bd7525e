import PVEModel
import Playbook

/// Detects: an online node whose node-local guest storage (local pools with content `images` or
/// `rootdir`) is less than half of the largest node's, which blocks migrating larger guests to it
/// and restoring local volumes there.
/// Remediation: add local disk to the node, or keep large guests on shared storage (advice).
package struct StorageLocalImbalance: IndexedAuditRule {
  package static let id = "storage.local-imbalance"
  package static let category = ScoreCategory.storageHealth
  package static let advice =
    "Give small nodes more local guest storage or keep big guests on shared storage"

  /// A node below this fraction of the largest node's local guest storage is flagged.
  package static let threshold = 0.5

  package init() {}

  package func findings(in context: AuditContext) -> [Finding] {
    let online = Set(context.onlineNodes.map(\.name))
    var local: [String: Int64] = [:]
    for p in context.poolFigures where !p.shared && p.holdsGuests {
      guard let node = p.node, online.contains(node) else { continue }
      local[node, default: 0] += p.total
    }
    guard online.count >= 2, let largest = local.values.max(), largest > 0 else { return [] }
    return online.sorted().compactMap { node in
      let mine = local[node] ?? 0
      let ratio = Double(mine) / Double(largest)
      guard ratio < Self.threshold else { return nil }
      return Finding(
        rule: Self.id, severity: .low, subject: .node(node),
        message:
          "\(node) has \(ByteSize.decimal(mine)) of local guest storage, \(Figure.wholePercent(ratio)) of the largest node's \(ByteSize.decimal(largest))",
        evidence: [
          "localTotal": .bytes(mine), "largestLocalTotal": .bytes(largest), "ratio": .ratio(ratio),
        ],
        remediation: .advice)
    }
  }
}
