import Testing

@testable import Playbook

/// Proxmox calendar events are accepted; cron and malformed events are refused.
@Suite struct CalendarEventTests {
  @Test(arguments: [
    "02:00", "2:00", "21:00", "daily", "weekly", "mon..fri 22:00", "sat 03:00", "*/5",
    "mon..fri 8..17,22:0/15", "*-05", "Sat *-1..7 15:00", "sun", "2025-01-01 00:00",
    "mon,wed,fri 01:30:15", "semiannually",
  ])
  func accepts(_ event: String) {
    #expect(CalendarEvent.problem(in: event) == nil)
  }

  @Test(arguments: [
    "0 2 * * *", "*/15 * * * *", "25:00", "02:61", "funday 02:00", "02:00 extra", "", "1-2-3-4",
    "mon..fri 22:00:00:00",
  ])
  func refuses(_ event: String) {
    #expect(CalendarEvent.problem(in: event) != nil)
  }

  @Test func cronMessageNamesTheFormat() throws {
    let problem = try #require(CalendarEvent.problem(in: "0 2 * * *"))
    #expect(problem.contains("looks like cron"))
  }
}
