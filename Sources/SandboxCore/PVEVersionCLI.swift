import PVEModel

/// `pveversion`: `pve-manager/<version>/<repoid> (running kernel: <release>)` from the node's
/// stored `/nodes/<n>/status`; `-v` lists the main packages.
enum PVEVersionCLI {
  static func run(_ args: [String], _ ctx: Context) throws(CommandFailure) -> Outcome {
    let a = try CommandSchemas.pveversion.parse(args)
    let status = ctx.state.object(Snapshot.nodeStatusPath(ctx.node)) ?? [:]
    let fallback = ctx.state.object("/version")
    let manager =
      status["pveversion"]?.stringValue
      ?? "pve-manager/\(fallback?["version"]?.stringValue ?? "8.4.0")/\(fallback?["repoid"]?.stringValue ?? "0000000000000000")"
    let kernel =
      status["current-kernel"]?["release"]?.stringValue
      ?? status["kversion"]?.stringValue.flatMap {
        $0.split(separator: " ").dropFirst().first.map(String.init)
      }
      ?? (ctx.major >= 9 ? "6.17.2-1-pve" : "6.8.12-13-pve")
    guard a.flag("verbose") || a.flag("v") else {
      return .lines(["\(manager) (running kernel: \(kernel))"])
    }
    let parts = manager.split(separator: "/").map(String.init)
    let version = parts.count > 1 ? parts[1] : "0"
    let repoid = parts.count > 2 ? parts[2] : ""
    let nine = ctx.major >= 9
    return .lines([
      "proxmox-ve: \(version.split(separator: ".").prefix(2).joined(separator: ".")).0 (running kernel: \(kernel))",
      "pve-manager: \(version) (running version: \(version)/\(repoid))",
      "pve-container: \(nine ? "6.0.18" : "5.3.0")",
      "pve-ha-manager: \(nine ? "5.0.8" : "4.0.7")",
      "qemu-server: \(nine ? "9.0.30" : "8.4.1")",
    ])
  }
}
