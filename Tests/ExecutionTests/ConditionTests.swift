import Execution
import PVEMendTestSupport
import PVEModel
import Planning
import Testing

@Suite("Condition against a cluster")
struct ConditionTests {
  static let all: [Condition] = [
    Condition(.guestOnNode, sid: "ct:131", node: "proxmox3"),
    Condition(.guestStatus, sid: "vm:120", state: "stopped"),
    Condition(.haManaged, sid: "ct:110", state: "stopped"),
    Condition(.haNotManaged, sid: "vm:114"),
    Condition(.haSettled, sid: "vm:114"),
    Condition(.haRulePresent, id: "pvemend-spread", sids: ["vm:114", "ct:110"]),
    Condition(.haRuleAbsent, id: "old-rule"),
    Condition(.haGroupPresent, id: "prefer-1"),
    Condition(.haGroupAbsent, id: "old-group"),
    Condition(.backupJobPresent, id: "pvemend-daily"),
    Condition(.backupJobAbsent, id: "backup-old"),
    Condition(.nodeOnline, node: "proxmox2"),
  ]

  /// The reference test cluster with the opposite of every condition above.
  static func opposite() -> Cluster {
    var c = Build.cluster()
    c.haRules = [
      HARule(
        id: "old-rule", type: "node-affinity", resources: ["vm:114"], nodes: [], strict: false,
        affinity: nil, disabled: false)
    ]
    c.haGroups = [HAGroup(id: "old-group", nodes: [], restricted: false, nofailback: false)]
    c.backupJobs = [
      BackupJob(
        id: "backup-old", enabled: true, all: true, vmids: [], exclude: [], pool: nil, node: nil,
        storage: "nas", schedule: "daily", mode: nil, compress: nil, pruneBackups: [:], comment: nil
      )
    ]
    c.haManager.services["vm:114"]?.state = "migrate"
    c.nodes[1].online = false
    return c
  }

  @Test("none holds in the opposite cluster; each holds once established", arguments: all)
  func establishThenHolds(_ condition: Condition) {
    var c = Self.opposite()
    #expect(!condition.holds(in: c), "\(condition.expectation) should not hold yet")
    #expect(!condition.observation(in: c).isEmpty)
    condition.establish(in: &c)
    #expect(condition.holds(in: c), "\(condition.expectation) should hold once established")
  }

  @Test("the words of a stale step") func words() {
    let c = Build.cluster()
    let on = Condition(.guestOnNode, sid: "ct:131", node: "proxmox3")
    #expect(
      "\(on.expectation), \(on.observation(in: c))" == "ct:131 on proxmox3, found on proxmox2")
    let missing = Condition(.guestOnNode, sid: "ct:999", node: "proxmox3")
    #expect(missing.observation(in: c) == "ct:999 not found")
    let ha = Condition(.haNotManaged, sid: "vm:114")
    #expect(
      "\(ha.expectation), \(ha.observation(in: c))"
        == "vm:114 not HA-managed, HA-managed in state started")
  }

  @Test(
    "HA: 'enabled' is 'started'; error and migrate are not settled; volumes follow their storage")
  func haAndVolumes() {
    var c = Build.cluster()
    c.haResources[0].state = "enabled"
    #expect(Condition(.haManaged, sid: "vm:114", state: "started").holds(in: c))
    for state in ["error", "migrate", "relocate", "fence", "recovery", "freeze"] {
      c.haManager.services["vm:114"]?.state = state
      #expect(!Condition(.haSettled, sid: "vm:114").holds(in: c), "\(state) is not settled")
    }
    c.guests[0].disks = [
      Disk(key: "rootfs", volid: "local-lvm:vm-110-disk-0", storage: "local-lvm", size: 1)
    ]
    let moved = Condition(.volumeOnStorage, sid: "ct:110", key: "rootfs", storage: "nas")
    #expect(!moved.holds(in: c))
    moved.establish(in: &c)
    #expect(moved.holds(in: c))
    #expect(c.guests[0].disks[0].volid == "nas:vm-110-disk-0")
  }
}

extension Condition: CustomTestStringConvertible {
  public var testDescription: String { "\(kind.rawValue) \(expectation)" }
}
