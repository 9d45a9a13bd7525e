import Foundation

/// Sizes as Proxmox writes them in guest configs (`size=32G`, `3325654K`, `4M`, plain bytes).
///
/// Units are binary (`parse_size` in pve-common): K = 1024.
package enum ByteSize {
  /// Parses `^\d+(\.\d+)?([KMGT](iB)?)?$` (also lower case `k m g t`, and a trailing `B`); nil if not a
  /// size or beyond `Int64`.
  package static func parse(_ text: String) -> Int64? {
    var s = Substring(text.trimmingSpaces)
    guard !s.isEmpty else { return nil }
    if s.hasSuffix("iB") { s = s.dropLast(2) } else if s.hasSuffix("B") { s = s.dropLast() }
    var multiplier: Double = 1
    if let last = s.last, last.isLetter {
      switch last.uppercased() {
      case "K": multiplier = 1024
      case "M": multiplier = 1024 * 1024
      case "G": multiplier = 1024 * 1024 * 1024
      case "T": multiplier = 1024 * 1024 * 1024 * 1024
      case "P": multiplier = 1024 * 1024 * 1024 * 1024 * 1024
      default: return nil
      }
      s = s.dropLast()
    }
    guard !s.isEmpty, s.allSatisfy({ $0.isNumber || $0 == "." }), let v = Double(s) else {
      return nil
    }
    // Beyond Int64 (`99999999999999999999G`) is not a size anything can hold.
    return JSONValue.integer((v * multiplier).rounded())
  }

  /// Binary units for memory and guest disks: `512 MiB`, `31.0 GiB`, `1.50 TiB`.
  package static func binary(_ bytes: Int64) -> String {
    let units = ["B", "KiB", "MiB", "GiB", "TiB", "PiB"]
    var v = Double(bytes)
    var i = 0
    while abs(v) >= 1024, i < units.count - 1 {
      v /= 1024
      i += 1
    }
    if i == 0 { return "\(bytes) B" }
    return String(format: v >= 100 ? "%.0f %@" : "%.1f %@", v, units[i])
  }

  /// Decimal units for storage pools, as vendors and the seed report state them: `899 GB`, `4.42 TB`.
  package static func decimal(_ bytes: Int64) -> String {
    let units = ["B", "kB", "MB", "GB", "TB", "PB"]
    var v = Double(bytes)
    var i = 0
    while abs(v) >= 1000, i < units.count - 1 {
      v /= 1000
      i += 1
    }
    if i == 0 { return "\(bytes) B" }
    return String(format: v >= 100 ? "%.0f %@" : (v >= 10 ? "%.1f %@" : "%.2f %@"), v, units[i])
  }

  package static let gib: Int64 = 1024 * 1024 * 1024
  package static let mib: Int64 = 1024 * 1024
}
