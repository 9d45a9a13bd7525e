import PVEModel
import Playbook

/// Detects: a guest that HA manages, or that the policy wants HA-managed, with a volume on
/// node-local storage (e.g. `local-lvm`): HA cannot start it on another node, so recovery fails.
/// Remediation: move the volumes to shared storage (`qm disk move` / `pct move-volume`), then enable HA.
package struct HALocalStorage: IndexedAuditRule {
  package static let id = "ha.local-storage"
  package static let category = ScoreCategory.haConfiguration
  package static let advice = "Move the volumes of HA guests to shared storage"

  package init() {}

  package func findings(in context: AuditContext) -> [Finding] {
    guard context.hasFailoverNodes else { return [] }
    return context.guests.compactMap { g in
      let managed = context.isHAManaged(g)
      guard managed || context.wantsHA(g) else { return nil }
      let local = context.localVolumes(of: g)
      guard !local.isEmpty else { return nil }
      let bytes = local.reduce(Int64(0)) { $0 + $1.size }
      let pools = Array(Set(local.compactMap(\.storage))).sorted()
      let why = managed ? "HA cannot recover it on another node" : "it cannot be made HA as it is"
      return Finding(
        rule: Self.id, severity: context.severity(of: g, fallback: managed ? .high : .medium),
        subject: .guest(g),
        message:
          "\(AuditContext.label(g)) has \(local.count) volume(s) (\(ByteSize.binary(bytes))) on node-local storage \(pools.joined(separator: ", ")) of \(g.node); \(why)",
        evidence: [
          "node": .text(g.node), "volumes": .list(local.map(\.volid)), "storages": .list(pools),
          "localBytes": .bytes(bytes), "haManaged": .bool(managed),
        ],
        remediation: .moveToSharedStorage)
    }
  }
}
