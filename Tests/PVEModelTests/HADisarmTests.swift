import PVEModel
import Testing

/// The `fencing` entry of `/cluster/ha/status/current` (pve-ha-manager 5.1.3+, API2/HA/Status.pm):
/// `armed-state` armed|standby|disarming|disarmed and, while disarmed, `resource_mode`.
@Suite struct HADisarmTests {
  /// The example with its fencing entry replaced by `entry` (nil: removed, as before 5.1.3).
  static func cluster(fencing entry: [String: JSONValue]?) throws -> Cluster {
    var snapshot = try Loading.example("pve9-rules-cluster.json")
    guard case .array(let entries) = snapshot.api["/cluster/ha/status/current"] else {
      Issue.record("no HA status")
      return try Cluster(snapshot: snapshot, file: "x")
    }
    let others = entries.filter {
      if case .object(let o) = $0, o["type"] == .string("fencing") { return false }
      return true
    }
    snapshot.api["/cluster/ha/status/current"] = .array(
      others + (entry.map { [JSONValue.object($0)] } ?? []))
    return try Cluster(snapshot: snapshot, file: "examples/pve9-rules-cluster.json")
  }

  @Test func armedIsNotDisarmed() throws {
    let c = try Loading.cluster("pve9-rules-cluster.json")
    #expect(c.haManager.armedState == "armed")
    #expect(c.haManager.disarm == nil)
  }

  @Test func olderReleasesHaveNoFencingEntry() throws {
    let c = try Self.cluster(fencing: nil)
    #expect(c.haManager.armedState == nil)
    #expect(c.haManager.disarm == nil)
  }

  @Test func disarmedWithItsResourceMode() throws {
    let c = try Self.cluster(fencing: [
      "armed-state": .string("disarmed"), "id": .string("fencing"), "node": .string("pve2"),
      "resource_mode": .string("freeze"),
      "status": .string("disarmed, resource mode: freeze (CRM watchdog released)"),
      "type": .string("fencing"),
    ])
    #expect(c.haManager.armedState == "disarmed")
    #expect(c.haManager.disarm == HADisarm(state: "disarmed", mode: "freeze"))
    #expect(c.haManager.disarm?.text == "disarmed, resource mode: freeze")
    let disarming = try Self.cluster(fencing: [
      "armed-state": .string("disarming"), "id": .string("fencing"),
      "resource_mode": .string("ignore"), "type": .string("fencing"),
    ])
    #expect(disarming.haManager.disarm == HADisarm(state: "disarming", mode: "ignore"))
  }
}
