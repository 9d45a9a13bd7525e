import PVEModel
import Playbook

/// What running and onboot guests claim on one node, as the planner simulates it.
struct NodeLoad: Sendable, Hashable {
  var name: String
  var online: Bool
  var cores: Int
  var memoryTotal: Int64
  /// vCPUs of running and onboot guests.
  var vcpus: Int
  /// Configured memory of running and onboot guests, bytes.
  var memory: Int64
  /// Guests, running or not, templates included (as Proxmox lists them).
  var guests: Int
  /// Guests HA manages (state other than `ignored`), including those the plan adds.
  var haGuests: Int
}

/// The playbook's capacity limits for one cluster: the vCPU ceiling, the memory budget and the share
/// of guests each node may carry.
struct CapacityLimits: Sendable {
  var vcpuPerCore: Double
  var memoryReserve: Int64
  var shareTolerance: Double
  var localStorageReserve: Double
  /// Guests on online nodes, templates included.
  var totalGuests: Int
  /// Cores of the online nodes.
  var totalCores: Int

  init(policy: Policy, totalGuests: Int, totalCores: Int) {
    vcpuPerCore = policy.capacity.vcpuPerCore
    memoryReserve = policy.capacity.memoryReserve
    shareTolerance = policy.capacity.shareTolerance
    localStorageReserve = policy.capacity.localStorageReserve
    self.totalGuests = totalGuests
    self.totalCores = totalCores
  }

  /// The most running+onboot vCPUs the node may carry.
  func vcpuCeiling(_ load: NodeLoad) -> Double { vcpuPerCore * Double(load.cores) }

  /// The most running+onboot memory the node may carry.
  func memoryBudget(_ load: NodeLoad) -> Int64 { load.memoryTotal - memoryReserve }

  /// The node's share of cores, 0…1.
  func coreShare(_ load: NodeLoad) -> Double {
    totalCores > 0 ? Double(load.cores) / Double(totalCores) : 0
  }

  /// The most guests the node may carry before its share of guests exceeds its share of cores by
  /// more than the tolerance.
  func guestCeiling(_ load: NodeLoad) -> Double {
    (coreShare(load) + shareTolerance) * Double(totalGuests)
  }

  /// How far the node is beyond each limit: vCPUs, GiB of memory, guests.
  func excess(_ load: NodeLoad) -> Excess {
    guard load.online else { return Excess(vcpus: 0, memoryGiB: 0, guests: 0) }
    let v = max(0, Double(load.vcpus) - vcpuCeiling(load))
    let m = max(0, Double(load.memory - memoryBudget(load)) / Double(ByteSize.gib))
    let s = totalGuests > 0 ? max(0, Double(load.guests) - guestCeiling(load)) : 0
    return Excess(vcpus: v < 1e-9 ? 0 : v, memoryGiB: m, guests: s < 1e-9 ? 0 : s)
  }

  /// Whether each limit holds with `load` (rounding slack included).
  func withinVCPUCeiling(_ load: NodeLoad) -> Bool {
    Double(load.vcpus) <= vcpuCeiling(load) + 1e-9
  }
  func withinMemoryBudget(_ load: NodeLoad) -> Bool { load.memory <= memoryBudget(load) }
  func withinShare(_ load: NodeLoad) -> Bool {
    totalGuests == 0 || Double(load.guests) <= guestCeiling(load) + 1e-9
  }
}

/// How far a node is beyond the playbook's limits. Zero everywhere: within all of them.
struct Excess: Sendable, Hashable {
  var vcpus: Double
  var memoryGiB: Double
  var guests: Double

  var isZero: Bool { vcpus == 0 && memoryGiB == 0 && guests == 0 }

  /// One number to compare moves by (a vCPU, a GiB and a guest weigh the same).
  var weight: Double { vcpus + memoryGiB + guests }
}
