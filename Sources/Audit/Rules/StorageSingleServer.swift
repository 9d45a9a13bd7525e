import PVEModel
import Playbook

/// Detects: every enabled shared pool that holds guest volumes is served by one and the same server
/// (the seed's TrueNAS at 192.168.1.98): if it fails, every guest with a volume there is down and HA
/// cannot help. Pools without a server (Ceph RBD, CephFS) are not single-server.
/// Remediation: a second storage server, storage replication or a backup target elsewhere (advice).
package struct StorageSingleServer: IndexedAuditRule {
  package static let id = "storage.single-server"
  package static let category = ScoreCategory.disasterRecovery
  package static let advice =
    "Add a second shared storage server or a backup target that does not depend on it"

  package init() {}

  package func findings(in context: AuditContext) -> [Finding] {
    let pools = context.cluster.storages.filter {
      $0.shared && !$0.disabled && ($0.content.contains("images") || $0.content.contains("rootdir"))
    }
    guard !pools.isEmpty, pools.allSatisfy({ $0.server != nil }) else { return [] }
    let servers = Set(pools.compactMap(\.server))
    guard servers.count == 1, let server = servers.first else { return [] }
    let ids = Set(pools.map(\.id))
    var guests = 0
    var ha = 0
    for g in context.guests
    where g.disks.contains(where: { d in d.storage.map(ids.contains) ?? false }) {
      guests += 1
      if context.isHAManaged(g) { ha += 1 }
    }
    return [
      Finding(
        rule: Self.id, severity: .high, subject: Subject(kind: .storage, id: server),
        message:
          "all shared guest storage (\(ids.sorted().joined(separator: ", "))) is served by \(server); if it fails, \(guests) guest(s) with volumes there are down, \(ha) of them HA-managed",
        evidence: [
          "server": .text(server), "pools": .list(ids.sorted()), "guests": .count(guests),
          "haGuests": .count(ha),
        ],
        remediation: .advice)
    ]
  }
}
