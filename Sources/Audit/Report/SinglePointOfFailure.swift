import PVEModel

/// Section 7: something whose failure alone takes services down, taken from the findings.
package struct SinglePointOfFailure: Sendable, Codable, Hashable {
  /// `service`, `hardware`, `capacity`, `quorum` or `data`.
  package var kind: String
  package var severity: Severity
  /// The finding id it comes from.
  package var finding: String
  package var title: String
  package var detail: String

  /// Rules whose findings are single points of failure, and their kind.
  static let kinds: [String: String] = [
    HAUnprotected.id: "service", HALocalStorage.id: "service", HAError.id: "service",
    HADisarmed.id: "service",
    StorageSingleServer.id: "hardware", NodeSmall.id: "hardware", NodeOffline.id: "hardware",
    HAFailoverCapacity.id: "capacity", QuorumFragile.id: "quorum", QuorumLost.id: "quorum",
    BackupNone.id: "data",
  ]

  /// Service SPOFs first, then hardware, capacity, quorum and data; each most severe first.
  static func all(_ findings: [Finding], context: AuditContext) -> [SinglePointOfFailure] {
    let order = ["service", "hardware", "capacity", "quorum", "data"]
    return findings.compactMap { f -> SinglePointOfFailure? in
      guard let kind = kinds[f.rule] else { return nil }
      // Local volumes of a guest that is not HA yet are a step of enabling HA, not a SPOF of
      // their own (its `ha.unprotected` finding is).
      if f.rule == HALocalStorage.id && f.evidence["haManaged"] == .bool(false) { return nil }
      let title: String
      switch f.subject.kind {
      case .guest: title = context.guestBySID[f.subject.id].map(AuditContext.label) ?? f.subject.id
      case .storage: title = "storage server \(f.subject.id)"
      case .node: title = "node \(f.subject.id)"
      default: title = f.subject.id
      }
      return SinglePointOfFailure(
        kind: kind, severity: f.severity, finding: f.id, title: title, detail: f.message)
    }.sorted {
      (order.firstIndex(of: $0.kind) ?? 9, $0.severity.rank, $0.finding)
        < (order.firstIndex(of: $1.kind) ?? 9, $1.severity.rank, $1.finding)
    }
  }
}
