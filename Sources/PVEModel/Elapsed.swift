/// Spans of time as every view writes them (fixed, locale-free): one spelling for plan outages,
/// measured restore times, backup ages and rolling maintenance windows.
package enum Elapsed {
  /// `45 s`, `3 min`, `3 min 20 s`, `1 h`, `1 h 5 min` (seconds rounded).
  package static func duration(_ seconds: Int64) -> String {
    let s = max(0, seconds)
    if s < 60 { return "\(s) s" }
    if s < 3600 { return s % 60 == 0 ? "\(s / 60) min" : "\(s / 60) min \(s % 60) s" }
    let m = s % 3600 / 60
    return m == 0 ? "\(s / 3600) h" : "\(s / 3600) h \(m) min"
  }

  /// ``duration(_:)`` of a measured time in (fractional) seconds.
  package static func duration(_ seconds: Double) -> String {
    duration(Int64(seconds.rounded()))
  }

  /// ``duration(_:)`` of a whole number of seconds.
  package static func duration(_ seconds: Int) -> String { duration(Int64(seconds)) }

  /// An age to the hour: `3 d 4 h`, `3 d`, `5 h`, `12 min` (negative ages count as 0).
  package static func age(_ seconds: Int64) -> String {
    let s = max(0, seconds)
    if s >= 86_400 {
      let h = s % 86_400 / 3600
      return h == 0 ? "\(s / 86_400) d" : "\(s / 86_400) d \(h) h"
    }
    if s >= 3600 { return "\(s / 3600) h" }
    return "\(s / 60) min"
  }
}
