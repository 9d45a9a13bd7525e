/// A node of a synthetic cluster: its hardware and the load its guests put on it.
struct SynthNode: Sendable {
  /// One of the hardware profiles nodes are drawn from.
  struct Profile: Sendable {
    var cpus: Int
    var cores: Int
    var model: String
    var mhz: String
    var memoryGiB: Int64
    var localStorage: Int64
  }

  static let profiles: [Profile] = [
    Profile(
      cpus: 8, cores: 8, model: "Intel(R) Core(TM) i7-9700T CPU @ 2.00GHz", mhz: "2000.000",
      memoryGiB: 32, localStorage: 512_110_190_592),
    Profile(
      cpus: 16, cores: 8, model: "Intel(R) Xeon(R) E-2288G CPU @ 3.70GHz", mhz: "3700.000",
      memoryGiB: 64, localStorage: 942_937_489_408),
    Profile(
      cpus: 32, cores: 16, model: "AMD EPYC 7313P 16-Core Processor", mhz: "3000.000",
      memoryGiB: 256, localStorage: 1_888_280_281_088),
    Profile(
      cpus: 48, cores: 24, model: "Intel(R) Xeon(R) Gold 6248R CPU @ 3.00GHz", mhz: "3000.000",
      memoryGiB: 384, localStorage: 3_840_755_982_336),
    Profile(
      cpus: 64, cores: 32, model: "AMD EPYC 7543P 32-Core Processor", mhz: "2800.000",
      memoryGiB: 512, localStorage: 3_840_755_982_336),
  ]

  var name: String
  var nodeid: Int
  var ip: String
  var profile: Profile
  /// Usable memory: the profile's GiB less what the firmware keeps.
  var memoryTotal: Int64
  var uptime: Int64
  var memoryUsed: Int64 = 0
  /// Sum over running guests of (CPU fraction × vCPUs).
  var cpuBusy: Double = 0
  /// Bytes written on the node-local guest pool.
  var localUsed: Int64 = 0
  /// Whether any HA service runs here.
  var hasHA = false

  var cpuUsage: Double { min(0.97, 0.01 + cpuBusy / Double(profile.cpus)) }
}
