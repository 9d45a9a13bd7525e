import Foundation

/// One parameter of a Proxmox API method, as its JSON schema defines it (`endpoints.json`).
package struct Parameter: Sendable, Hashable {
  /// The JSON schema type.
  package enum Kind: String, Sendable, Hashable {
    case boolean, integer, number, string
  }

  /// The PVE `format` names the stand-ins check.
  package enum Format: Sendable, Hashable {
    case node, vmid, vmidList, storageID, configID, haResourceOrVMID, haResourceIDList, haNodeList
    case calendarEvent, pruneBackups, storagePairList, dayOfWeekList
    /// A property string with these keys (`fleecing`, `performance`); `defaultKey` may be omitted.
    case propertyString(keys: [String], defaultKey: String?)
  }

  package var name: String
  package var kind: Kind
  package var optional: Bool
  package var enumValues: [String]?
  package var minimum: Int64?
  package var maximum: Int64?
  package var maxLength: Int?
  package var format: Format?

  package init(
    _ name: String, _ kind: Kind, optional: Bool = true, enumValues: [String]? = nil,
    minimum: Int64? = nil, maximum: Int64? = nil, maxLength: Int? = nil, format: Format? = nil
  ) {
    self.name = name
    self.kind = kind
    self.optional = optional
    self.enumValues = enumValues
    self.minimum = minimum
    self.maximum = maximum
    self.maxLength = maxLength
    self.format = format
  }

  /// Checks a value the way `PVE::JSONSchema::check_prop` does; returns the normalised value
  /// (booleans as `1`/`0`) or the reason printed after `<name>: `.
  func check(_ value: String) -> Result<String, Refusal> {
    switch kind {
    case .boolean:
      switch value.lowercased() {
      case "1", "on", "yes", "true": return .success("1")
      case "0", "off", "no", "false": return .success("0")
      default: return .failure(Refusal("type check ('boolean') failed - got '\(value)'"))
      }
    case .integer:
      guard let n = Int64(value) else {
        return .failure(Refusal("type check ('integer') failed - got '\(value)'"))
      }
      if let minimum, n < minimum {
        return .failure(Refusal("value must have a minimum value of \(minimum)"))
      }
      if let maximum, n > maximum {
        return .failure(Refusal("value must have a maximum value of \(maximum)"))
      }
      if format == .vmid, n < 100 {
        return .failure(Refusal("value does not look like a valid VM ID"))
      }
      return .success(String(n))
    case .number:
      guard let n = Double(value), n.isFinite else {
        return .failure(Refusal("type check ('number') failed - got '\(value)'"))
      }
      if let minimum, n < Double(minimum) {
        return .failure(Refusal("value must have a minimum value of \(minimum)"))
      }
      return .success(value)
    case .string:
      if let maxLength, value.count > maxLength {
        return .failure(Refusal("value may only be \(maxLength) characters long"))
      }
      if let enumValues, !enumValues.contains(value) {
        return .failure(
          Refusal(
            "value '\(value)' does not have a value in the enumeration '\(enumValues.joined(separator: ", "))'"
          ))
      }
      if let format, let reason = Parameter.check(format: format, value) {
        return .failure(Refusal(reason))
      }
      return .success(value)
    }
  }

  /// A reason text, carried in `Result`.
  package struct Refusal: Error, Sendable, Hashable {
    package var reason: String
    init(_ reason: String) { self.reason = reason }
  }

  static let pruneKeys: Set<String> = [
    "keep-all", "keep-last", "keep-hourly", "keep-daily", "keep-weekly", "keep-monthly",
    "keep-yearly",
  ]
  static let calendarSpecials: Set<String> = [
    "minutely", "hourly", "daily", "weekly", "monthly", "yearly", "annually", "quarterly",
    "semiannually",
  ]

  static func isNodeName(_ s: String) -> Bool {
    guard !s.isEmpty, s.count <= 63, let first = s.first, let last = s.last,
      first.isASCII, first.isLetter || first.isNumber, last.isASCII, last.isLetter || last.isNumber
    else { return false }
    return s.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-") }
  }

  static func isConfigID(_ s: String) -> Bool {
    guard s.count >= 2, let first = s.first, first.isASCII, first.isLetter else { return false }
    return s.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_") }
  }

  static func isStorageID(_ s: String) -> Bool {
    guard s.count >= 2, let first = s.first, first.isASCII, first.isLetter, let last = s.last,
      last.isASCII, last.isLetter || last.isNumber
    else { return false }
    return s.allSatisfy {
      $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" || $0 == ".")
    }
  }

  static func isVMID(_ s: String) -> Bool {
    guard let first = s.first, first != "0", (3...9).contains(s.count) else { return false }
    return s.allSatisfy { $0.isASCII && $0.isNumber }
  }

  static func isSID(_ s: String) -> Bool {
    let parts = s.split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false)
    guard parts.count == 2, parts[0] == "vm" || parts[0] == "ct" else { return false }
    let name = parts[1]
    guard name.count >= 2, let first = name.first, first != "0" else { return false }
    return name.allSatisfy { $0.isASCII && $0.isNumber }
  }

  /// Nil when the value has the format, otherwise the reason.
  static func check(format: Format, _ value: String) -> String? {
    switch format {
    case .node:
      return isNodeName(value) ? nil : "value does not look like a valid node name"
    case .vmid:
      return isVMID(value) ? nil : "value does not look like a valid VM ID"
    case .vmidList:
      for item in value.split(separator: ",", omittingEmptySubsequences: false)
      where !isVMID(item.trimmingCharacters(in: .whitespaces)) {
        return "value '\(item)' does not look like a valid VM ID"
      }
      return nil
    case .storageID:
      return isStorageID(value) ? nil : "storage ID '\(value)' contains illegal characters"
    case .configID:
      return isConfigID(value) ? nil : "invalid configuration ID '\(value)'"
    case .haResourceOrVMID:
      if isSID(value) || (value.count >= 2 && value.allSatisfy(\.isNumber) && value.first != "0") {
        return nil
      }
      return "invalid format - unable to parse HA resource ID '\(value)'"
    case .haResourceIDList:
      for item in value.split(separator: ",", omittingEmptySubsequences: false)
      where !isSID(String(item)) {
        return "invalid format - unable to parse HA resource ID '\(item)'"
      }
      return nil
    case .haNodeList:
      for item in value.split(separator: ",", omittingEmptySubsequences: false) {
        let parts = item.split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false)
        let priorityOK = parts.count == 1 || (!parts[1].isEmpty && parts[1].allSatisfy(\.isNumber))
        if !isNodeName(String(parts[0])) || !priorityOK {
          return "invalid format - value does not look like a valid node list"
        }
      }
      return nil
    case .calendarEvent:
      if calendarSpecials.contains(value) { return nil }
      let fields = value.split(separator: " ")
      let cronLike =
        fields.count == 5
        && fields.allSatisfy { $0.allSatisfy { "0123456789*/,-".contains($0) } }
      let allowed = value.allSatisfy {
        $0.isASCII && ($0.isLetter || $0.isNumber || " .,:*/~-".contains($0))
      }
      if cronLike || !allowed || value.isEmpty {
        return "invalid format - unable to parse calendar event '\(value)'"
      }
      return nil
    case .pruneBackups:
      var keys: Set<String> = []
      for item in value.split(separator: ",") {
        let kv = item.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
        guard kv.count == 2 else {
          return "invalid format - missing value for '\(item)'"
        }
        let key = String(kv[0])
        guard pruneKeys.contains(key) else {
          return "invalid format - property '\(key)' is not defined in schema"
        }
        guard let n = Int(kv[1]), n >= 0 else {
          return "invalid format - \(key): type check ('integer') failed - got '\(kv[1])'"
        }
        _ = n
        keys.insert(key)
      }
      if keys.contains("keep-all"), keys.count > 1 {
        return "invalid format - keep-all: option conflicts with other keep-* options"
      }
      return nil
    case .storagePairList:
      if value == "1" { return nil }
      for item in value.split(separator: ",", omittingEmptySubsequences: false) {
        let parts = item.split(separator: ":", omittingEmptySubsequences: false)
        if parts.count > 2 || !parts.allSatisfy({ isStorageID(String($0)) }) {
          return "invalid format - unable to parse storage pair '\(item)'"
        }
      }
      return nil
    case .dayOfWeekList:
      let days: Set<Substring> = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
      for item in value.split(separator: ",") where !days.contains(item) {
        return "invalid format - value '\(item)' is not a day of the week"
      }
      return nil
    case .propertyString(let keys, let defaultKey):
      for item in value.split(separator: ",") {
        let kv = item.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
        if kv.count == 1 {
          if defaultKey == nil { return "invalid format - missing key in '\(item)'" }
          continue
        }
        if !keys.contains(String(kv[0])) {
          return "invalid format - property '\(kv[0])' is not defined in schema"
        }
      }
      return nil
    }
  }
}
