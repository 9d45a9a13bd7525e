import Foundation
import PVEModel

/// The on-disk form of a plan: the only code that knows the `pvemend-plan/1` bytes.
///
/// Pretty-printed JSON with sorted keys, unescaped slashes and a final newline, so a plan diffs well
/// and the same plan is always the same bytes.
package enum PlanFile {
  /// The plan as file bytes.
  package static func encode(_ plan: Plan) -> Data {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
    // A plan is a tree of plain values; encoding cannot fail. Bidi and zero-width characters in
    // names are written as \u escapes (same strings, nothing reordered in an editor or a diff).
    let data = (try? encoder.encode(plan)) ?? Data()
    return Data(
      (DisplayText.escapingUnsafe(json: String(decoding: data, as: UTF8.self)) + "\n").utf8)
  }

  /// Reads a plan; errors name the file, what is wrong and the fix.
  package static func decode(_ data: Data, file: String) throws(PlanFileError) -> Plan {
    struct Header: Decodable { var format: String? }
    let header: Header
    do {
      header = try JSONDecoder().decode(Header.self, from: data)
    } catch {
      throw PlanFileError.notJSON(file: file, detail: Self.describe(error))
    }
    guard let format = header.format else { throw PlanFileError.noFormat(file: file) }
    guard format == Plan.formatVersion else {
      throw PlanFileError.unsupportedFormat(file: file, found: format)
    }
    do {
      return try JSONDecoder().decode(Plan.self, from: data)
    } catch {
      throw PlanFileError.malformed(file: file, detail: Self.describe(error))
    }
  }

  private static func describe(_ error: any Error) -> String {
    guard let e = error as? DecodingError else { return "\(error)" }
    func path(_ c: DecodingError.Context) -> String {
      c.codingPath.map { $0.intValue.map { "[\($0)]" } ?? ".\($0.stringValue)" }.joined()
    }
    switch e {
    case .keyNotFound(let key, let c):
      return "missing field '\(key.stringValue)' at $\(path(c))"
    case .typeMismatch(let type, let c):
      return "expected \(type) at $\(path(c))"
    case .valueNotFound(let type, let c):
      return "missing \(type) at $\(path(c))"
    case .dataCorrupted(let c):
      let underlying =
        (c.underlyingError as NSError?)?.userInfo[NSDebugDescriptionErrorKey] as? String
      return [c.debugDescription, underlying].compactMap { $0 }.joined(separator: ": ")
    @unknown default:
      return "\(e)"
    }
  }
}

/// Why a plan file could not be read.
package enum PlanFileError: Error, Sendable, Equatable, CustomStringConvertible {
  /// The bytes are not JSON.
  case notJSON(file: String, detail: String)
  /// A JSON document without a `format` field.
  case noFormat(file: String)
  /// A `format` other than `pvemend-plan/1`.
  case unsupportedFormat(file: String, found: String)
  /// The right format, but fields are missing or of the wrong type.
  case malformed(file: String, detail: String)

  /// The message on one line; names and details quoted from input pass through `DisplayText`.
  package var description: String { DisplayText.oneLine(message, limit: .max) }

  private var message: String {
    switch self {
    case .notJSON(let file, let detail):
      return
        "\(file): not a JSON document (\(detail)); pass a plan written by 'pvemend plan SNAPSHOT --playbook FILE --out \(file)'"
    case .noFormat(let file):
      return
        "\(file): no 'format' field, so this is not a pvemend plan; write one with 'pvemend plan SNAPSHOT --playbook FILE --out \(file)'"
    case .unsupportedFormat(let file, let found):
      return
        "\(file): format '\(found)' is not supported, expected '\(Plan.formatVersion)'; plan again with this pvemend ('pvemend plan SNAPSHOT --playbook FILE --out \(file)')"
    case .malformed(let file, let detail):
      return
        "\(file): not a valid \(Plan.formatVersion) document: \(detail); plan again rather than editing the file by hand"
    }
  }
}
