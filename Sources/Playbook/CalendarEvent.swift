/// Checks Proxmox calendar events (`pve-calendar-event`, the `schedule` of backup jobs):
/// `[WEEKDAY] [[YEARS-]MONTHS-DAYS] [HOURS:MINUTES[:SECONDS]]`, or a special word such as `daily`.
///
/// Validation only: the text is passed to Proxmox verbatim. Cron (`0 2 * * *`) is refused.
package enum CalendarEvent {
  /// The words Proxmox accepts alone.
  package static let specialWords = [
    "minutely", "hourly", "daily", "weekly", "monthly", "yearly", "annually", "quarterly",
    "semiannually", "semi-annually",
  ]

  /// Examples for messages.
  package static let examples = "'02:00', 'daily', 'mon..fri 22:00', 'sat 03:00', '*-01 04:30'"

  private static let weekdays = [
    "mon", "tue", "wed", "thu", "fri", "sat", "sun", "monday", "tuesday", "wednesday", "thursday",
    "friday", "saturday", "sunday",
  ]

  /// Nil when `text` is a valid calendar event, else why not (lower case, ends with the fix).
  package static func problem(in text: String) -> String? {
    let trimmed = text.trimmingSpaces
    if trimmed.isEmpty { return "is empty; use a calendar event such as \(examples)" }
    if trimmed.count > 128 { return "is longer than 128 characters, the most Proxmox accepts" }
    let tokens = trimmed.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
    if looksLikeCron(tokens) {
      return "'\(trimmed)' looks like cron; Proxmox backup schedules use calendar events "
        + "([WEEKDAY] [[YEARS-]MONTHS-DAYS] [HOURS:MINUTES[:SECONDS]]), e.g. \(examples)"
    }
    if tokens.count == 1, specialWords.contains(tokens[0].lowercased()) { return nil }
    var rest = tokens[...]
    if let first = rest.first, first.first?.isLetter == true {
      if let issue = weekdayProblem(first) { return issue }
      rest = rest.dropFirst()
    }
    if let next = rest.first, next.contains("-") {
      if let issue = dateProblem(next) { return issue }
      rest = rest.dropFirst()
    }
    if let next = rest.first {
      if let issue = timeProblem(next) { return issue }
      rest = rest.dropFirst()
    }
    if let extra = rest.first {
      return "has an unexpected part '\(extra)'; the format is "
        + "[WEEKDAY] [[YEARS-]MONTHS-DAYS] [HOURS:MINUTES[:SECONDS]], e.g. \(examples)"
    }
    return nil
  }

  /// Five or six fields of digits, `*`, `,`, `-` and `/` without any `:`.
  private static func looksLikeCron(_ tokens: [String]) -> Bool {
    guard tokens.count >= 5 && tokens.count <= 6 else { return false }
    return tokens.allSatisfy { token in
      token.allSatisfy { $0.isASCII && ($0.isNumber || "*,-/".contains($0)) }
    }
  }

  private static func weekdayProblem(_ token: String) -> String? {
    for part in token.lowercased().split(separator: ",", omittingEmptySubsequences: false) {
      let ends = part.split(separator: "..", omittingEmptySubsequences: false).map(String.init)
      guard ends.count <= 2, ends.allSatisfy({ weekdays.contains($0) }) else {
        return
          "has '\(token)' where a weekday belongs; use mon..sun with ',' and '..', e.g. 'mon..fri 22:00'"
      }
    }
    return nil
  }

  private static func dateProblem(_ token: String) -> String? {
    let fields = token.split(separator: "-", omittingEmptySubsequences: false).map(String.init)
    let ranges: [ClosedRange<Int>]
    switch fields.count {
    case 2: ranges = [1...12, 1...31]
    case 3: ranges = [1970...9999, 1...12, 1...31]
    default:
      return
        "has a date '\(token)' that is not [YEARS-]MONTHS-DAYS; e.g. '*-01 04:30' (the 1st of every month)"
    }
    for (field, range) in zip(fields, ranges) {
      if let issue = fieldProblem(field, range: range, in: token) { return issue }
    }
    return nil
  }

  private static func timeProblem(_ token: String) -> String? {
    let fields = token.split(separator: ":", omittingEmptySubsequences: false).map(String.init)
    let ranges: [ClosedRange<Int>]
    switch fields.count {
    case 1: ranges = [0...59]  // a bare number is minutes
    case 2: ranges = [0...23, 0...59]
    case 3: ranges = [0...23, 0...59, 0...59]
    default:
      return "has a time '\(token)' that is not HOURS:MINUTES[:SECONDS]; e.g. '02:00'"
    }
    for (field, range) in zip(fields, ranges) {
      if let issue = fieldProblem(field, range: range, in: token) { return issue }
    }
    return nil
  }

  /// A comma list of `*`, `N`, `N..M`, each optionally `/R`.
  private static func fieldProblem(_ field: String, range: ClosedRange<Int>, in token: String)
    -> String?
  {
    let bad =
      "has '\(field)' in '\(token)'; each part is *, N, N..M or N/R with N in \(range.lowerBound)..\(range.upperBound), e.g. \(examples)"
    for item in field.split(separator: ",", omittingEmptySubsequences: false) {
      let pieces = item.split(separator: "/", omittingEmptySubsequences: false)
      guard pieces.count <= 2 else { return bad }
      if pieces.count == 2 {
        guard let repeatValue = Int(pieces[1]), repeatValue > 0 else { return bad }
      }
      let base = String(pieces[0])
      if base == "*" { continue }
      let ends = base.split(separator: "..", omittingEmptySubsequences: false).map(String.init)
      guard ends.count <= 2 else { return bad }
      for end in ends {
        guard let value = Int(end), range.contains(value) else { return bad }
      }
    }
    return nil
  }
}
