/// A moment in UTC as a civil date and time, from and to seconds since 1970: the one calendar
/// conversion of the code base (Howard Hinnant's days-from-civil and civil-from-days algorithms).
///
/// Pure arithmetic: no clock, no `Foundation` formatter, no time zone but UTC (an RFC 3339 offset is
/// folded in when parsing). Valid for every `Int64` epoch a Proxmox cluster can name.
package struct UTCDate: Sendable, Hashable, Comparable {
  package var year: Int64
  /// 1…12.
  package var month: Int64
  /// 1…31.
  package var day: Int64
  /// 0…86 399.
  package var secondOfDay: Int64

  package var hour: Int64 { secondOfDay / 3600 }
  package var minute: Int64 { secondOfDay % 3600 / 60 }
  package var second: Int64 { secondOfDay % 60 }

  package init(year: Int64, month: Int64, day: Int64, secondOfDay: Int64 = 0) {
    self.year = year
    self.month = month
    self.day = day
    self.secondOfDay = secondOfDay
  }

  /// The civil date of `epoch` (seconds since 1970-01-01T00:00:00Z).
  package init(epoch: Int64) {
    let days = Self.floorDiv(epoch, 86_400)
    secondOfDay = epoch - days * 86_400
    let z = days + 719_468
    let era = Self.floorDiv(z, 146_097)
    let doe = z - era * 146_097
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
    let mp = (5 * doy + 2) / 153
    day = doy - (153 * mp + 2) / 5 + 1
    month = mp < 10 ? mp + 3 : mp - 9
    year = yoe + era * 400 + (month <= 2 ? 1 : 0)
  }

  /// Seconds since 1970-01-01T00:00:00Z.
  package var epoch: Int64 {
    let yy = month <= 2 ? year - 1 : year
    let era = Self.floorDiv(yy, 400)
    let yoe = yy - era * 400
    let mp = (month + 9) % 12
    let doy = (153 * mp + 2) / 5 + day - 1
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
    return (era * 146_097 + doe - 719_468) * 86_400 + secondOfDay
  }

  /// Days since 1970-01-01 (Thursday).
  package var daysSinceEpoch: Int64 { Self.floorDiv(epoch, 86_400) }

  /// 0 = Sunday … 6 = Saturday.
  package var weekday: Int { Int((daysSinceEpoch % 7 + 11) % 7) }

  /// `2025-11-09T10:00:00Z` (RFC 3339, `Z`, `±hh:mm`, fractional seconds ignored) → the moment in
  /// UTC; nil if unreadable.
  package init?(rfc3339 text: String) {
    let chars = Array(text.utf8)
    func num(_ a: Int, _ n: Int) -> Int64? {
      guard a + n <= chars.count else { return nil }
      var v: Int64 = 0
      for c in chars[a..<a + n] {
        guard c >= 48 && c <= 57 else { return nil }
        v = v * 10 + Int64(c - 48)
      }
      return v
    }
    guard chars.count >= 19, let y = num(0, 4), let m = num(5, 2), let d = num(8, 2),
      let hh = num(11, 2), let mm = num(14, 2), let ss = num(17, 2), (1...12).contains(m),
      (1...31).contains(d), hh < 24, mm < 60, ss < 61
    else { return nil }
    var offset: Int64 = 0
    var i = 19
    if i < chars.count, chars[i] == UInt8(ascii: ".") {
      i += 1
      while i < chars.count, chars[i] >= 48 && chars[i] <= 57 { i += 1 }
    }
    if i < chars.count, chars[i] == UInt8(ascii: "+") || chars[i] == UInt8(ascii: "-") {
      guard let oh = num(i + 1, 2), let om = num(i + 4, 2) else { return nil }
      offset = (oh * 3600 + om * 60) * (chars[i] == UInt8(ascii: "+") ? 1 : -1)
    }
    let local = UTCDate(year: y, month: m, day: d, secondOfDay: hh * 3600 + mm * 60 + ss)
    self.init(epoch: local.epoch - offset)
  }

  /// Seconds since 1970 of an RFC 3339 text; nil if unreadable.
  package static func epoch(rfc3339 text: String) -> Int64? { UTCDate(rfc3339: text)?.epoch }

  /// `2026-01-14T21:00:00Z`.
  package var rfc3339: String {
    "\(date)T\(Self.two(hour)):\(Self.two(minute)):\(Self.two(second))Z"
  }

  /// `2026-01-14`.
  package var date: String { "\(year)-\(Self.two(month))-\(Self.two(day))" }

  /// `2025-11-08 21:00 UTC`.
  package var minuteText: String { "\(date) \(Self.two(hour)):\(Self.two(minute)) UTC" }

  /// Two digits, zero-padded.
  package static func two(_ v: Int64) -> String { v < 10 && v >= 0 ? "0\(v)" : "\(v)" }

  package static func < (a: UTCDate, b: UTCDate) -> Bool { a.epoch < b.epoch }

  static func floorDiv(_ a: Int64, _ b: Int64) -> Int64 { a >= 0 ? a / b : (a - b + 1) / b }
}
