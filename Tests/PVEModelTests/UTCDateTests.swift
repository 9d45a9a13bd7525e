import Foundation
import PVEModel
import Testing

/// `UTCDate`: the one epoch ↔ civil ↔ RFC 3339 conversion (review finding: four copies before).
@Suite struct UTCDateTests {
  @Test func knownMoments() {
    #expect(UTCDate(epoch: 0).rfc3339 == "1970-01-01T00:00:00Z")
    #expect(UTCDate(epoch: 1_762_682_400).rfc3339 == "2025-11-09T10:00:00Z")
    #expect(UTCDate(epoch: 951_782_400).date == "2000-02-29")  // leap day of a 400-year leap
    #expect(UTCDate(epoch: -1).rfc3339 == "1969-12-31T23:59:59Z")
    #expect(UTCDate(epoch: 1_762_635_600).minuteText == "2025-11-08 21:00 UTC")
    #expect(UTCDate(epoch: 0).weekday == 4)  // Thursday
  }

  @Test func parsesRFC3339WithOffsetsAndFractions() {
    #expect(UTCDate.epoch(rfc3339: "2025-11-09T10:00:00Z") == 1_762_682_400)
    #expect(UTCDate.epoch(rfc3339: "2025-11-09T12:00:00+02:00") == 1_762_682_400)
    #expect(UTCDate.epoch(rfc3339: "2025-11-09T09:30:00.123-00:30") == 1_762_682_400)
    for bad in [
      "", "2025-11-09", "2025-13-09T10:00:00Z", "2025-11-09T25:00:00Z", "yyyy-11-09T10:00:00Z",
    ] {
      #expect(UTCDate(rfc3339: bad) == nil, "\(bad)")
    }
  }

  @Test("round trip: epoch → civil → epoch, and agrees with Foundation's calendar")
  func roundTripAgreesWithFoundation() throws {
    var calendar = Calendar(identifier: .gregorian)
    calendar.timeZone = try #require(TimeZone(identifier: "UTC"))
    var e: Int64 = -2_208_988_800  // 1900
    while e < 4_102_444_800 {  // 2100
      let d = UTCDate(epoch: e)
      #expect(d.epoch == e)
      #expect(UTCDate(rfc3339: d.rfc3339)?.epoch == e)
      let c = calendar.dateComponents(
        [.year, .month, .day, .hour], from: Date(timeIntervalSince1970: TimeInterval(e)))
      #expect(
        [d.year, d.month, d.day, d.hour]
          == [c.year, c.month, c.day, c.hour].map { Int64($0 ?? -1) })
      e += 7_777_777
    }
  }
}
