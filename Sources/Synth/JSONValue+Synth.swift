import PVEModel

/// Short constructors for building `pvesh` responses.
extension JSONValue {
  static func num<T: BinaryInteger>(_ value: T) -> JSONValue { .int(Int64(value)) }
  /// Proxmox booleans are the numbers 0 and 1.
  static func flag(_ value: Bool) -> JSONValue { .int(value ? 1 : 0) }
  static func text(_ value: String) -> JSONValue { .string(value) }
  /// A fraction rounded to 4 decimals, as pvesh prints load figures.
  /// Whole values become integers, so the value survives a decode/encode round trip unchanged.
  static func fraction(_ value: Double) -> JSONValue {
    let r = (value * 10_000).rounded() / 10_000
    return r == r.rounded() ? .int(Int64(r)) : .double(r)
  }
}
