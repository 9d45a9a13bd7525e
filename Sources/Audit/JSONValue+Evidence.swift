import PVEModel

extension JSONValue {
  /// An integer figure.
  package static func count(_ value: Int) -> JSONValue { .int(Int64(value)) }
  /// A size in bytes.
  package static func bytes(_ value: Int64) -> JSONValue { .int(value) }
  /// A ratio or fraction, rounded to 3 decimals so it encodes the same everywhere.
  package static func ratio(_ value: Double) -> JSONValue { .double(Figure.round(value, 3)) }
  /// A word or identifier.
  package static func text(_ value: String) -> JSONValue { .string(value) }
  /// A list of identifiers.
  package static func list(_ values: [String]) -> JSONValue { .array(values.map(JSONValue.string)) }
}
