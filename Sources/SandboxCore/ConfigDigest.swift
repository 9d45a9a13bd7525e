import Crypto
import Foundation
import PVEModel

/// Digests: a guest config's `digest` is the SHA-1 of its file under `/etc/pve`, as Proxmox
/// computes it (`Digest::SHA::sha1_hex` of the raw file), so a config read from the file and one
/// read through `pvesh` agree. Other digests (HA sections, generated ids) are stand-ins derived from
/// the content: they change whenever the content does.
enum ConfigDigest {
  /// A 40-hex-digit stand-in derived from the content (not a file's SHA-1).
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

  static func sha1(_ bytes: [UInt8]) -> String {
    Insecure.SHA1.hash(data: bytes).map { byte in
      let hex = String(byte, radix: 16)
      return hex.count == 1 ? "0" + hex : hex
    }.joined()
  }

  /// A guest config object with its `digest` set to the SHA-1 of the file it is written as.
  static func stamped(_ config: [String: JSONValue], kind: GuestKind) -> [String: JSONValue] {
    var c = config
    c["digest"] = nil
    c["digest"] = .string(sha1(GuestConfigText.bytes(c, kind: kind)))
    return c
  }
}
