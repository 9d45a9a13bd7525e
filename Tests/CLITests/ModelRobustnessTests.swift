import Foundation
import PVEMendTestSupport
import PVEModel
import Testing

/// The PVEModel fixes the case folders led to, pinned in process (fast, precise).
@Suite("PVEModel on hostile figures")
struct ModelRobustnessTests {
  static func cluster(_ caseName: String) throws -> Cluster {
    let file = CaseFolder.root.appendingPathComponent(caseName).appendingPathComponent(
      "snapshot.json")
    let snapshot = try Snapshot.decode(try Data(contentsOf: file), file: "snapshot.json")
    return try Cluster(snapshot: snapshot, file: "snapshot.json")
  }

  @Test("numbers beyond Int64 are no integers (converting them trapped)")
  func intValueOutOfRange() {
    #expect(JSONValue.double(1e300).intValue == nil)
    #expect(JSONValue.double(-1e19).intValue == nil)
    #expect(JSONValue.double(9.3e18).intValue == nil)
    #expect(JSONValue.string("18446744073709551615").intValue == nil)
    #expect(JSONValue.string("1e300").intValue == nil)
    #expect(JSONValue.string("nan").doubleValue == nil)
    #expect(JSONValue.string("inf").doubleValue == nil)
    #expect(JSONValue.double(8192.7).intValue == 8192)
    #expect(JSONValue.string(" 8192 ").intValue == 8192)
  }

  @Test("sizes beyond Int64 are no sizes (converting them trapped)")
  func byteSizeOutOfRange() {
    #expect(ByteSize.parse("99999999999999999999G") == nil)
    #expect(ByteSize.parse("999999999T") == nil)
    #expect(ByteSize.parse("8E") == nil)
    #expect(ByteSize.parse("32G") == 32 * ByteSize.gib)
  }

  @Test("implausible figures are clamped and reported, never trapped on")
  func hugeNumbers() throws {
    let cluster = try Self.cluster("huge-numbers")
    let keys = Set(cluster.inconsistencies.map(\.key))
    #expect(cluster.node("pve1")?.cores == Int(PlausibleRange.cpus))
    #expect(cluster.node("pve1")?.memoryTotal == PlausibleRange.nodeMemory)
    // sockets 2^32 × cores 2^32 overflowed Int64 on the way to the vCPU count.
    #expect(cluster.guest(sid: "vm:132")?.vcpus == Int(PlausibleRange.cpus))
    #expect(keys.contains("implausible-value/guest/vm:132/vcpus"))
    // 2^50 MiB of memory overflowed on the way to bytes.
    #expect(cluster.guest(sid: "vm:130")?.memory == PlausibleRange.guestMemory)
    #expect(keys.contains("implausible-value/guest/vm:130/memory"))
    #expect(keys.contains("implausible-value/storage/nas/pve1/total"))
    // A negative free figure is 0, and said so.
    #expect(keys.contains("implausible-value/storage/local-lvm/pve3/avail"))
    // Every figure is within range, so sums over a million guests cannot overflow.
    for guest in cluster.guests {
      #expect((0...PlausibleRange.guestMemory).contains(guest.memory))
      #expect(guest.vcpus <= Int(PlausibleRange.cpus))
      for disk in guest.disks { #expect((0...PlausibleRange.volume).contains(disk.size)) }
    }
    let (_, overflow) = PlausibleRange.guestMemory.multipliedReportingOverflow(by: 1_000_000)
    #expect(!overflow)
    // The keys are unique (one finding id each).
    #expect(keys.count == cluster.inconsistencies.count)
  }

  @Test("a guest listed twice is one guest; a VMID held by a VM and a container is reported")
  func duplicates() throws {
    let cluster = try Self.cluster("duplicates-and-mismatches")
    #expect(cluster.guests.filter { $0.sid == "vm:102" }.count == 1)
    let keys = Set(cluster.inconsistencies.map(\.key))
    #expect(keys.contains("duplicate-guest/vm:102"))
    #expect(keys.contains("vmid-reused/101"))
    #expect(keys.contains("duplicate-storage/local"))
    #expect(cluster.storages.filter { $0.id == "local" }.count == 1)
  }

  @Test("an empty name is no name")
  func emptyName() throws {
    let cluster = try Self.cluster("hostile-names")
    #expect(cluster.guest(sid: "ct:108")?.name == "ct108")
    #expect(cluster.guest(sid: "ct:100")?.name == "x'; rm -rf / #")
  }

  @Test("host devices that pin a guest to its node")
  func localDevices() throws {
    let cluster = try Self.cluster("unmovable-guests")
    #expect(cluster.guest(sid: "vm:150")?.localDevices == ["hostpci0"])
    #expect(cluster.guest(sid: "vm:151")?.localDevices == ["usb0"])
    #expect(cluster.guest(sid: "vm:152")?.localDevices == [])
    let mapped = Cluster.localDevices(
      kind: .qemu,
      config: [
        "hostpci0": .string("mapping=gpu,pcie=1"), "usb0": .string("spice"),
        "usb1": .string("mapping=dongle"), "serial0": .string("socket"),
        "serial1": .string("/dev/ttyS1"), "parallel0": .string("/dev/parport0"),
      ])
    #expect(mapped == ["parallel0", "serial1"])
    #expect(Cluster.localDevices(kind: .lxc, config: ["dev0": .string("/dev/ttyUSB0")]) == ["dev0"])
  }
}
