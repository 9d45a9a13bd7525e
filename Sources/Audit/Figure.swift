import Foundation

/// Rounding and formatting of the report's numbers: fixed decimals, no locale, no clock.
package enum Figure {
  /// `value` rounded to `places` decimals (half away from zero).
  package static func round(_ value: Double, _ places: Int) -> Double {
    guard value.isFinite else { return 0 }
    let scale = pow(10, Double(places))
    return (value * scale).rounded() / scale
  }

  /// `18.7%` from 0.187 (one decimal).
  package static func percent(_ fraction: Double, places: Int = 1) -> String {
    String(format: "%.\(places)f%%", round(fraction * 100, places))
  }

  /// `46 %`-style whole percent: `46%`.
  package static func wholePercent(_ fraction: Double) -> String {
    let whole = round(fraction * 100, 0)
    // Beyond ±10^15 % is no figure anyone reads; it also keeps Int(_:) from trapping.
    return "\(Int(min(max(whole, -1e15), 1e15)))%"
  }

  /// A number with fixed decimals: `7.2`.
  package static func fixed(_ value: Double, _ places: Int = 1) -> String {
    String(format: "%.\(places)f", round(value, places))
  }

  /// A fraction that is 0 when the whole is 0.
  package static func share(_ part: Double, of whole: Double) -> Double {
    whole > 0 ? part / whole : 0
  }

  /// Uptime as Proxmox users say it: `3 days`, `5 h`, `12 min`.
  package static func uptime(_ seconds: Int64) -> String {
    if seconds <= 0 { return "—" }
    let days = seconds / 86_400
    if days >= 1 { return days == 1 ? "1 day" : "\(days) days" }
    let hours = seconds / 3_600
    if hours >= 1 { return "\(hours) h" }
    return "\(seconds / 60) min"
  }
}
