import Crypto
import Foundation

/// The digest that names a plan in journals and exports: `sha256:<hex>` of the plan file's bytes.
///
/// The file's bytes, not a re-encoding: what the reviewer read is what is named. Plans that never
/// were a file (an undo plan) are named by the digest of their encoded bytes.
package enum PlanDigest {
  package static func of(_ bytes: Data) -> String {
    "sha256:"
      + SHA256.hash(data: bytes).map { byte in
        let hex = String(byte, radix: 16)
        return hex.count == 1 ? "0" + hex : hex
      }.joined()
  }
}
