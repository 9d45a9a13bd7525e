import Foundation
import PVEModel

extension AuditReport {
  /// The report as JSON: sorted keys, pretty-printed, unescaped slashes, a final newline.
  package func json() -> String {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
    // Encoding plain values cannot fail.
    guard let data = try? encoder.encode(self) else { return "{}\n" }
    // Bidi and zero-width characters in names as \u escapes: the same strings, shown inert.
    return DisplayText.escapingUnsafe(json: String(data: data, encoding: .utf8) ?? "{}") + "\n"
  }
}
