import PVEModel

/// Sizes, fractions and durations as a playbook may spell them.
extension PlaybookNode {
  /// Bytes from `4GiB`, `4G`, `512 MiB` or a plain byte count (binary units, as Proxmox).
  func size(example: String) throws(PlaybookError) -> Int64 {
    let text = try scalarText(expected: "a size", example: "\(key): \(example)")
    let compact = String(text.filter { $0 != " " })
    guard let bytes = ByteSize.parse(compact), bytes >= 0 else {
      throw typeError("a size like 4GiB, 512MiB or a byte count", example: "\(key): \(example)")
    }
    return bytes
  }

  /// A fraction 0…1 from `0.1` or `10%`.
  func fraction(example: String) throws(PlaybookError) -> Double {
    let text = try scalarText(expected: "a fraction", example: "\(key): \(example)").trimmingSpaces
    let value: Double
    if text.hasSuffix("%") {
      guard let percent = Double(String(text.dropLast()).trimmingSpaces), percent.isFinite else {
        throw typeError(
          "a fraction like 0.1 or a percentage like 10%", example: "\(key): \(example)")
      }
      value = percent / 100
    } else {
      guard let plain = Double(text), plain.isFinite else {
        throw typeError(
          "a fraction like 0.1 or a percentage like 10%", example: "\(key): \(example)")
      }
      if plain > 1 && plain <= 100 {
        throw error(
          "\(subject) must be a fraction between 0 and 1, got \(text); write '\(text)%' or \(plain / 100)"
        )
      }
      value = plain
    }
    guard value >= 0 && value <= 1 else {
      throw error(
        "\(subject) must be between 0 and 1 (0% and 100%), got \(text); example: \(key): \(example)"
      )
    }
    return value
  }

  /// Longest duration a playbook may state: one week (a longer wait is a typo).
  static var maxDuration: Int { 7 * 24 * 3600 }

  /// Seconds from `900`, `90s`, `15m`, `1h` or `1h30m`; at most one week.
  func duration(example: String) throws(PlaybookError) -> Int {
    let text = try scalarText(expected: "a duration", example: "\(key): \(example)").trimmingSpaces
    let fail = typeError(
      "a duration like 900 (seconds), 90s, 15m or 1h30m", example: "\(key): \(example)")
    let tooLong = error(
      "\(subject) must be at most one week (168h), got \(text); example: \(key): \(example)")
    if let seconds = Int(text) {
      guard seconds > 0 else {
        throw error("\(subject) must be positive; example: \(key): \(example)")
      }
      guard seconds <= Self.maxDuration else { throw tooLong }
      return seconds
    }
    var total = 0
    var digits = ""
    var sawUnit = false
    for character in text.lowercased() where character != " " {
      if character.isASCII && character.isNumber {
        digits.append(character)
        continue
      }
      let unit: Int
      switch character {
      case "h": unit = 3600
      case "m": unit = 60
      case "s": unit = 1
      default: throw fail
      }
      guard let amount = Int(digits) else { throw digits.isEmpty ? fail : tooLong }
      let (part, overflow) = amount.multipliedReportingOverflow(by: unit)
      guard !overflow, part <= Self.maxDuration else { throw tooLong }
      total += part
      guard total <= Self.maxDuration else { throw tooLong }
      digits = ""
      sawUnit = true
    }
    guard sawUnit, digits.isEmpty else { throw fail }
    guard total > 0 else { throw error("\(subject) must be positive; example: \(key): \(example)") }
    return total
  }
}
