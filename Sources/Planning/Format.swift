import Foundation
import PVEModel

/// Number formats shared by plan texts and views (fixed, locale-free).
enum Format {
  /// `5.50`.
  static func ratio(_ value: Double) -> String { String(format: "%.2f", value) }

  /// `35 %`.
  static func percent(_ fraction: Double) -> String {
    String(format: "%.0f %%", (fraction * 100).rounded())
  }

  /// `12.5 GiB` (binary units).
  static func bytes(_ value: Int64) -> String { ByteSize.binary(value) }
  /// `1 migration`, `2 migrations`.
  static func count(_ n: Int, _ singular: String, _ plural: String? = nil) -> String {
    "\(n) \(n == 1 ? singular : (plural ?? singular + "s"))"
  }
}
