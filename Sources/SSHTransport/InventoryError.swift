/// Why an inventory could not be used. Messages name the file and line and end with the fix.
package enum InventoryError: Error, Sendable, Hashable, CustomStringConvertible {
  case unreadable(file: String, detail: String)
  case syntax(file: String, line: Int, detail: String)
  case unknownKey(file: String, line: Int, key: String, section: String, accepted: [String])
  case duplicateKey(file: String, line: Int, key: String, section: String)
  case wrongType(file: String, line: Int, key: String, expected: String)

  package var description: String {
    switch self {
    case .unreadable(let file, let detail):
      return "\(file): cannot read the inventory: \(detail); check the path given to --inventory"
    case .syntax(let file, let line, let detail):
      return "\(file):\(line): not valid YAML: \(detail); fix the inventory's syntax"
    case .unknownKey(let file, let line, let key, let section, let accepted):
      let hint = Self.closest(to: key, in: accepted).map { " (did you mean '\($0)'?)" } ?? ""
      return
        "\(file):\(line): unknown key '\(key)' in \(section)\(hint); accepted keys: \(accepted.joined(separator: ", "))"
    case .duplicateKey(let file, let line, let key, let section):
      return "\(file):\(line): '\(key)' appears twice in \(section); keep one of them"
    case .wrongType(let file, let line, let key, let expected):
      return "\(file):\(line): \(key) must be \(expected); correct the value"
    }
  }

  /// The accepted key within edit distance 2, if any.
  static func closest(to key: String, in accepted: [String]) -> String? {
    accepted.map { ($0, distance(key.lowercased(), $0)) }.filter { $0.1 <= 2 }
      .min { $0.1 < $1.1 }?.0
  }

  private static func distance(_ a: String, _ b: String) -> Int {
    let a = Array(a)
    let b = Array(b)
    var previous = Array(0...b.count)
    for i in 1...max(a.count, 1) where !a.isEmpty {
      var current = [i] + Array(repeating: 0, count: b.count)
      for j in 1...max(b.count, 1) where !b.isEmpty {
        current[j] = min(
          previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
      }
      previous = current
    }
    return a.isEmpty ? b.count : previous[b.count]
  }
}
