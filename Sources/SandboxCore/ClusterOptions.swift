import PVEModel

/// `pvesh set /cluster/options`: the `crs` key of `datacenter.cfg` (the HA scheduler), as
/// pve-cluster's `PVE::DataCenterConfig` checks it, stored the way `pvesh get /cluster/options`
/// returns it (a property string parsed into an object).
enum ClusterOptions {
  static let path = "/cluster/options"

  static func set(_ a: Arguments, _ ctx: Context) throws(CommandFailure) {
    try ctx.checkQuorum()
    var options = ctx.state.object(path) ?? [:]
    if let crs = a.options["crs"] {
      var parsed: [String: JSONValue] = [:]
      for item in crs.split(separator: ",") {
        let kv = item.split(separator: "=", maxSplits: 1).map(String.init)
        guard kv.count == 2 else { continue }
        switch kv[0] {
        case "ha":
          let modes = ctx.major >= 9 ? ["basic", "static", "dynamic"] : ["basic", "static"]
          guard modes.contains(kv[1]) else {
            throw CommandFailure(
              "400 Parameter verification failed.\ncrs: invalid format - ha: value '\(kv[1])' does not have a value in the enumeration '\(modes.joined(separator: ", "))'"
            )
          }
          parsed["ha"] = .string(kv[1])
        default:
          guard ["1", "0", "on", "off", "yes", "no", "true", "false"].contains(kv[1]) else {
            throw CommandFailure(
              "400 Parameter verification failed.\ncrs: invalid format - \(kv[0]): type check ('boolean') failed - got '\(kv[1])'"
            )
          }
          parsed[kv[0]] = .int(["1", "on", "yes", "true"].contains(kv[1]) ? 1 : 0)
        }
      }
      options["crs"] = .object(parsed)
    }
    for key in (a.options["delete"] ?? "").split(separator: ",").map(String.init) {
      if a.options[key] != nil {
        throw CommandFailure(
          "400 Parameter verification failed.\ndelete: cannot set and delete property '\(key)' at the same time!"
        )
      }
      options[key] = nil
    }
    ctx.state[path] = .object(options)
  }
}
