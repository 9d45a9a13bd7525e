/// The figures a snapshot may state, as `Cluster(snapshot:)` takes them: every size and count is
/// kept within `0…limit`, with limits far beyond real hardware but small enough that sums over a
/// whole cluster (a million guests) never overflow `Int64`. A figure outside its range is clamped
/// and recorded as an inconsistency (`implausible-value/…`), so the audit shows it and nothing
/// downstream traps on it.
package enum PlausibleRange {
  /// Logical CPUs of a node, and vCPUs of a guest (16,384).
  package static let cpus: Int64 = 1 << 14
  /// Memory of a node (64 TiB).
  package static let nodeMemory: Int64 = 1 << 46
  /// Memory of a guest (4 TiB; Proxmox's own ceiling is 4,178,944 MiB).
  package static let guestMemory: Int64 = 1 << 42
  /// Size of one guest volume (256 TiB).
  package static let volume: Int64 = 1 << 48
  /// Total, used or free bytes of one storage on one node (64 PiB).
  package static let storage: Int64 = 1 << 56

  /// `value` within `0…limit`, and whether it had to be changed.
  package static func clamp(_ value: Int64, to limit: Int64) -> (value: Int64, changed: Bool) {
    if value < 0 { return (0, true) }
    if value > limit { return (limit, true) }
    return (value, false)
  }
}
