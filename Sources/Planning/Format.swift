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

  /// `45 s`, `3 min 20 s`, `1 h 5 min`.
  static func duration(_ seconds: Int) -> String {
    if seconds < 60 { return "\(seconds) s" }
    if seconds < 3600 {
      let s = seconds % 60
      return s == 0 ? "\(seconds / 60) min" : "\(seconds / 60) min \(s) s"
    }
    let m = (seconds % 3600) / 60
    return m == 0 ? "\(seconds / 3600) h" : "\(seconds / 3600) h \(m) min"
  }

  /// `1 migration`, `2 migrations`.
  static func count(_ n: Int, _ singular: String, _ plural: String? = nil) -> String {
    "\(n) \(n == 1 ? singular : (plural ?? singular + "s"))"
  }
}
