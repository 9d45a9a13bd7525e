import PVEModel

/// `ha-manager crm-command node-maintenance enable|disable NODE` (pve-ha-manager 3.5, PVE 7.3):
/// the node's LRM goes into maintenance mode, which `ha-manager status` shows as
/// `lrm NODE (maintenance mode, …)`, `manager_status` as node status `maintenance` and
/// `/cluster/resources` as the node's `hastate`. The sandbox
/// does not move the HA guests still on the node (the real CRM would, by their groups or rules):
/// pvemend's evacuation moves them first.
enum NodeMaintenance {
  static let marker = "maintenance mode"

  static func run(_ args: [String], _ ctx: Context) throws(CommandFailure) -> Outcome {
    let a = try CommandSchemas.haNodeMaintenance.parse(args)
    let node = a["node"] ?? ""
    guard ctx.state.nodeExists(node) else {
      throw CommandFailure("no such cluster node '\(node)'")
    }
    let enable = a["action"] == "enable"
    let services = ctx.state.list(ClusterState.haStatusPath).contains {
      $0["type"]?.stringValue == "service" && $0["node"]?.stringValue == node
    }
    ctx.state.updateList(
      ClusterState.haStatusPath,
      where: { $0["type"]?.stringValue == "lrm" && $0["node"]?.stringValue == node }
    ) { lrm in
      let status = lrm["status"]?.stringValue ?? "\(node) (idle, )"
      guard let open = status.firstIndex(of: "("), let comma = status.firstIndex(of: ",") else {
        return
      }
      let mode = enable ? marker : (services ? "active" : "idle")
      lrm["status"] = .string(
        String(status[...open]) + mode + String(status[comma...]))
    }
    // /cluster/resources shows the CRM's node status as the node's `hastate`.
    ctx.state.updateList(
      "/cluster/resources",
      where: { $0["type"]?.stringValue == "node" && $0["node"]?.stringValue == node }
    ) { $0["hastate"] = .string(enable ? "maintenance" : "online") }
    return Outcome()
  }

  /// Whether NODE's LRM is in maintenance mode.
  static func enabled(_ node: String, _ state: ClusterState) -> Bool {
    state.list(ClusterState.haStatusPath).contains {
      $0["type"]?.stringValue == "lrm" && $0["node"]?.stringValue == node
        && ($0["status"]?.stringValue ?? "").contains("(\(marker),")
    }
  }
}
