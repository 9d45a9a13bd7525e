import PVEModel

/// The type of each guest config key, as the config schema declares it (qemu-server `$confdesc`,
/// pve-container `$confdesc`), from which `check_type` types the values it reads.
enum ConfigSchema {
  enum ValueType: Sendable, Hashable {
    case boolean, integer, number, string
  }

  struct KeySchema: Sendable, Hashable {
    var type: ValueType
    /// The schema names a PVE `format`. qemu-server's `check_type` strips surrounding `"` only from
    /// string values without one.
    var hasFormat: Bool
    /// For indexed keys: how many (`net` 32 → `net0`…`net31`).
    var count: Int?

    init(type: ValueType, hasFormat: Bool, count: Int? = nil) {
      self.type = type
      self.hasFormat = hasFormat
      self.count = count
    }
  }

  /// The schema of `key`, or nil when Proxmox does not know it (`net32`, `net01`, `foo`).
  static func schema(_ key: String, kind: GuestKind) -> KeySchema? {
    let plain = kind == .qemu ? qemuKeys : lxcKeys
    if let s = plain[key] { return s }
    let digits = key.reversed().prefix { $0.isASCII && $0.isNumber }.count
    guard digits > 0 else { return nil }
    let stem = String(key.dropLast(digits))
    let index = key.suffix(digits)
    let indexed = kind == .qemu ? qemuIndexedKeys : lxcIndexedKeys
    guard let s = indexed[stem], let n = Int(index), String(n) == index, n < (s.count ?? 0) else {
      return nil
    }
    return s
  }

  /// The schema type of `key` (nil: unknown key).
  static func type(of key: String, kind: GuestKind) -> ValueType? {
    schema(key, kind: kind)?.type
  }
}

/// The JSON type pvesh gives a config key's value (from the config schema).
package enum ConfigValueType: Sendable, Hashable {
  /// `0`/`1`, a JSON number.
  case boolean
  /// A JSON number.
  case integer
  /// Decimal text, a JSON string (`check_type` returns the text unchanged).
  case number
  /// A JSON string.
  case string
}

extension GuestConfigFile {
  /// The schema type of a config key (`cores`, `net3`, `unused12`); nil for a key Proxmox does not
  /// know (`net32`, `net01`, `foo`), which QEMU drops and containers keep as a string.
  package static func valueType(of key: String, kind: GuestKind) -> ConfigValueType? {
    switch ConfigSchema.type(of: key, kind: kind) {
    case .boolean: return .boolean
    case .integer: return .integer
    case .number: return .number
    case .string: return .string
    case nil: return nil
    }
  }
}
