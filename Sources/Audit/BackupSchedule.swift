import PVEModel

/// How often a backup job runs, read from its Proxmox calendar event (`21:00`, `mon..fri 22:00`,
/// `sat 03:00`, `*-01 04:30`, `daily`, `weekly`, …; pve-docs `calendar-events.adoc`), and the
/// snapshot's time as seconds since 1970. Pure: no clock.
package enum BackupSchedule {
  /// The longest gap between two runs, in seconds; nil when the event is not understood.
  ///
  /// Weekday lists give the longest gap between listed days (`mon..fri` → 3 days, over the
  /// weekend); a date part with a fixed day of the month counts as monthly (31 days), a fixed month
  /// as yearly; otherwise the hour list decides (`*` or `*/2` → hours apart), else one day.
  package static func interval(_ schedule: String) -> Int64? {
    let text = schedule.lowercased().split(separator: " ").map(String.init)
    guard !text.isEmpty else { return nil }
    let hour: Int64 = 3600
    let day: Int64 = 86_400
    if text.count == 1 {
      switch text[0] {
      case "minutely": return 60
      case "hourly": return hour
      case "daily": return day
      case "weekly": return 7 * day
      case "monthly": return 31 * day
      case "quarterly": return 92 * day
      case "semiannually", "semi-annually": return 183 * day
      case "yearly", "annually": return 366 * day
      default: break
      }
    }
    var weekdays: Set<Int>?
    var datePart: String?
    var timePart: String?
    for token in text {
      if token.contains(":") {
        timePart = token
      } else if token.first?.isLetter == true {
        guard let days = self.weekdays(token) else { return nil }
        weekdays = days
      } else if token.contains("-") {
        datePart = token
      } else {
        return nil
      }
    }
    if let date = datePart {
      let parts = date.split(separator: "-").map(String.init)
      let dayField = parts.last ?? "*"
      let monthField = parts.count >= 2 ? parts[parts.count - 2] : "*"
      if monthField != "*" && !monthField.contains("/") { return 366 * day }
      if dayField != "*" && !dayField.contains("/") { return 31 * day }
    }
    if let days = weekdays, !days.isEmpty, days.count < 7 {
      let sorted = days.sorted()
      var gap = 0
      for (i, d) in sorted.enumerated() {
        let next = i + 1 < sorted.count ? sorted[i + 1] : sorted[0] + 7
        gap = max(gap, next - d)
      }
      return Int64(gap) * day
    }
    if let time = timePart {
      let hours = time.split(separator: ":").first.map(String.init) ?? "*"
      if let list = values(hours, range: 0...23), list.count > 1 {
        let sorted = list.sorted()
        var gap = 0
        for (i, h) in sorted.enumerated() {
          let next = i + 1 < sorted.count ? sorted[i + 1] : sorted[0] + 24
          gap = max(gap, next - h)
        }
        return Int64(gap) * hour
      }
    }
    return day
  }

  /// `mon`, `mon..fri`, `sat,sun` → day numbers (mon = 0).
  static func weekdays(_ token: String) -> Set<Int>? {
    let names = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
    func index(_ s: Substring) -> Int? { names.firstIndex { s.hasPrefix($0) } }
    var out = Set<Int>()
    for part in token.split(separator: ",") {
      let range = part.components(separatedBy: "..")
      if range.count == 2 {
        guard let a = index(Substring(range[0])), let b = index(Substring(range[1])) else {
          return nil
        }
        var d = a
        while true {
          out.insert(d)
          if d == b { break }
          d = (d + 1) % 7
        }
      } else {
        guard let d = index(part) else { return nil }
        out.insert(d)
      }
    }
    return out
  }

  /// `*`, `N`, `N..M`, `N/R`, `*/R`, comma lists → the values within `range`.
  static func values(_ field: String, range: ClosedRange<Int>) -> Set<Int>? {
    var out = Set<Int>()
    for part in field.split(separator: ",") {
      let bits = part.split(separator: "/", maxSplits: 1)
      let step = bits.count == 2 ? Int(bits[1]) ?? 0 : 0
      let head = String(bits[0])
      var lo = range.lowerBound
      var hi = range.upperBound
      if head != "*" {
        let r = head.components(separatedBy: "..")
        guard let a = Int(r[0]) else { return nil }
        lo = a
        hi = r.count == 2 ? (Int(r[1]) ?? a) : (step > 0 ? range.upperBound : a)
      }
      guard lo <= hi else { return nil }
      var v = lo
      while v <= hi {
        if range.contains(v) { out.insert(v) }
        v += max(1, step)
        if step == 0 && head != "*" && lo == hi { break }
      }
    }
    return out
  }

  /// `2025-11-09T10:00:00Z` (RFC 3339, `Z` or `±hh:mm`) → seconds since 1970; nil if unreadable.
  package static func epoch(_ text: String) -> Int64? { UTCDate.epoch(rfc3339: text) }

}
