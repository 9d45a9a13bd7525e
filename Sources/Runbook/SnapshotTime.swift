/// Times as the runbook shows them, from the snapshot's own clock (`collectedAt`), never the
/// machine's. (A copy until PVEModel has one UTC date type; then this goes.)
enum SnapshotTime {
  /// Seconds since 1970 of an RFC 3339 time (`2025-11-09T10:00:00Z`, `…+01:00`, fractions
  /// ignored); nil when it is not one.
  static func epoch(_ text: String) -> Int64? {
    let u = Array(text.utf8)
    guard u.count >= 19 else { return nil }
    func num(_ from: Int, _ count: Int) -> Int64? {
      var v: Int64 = 0
      for i in from..<(from + count) {
        guard u[i] >= 48, u[i] <= 57 else { return nil }
        v = v * 10 + Int64(u[i] - 48)
      }
      return v
    }
    guard let y = num(0, 4), let mo = num(5, 2), let d = num(8, 2), let h = num(11, 2),
      let mi = num(14, 2), let s = num(17, 2), (1...12).contains(mo), (1...31).contains(d)
    else { return nil }
    var i = 19
    if i < u.count, u[i] == UInt8(ascii: ".") {
      i += 1
      while i < u.count, u[i] >= 48, u[i] <= 57 { i += 1 }
    }
    var offset: Int64 = 0
    if i < u.count, u[i] == UInt8(ascii: "+") || u[i] == UInt8(ascii: "-") {
      guard i + 6 <= u.count, let oh = num(i + 1, 2), let om = num(i + 4, 2) else { return nil }
      offset = (oh * 3600 + om * 60) * (u[i] == UInt8(ascii: "-") ? -1 : 1)
    }
    // Days from civil (Howard Hinnant's algorithm).
    let yy = mo <= 2 ? y - 1 : y
    let era = (yy >= 0 ? yy : yy - 399) / 400
    let yoe = yy - era * 400
    let doy = (153 * (mo > 2 ? mo - 3 : mo + 9) + 2) / 5 + d - 1
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
    let days = era * 146_097 + doe - 719_468
    return days * 86_400 + h * 3600 + mi * 60 + s - offset
  }

  /// `3 d 4 h`, `5 h`, `12 min`, `just before the snapshot`.
  static func age(_ seconds: Int64) -> String {
    if seconds < 60 { return "just before the snapshot" }
    let d = seconds / 86_400
    let h = seconds % 86_400 / 3600
    if d > 0 { return h > 0 ? "\(d) d \(h) h" : "\(d) d" }
    if h > 0 { return "\(h) h" }
    return "\(seconds / 60) min"
  }

  /// `42 s`, `3 min 5 s`, `1 h 2 min`.
  static func duration(_ seconds: Double) -> String {
    let s = Int64(seconds.rounded())
    if s < 60 { return "\(s) s" }
    if s < 3600 { return s % 60 == 0 ? "\(s / 60) min" : "\(s / 60) min \(s % 60) s" }
    return "\(s / 3600) h \(s % 3600 / 60) min"
  }
}
