import Foundation

/// A JSON value exactly as Proxmox printed it: the API responses inside a snapshot are kept verbatim.
///
/// Integers stay integers (`.int`), so a snapshot re-encodes to the same numbers it was read from.
package enum JSONValue: Sendable, Hashable {
  case null
  case bool(Bool)
  case int(Int64)
  case double(Double)
  case string(String)
  case array([JSONValue])
  case object([String: JSONValue])
}

extension JSONValue: Codable {
  package init(from decoder: any Decoder) throws {
    let container = try decoder.singleValueContainer()
    if container.decodeNil() {
      self = .null
    } else if let b = try? container.decode(Bool.self) {
      self = .bool(b)
    } else if let i = try? container.decode(Int64.self) {
      self = .int(i)
    } else if let d = try? container.decode(Double.self) {
      self = .double(d)
    } else if let s = try? container.decode(String.self) {
      self = .string(s)
    } else if let a = try? container.decode([JSONValue].self) {
      self = .array(a)
    } else if let o = try? container.decode([String: JSONValue].self) {
      self = .object(o)
    } else {
      throw DecodingError.dataCorruptedError(
        in: container, debugDescription: "not a JSON value")
    }
  }

  package func encode(to encoder: any Encoder) throws {
    var container = encoder.singleValueContainer()
    switch self {
    case .null: try container.encodeNil()
    case .bool(let b): try container.encode(b)
    case .int(let i): try container.encode(i)
    case .double(let d): try container.encode(d)
    case .string(let s): try container.encode(s)
    case .array(let a): try container.encode(a)
    case .object(let o): try container.encode(o)
    }
  }
}

extension JSONValue {
  package subscript(key: String) -> JSONValue? {
    if case .object(let o) = self { return o[key] }
    return nil
  }

  /// What kind of value this is (`an object`, `a number`, …), for messages.
  package var kindName: String {
    switch self {
    case .null: return "null"
    case .bool: return "a boolean"
    case .int, .double: return "a number"
    case .string: return "a string"
    case .array: return "an array"
    case .object: return "an object"
    }
  }

  package var objectValue: [String: JSONValue]? {
    if case .object(let o) = self { return o }
    return nil
  }

  package var arrayValue: [JSONValue]? {
    if case .array(let a) = self { return a }
    return nil
  }

  /// A string; numbers are given in their decimal form (Proxmox mixes both).
  package var stringValue: String? {
    switch self {
    case .string(let s): return s
    case .int(let i): return String(i)
    case .double(let d): return String(d)
    case .bool(let b): return b ? "1" : "0"
    default: return nil
    }
  }

  /// An integer from a number or a numeric string (`"8192"`, `8192`, `8192.0`); nil for a number
  /// outside `Int64` (`1e300`, `18446744073709551615`), which no Proxmox figure can be.
  package var intValue: Int64? {
    switch self {
    case .int(let i): return i
    case .double(let d): return Self.integer(d)
    case .string(let s):
      let t = s.trimmingSpaces
      if let i = Int64(t) { return i }
      return Double(t).flatMap(Self.integer)
    case .bool(let b): return b ? 1 : 0
    default: return nil
    }
  }

  /// A floating-point number from a number or a numeric string.
  package var doubleValue: Double? {
    switch self {
    case .int(let i): return Double(i)
    case .double(let d): return d
    case .string(let s): return Double(s.trimmingSpaces).flatMap { $0.isFinite ? $0 : nil }
    case .bool(let b): return b ? 1 : 0
    default: return nil
    }
  }

  /// The integer part of a finite double within `Int64`, else nil (converting would trap).
  static func integer(_ d: Double) -> Int64? {
    guard d.isFinite, d >= -9_223_372_036_854_775_808, d < 9_223_372_036_854_775_808 else {
      return nil
    }
    return Int64(d)
  }

  /// Proxmox booleans: `0`/`1`, and leniently `true`/`false`, `"yes"`/`"no"`, `"on"`/`"off"`.
  package var boolValue: Bool? {
    switch self {
    case .bool(let b): return b
    case .int(let i): return i != 0
    case .double(let d): return d != 0
    case .string(let s):
      switch s.lowercased() {
      case "1", "yes", "on", "true": return true
      case "0", "no", "off", "false": return false
      default: return nil
      }
    default: return nil
    }
  }
}
