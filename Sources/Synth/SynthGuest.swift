import PVEModel

/// A guest of a synthetic cluster, before it is written as `pvesh` responses.
struct SynthGuest: Sendable {
  /// One volume: config key, config value, size, and whether it lives on shared storage.
  struct Volume: Sendable {
    var key: String
    var value: String
    var bytes: Int64
    var shared: Bool
  }

  /// HA settings of a guest that HA manages.
  struct HA: Sendable {
    var state: String
    var group: String?
    var maxRelocate: Int?
    var failback: Bool?
  }

  var vmid: Int
  var kind: GuestKind
  var name: String
  /// Index into the cluster's nodes.
  var node: Int
  var running: Bool
  var onboot: Bool
  var template: Bool
  var sockets: Int
  var cores: Int
  var memoryMiB: Int64
  var volumes: [Volume]
  var tags: [String]
  var pool: String?
  var lock: String?
  var ha: HA?
  /// CPU fraction of its vCPUs when running.
  var cpu: Double
  /// Fraction of its memory in use when running.
  var memoryFraction: Double

  var vcpus: Int { sockets * cores }
  var sid: String { "\(kind.haType):\(vmid)" }
  var allShared: Bool { volumes.allSatisfy(\.shared) }
  /// The size `/cluster/resources` reports as `maxdisk`: the root or boot volume.
  var maxdisk: Int64 { volumes.first?.bytes ?? 0 }
}
