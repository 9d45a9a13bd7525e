import Foundation
import PVEModel
import SandboxCore
import Testing

/// The stand-ins for the failover plan's scheduler step (`pvesh set /cluster/options --crs`,
/// issue 12 part 3) and the evacuation's maintenance step (`ha-manager crm-command
/// node-maintenance`, issue 12 part 1), with Proxmox's checks.
@Suite struct SchedulerAndMaintenanceStandInTests {
  func crs(_ state: ClusterState) -> String? {
    let out = run(state, ["pvesh", "get", "/cluster/options", "--output-format", "json"])
    guard
      let object = try? JSONSerialization.jsonObject(with: Data(out.stdout.utf8))
        as? [String: Any],
      let crs = object["crs"] as? [String: Any]
    else { return nil }
    return crs.keys.sorted().map { "\($0)=\(crs[$0] ?? "")" }.joined(separator: ",")
  }

  @Test("crs ha=static is stored as pvesh returns it, read back by the model, undone by --delete")
  func schedulerSwitchAndUndo() throws {
    let state = try TinyCluster.state()
    #expect(crs(state) == nil)
    let set = run(state, ["pvesh", "set", "/cluster/options", "--crs", "ha=static"])
    #expect(set.exitCode == 0, "\(set.stderr)")
    #expect(crs(state) == "ha=static")
    #expect(state.object("/cluster/options")?["keyboard"]?.stringValue == "en-us")
    // Stored as pvesh returns a parsed property string: an object.
    #expect(state.object("/cluster/options")?["crs"]?["ha"]?.stringValue == "static")

    let keep = run(
      state, ["pvesh", "set", "/cluster/options", "--crs", "ha=basic,ha-rebalance-on-start=1"])
    #expect(keep.exitCode == 0, "\(keep.stderr)")
    #expect(crs(state) == "ha=basic,ha-rebalance-on-start=1")

    let undo = run(state, ["pvesh", "set", "/cluster/options", "--delete", "crs"])
    #expect(undo.exitCode == 0, "\(undo.stderr)")
    #expect(crs(state) == nil)
    #expect(state.object("/cluster/options")?["keyboard"]?.stringValue == "en-us")
  }

  @Test("refusals: an unknown mode, an unknown crs key, dynamic before PVE 9, no quorum")
  func schedulerRefusals() throws {
    let state = try TinyCluster.state()
    let mode = run(state, ["pvesh", "set", "/cluster/options", "--crs", "ha=fastest"])
    #expect(mode.exitCode != 0 && mode.stderr.contains("enumeration 'basic, static, dynamic'"))
    let key = run(state, ["pvesh", "set", "/cluster/options", "--crs", "ha=static,turbo=1"])
    #expect(key.exitCode != 0 && key.stderr.contains("property 'turbo' is not defined"))
    let eight = try TinyCluster.state(major: 8)
    let dynamic = run(eight, ["pvesh", "set", "/cluster/options", "--crs", "ha=dynamic"])
    #expect(dynamic.exitCode != 0 && dynamic.stderr.contains("enumeration 'basic, static'"))
    #expect(crs(state) == nil && crs(eight) == nil)
    state.updateList("/cluster/status", where: { $0["type"]?.stringValue == "cluster" }) {
      $0["quorate"] = .int(0)
    }
    let noQuorum = run(state, ["pvesh", "set", "/cluster/options", "--crs", "ha=static"])
    #expect(noQuorum.exitCode != 0 && noQuorum.stderr.contains("no quorum"))
  }

  @Test("node-maintenance enable shows in ha-manager status and manager_status; disable ends it")
  func nodeMaintenance() throws {
    let state = try TinyCluster.state()
    let enable = run(state, ["ha-manager", "crm-command", "node-maintenance", "enable", "pve2"])
    #expect(enable.exitCode == 0, "\(enable.stderr)")
    let status = run(state, ["ha-manager", "status"])
    #expect(status.stdout.contains("lrm pve2 (maintenance mode, "), "\(status.stdout)")
    #expect(!status.stdout.contains("lrm pve1 (maintenance mode, "))
    let disable = run(state, ["ha-manager", "crm-command", "node-maintenance", "disable", "pve2"])
    #expect(disable.exitCode == 0, "\(disable.stderr)")
    #expect(!run(state, ["ha-manager", "status"]).stdout.contains("maintenance mode"))

    let unknown = run(state, ["ha-manager", "crm-command", "node-maintenance", "enable", "pve9"])
    #expect(unknown.exitCode != 0 && unknown.stderr.contains("no such cluster node 'pve9'"))
    let verb = run(state, ["ha-manager", "crm-command", "node-maintenance", "pause", "pve2"])
    #expect(verb.exitCode != 0)
  }
}
