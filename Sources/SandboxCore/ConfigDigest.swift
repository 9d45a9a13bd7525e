import PVEModel

/// The `digest` Proxmox attaches to config responses (SHA-1 of the config file). The sandbox has no
/// files, so it derives a 40-hex-digit stand-in from the content: it changes whenever the content does.
enum ConfigDigest {
  static func of(_ value: JSONValue) -> String {
    let bytes = Array(JSONText.compact(value).utf8)
    var out = ""
    for seed: UInt64 in [0xcbf2_9ce4_8422_2325, 0x8422_2325_cbf2_9ce4, 0x9e37_79b9_7f4a_7c15] {
      var h = seed
      for b in bytes {
        h ^= UInt64(b)
        h = h &* 0x0000_0100_0000_01B3
      }
      let hex = String(h, radix: 16)
      out += String(repeating: "0", count: 16 - hex.count) + hex
    }
    return String(out.prefix(40))
  }

  /// A config object with its `digest` recomputed.
  static func stamped(_ config: [String: JSONValue]) -> [String: JSONValue] {
    var c = config
    c["digest"] = nil
    c["digest"] = .string(of(.object(c)))
    return c
  }
}
