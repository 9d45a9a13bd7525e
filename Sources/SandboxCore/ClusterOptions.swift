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
      let modes = ctx.major >= 9 ? ["basic", "static", "dynamic"] : ["basic", "static"]
      for item in crs.split(separator: ",") {
        let kv = item.split(separator: "=", maxSplits: 1).map(String.init)
        guard kv.count == 2 else { continue }
        // The keys of crs_format: `ha` an enumeration, the others booleans.
        let key =
          kv[0] == "ha"
          ? Parameter("ha", .string, enumValues: modes) : Parameter(kv[0], .boolean)
        switch key.check(kv[1]) {
        case .success(let value):
          parsed[kv[0]] = key.kind == .boolean ? .int(value == "1" ? 1 : 0) : .string(value)
        case .failure(let refusal):
          throw CommandFailure(
            "400 Parameter verification failed.\ncrs: invalid format - \(kv[0]): \(refusal.reason)")
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
