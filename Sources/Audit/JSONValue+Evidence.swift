import PVEModel

extension JSONValue {
  /// An integer figure.
  package static func count(_ value: Int) -> JSONValue { .int(Int64(value)) }
  /// A size in bytes.
  package static func bytes(_ value: Int64) -> JSONValue { .int(value) }
  /// A ratio or fraction, rounded to 3 decimals so it encodes the same everywhere. Whole numbers
  /// become integers, as JSON decoding reads them back (`4.0` is written `4`).
  package static func ratio(_ value: Double) -> JSONValue {
    let v = Figure.round(value, 3)
    if v == v.rounded(), abs(v) < 1e15 { return .int(Int64(v)) }
    return .double(v)
  }
  /// A word or identifier.
  package static func text(_ value: String) -> JSONValue { .string(value) }
  /// A list of identifiers.
  package static func list(_ values: [String]) -> JSONValue { .array(values.map(JSONValue.string)) }
}
