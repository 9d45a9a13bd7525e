import Foundation

/// The `pvemend-snapshot/1` document: what `pvesh get <path> --output-format json` printed, path by path.
///
/// The snapshot is the only input of audit and plan. It is kept verbatim (`api`), and a `Cluster` is
/// derived from it (`Cluster(snapshot:)`). See `docs/snapshot-format.md`.
package struct Snapshot: Codable, Sendable, Hashable {
  package static let formatVersion = "pvemend-snapshot/1"

  /// Always `pvemend-snapshot/1`.
  package var format: String
  /// When it was collected, RFC 3339 (`2025-11-09T10:00:00Z`). Plans are dated with it, never with the clock.
  package var collectedAt: String
  /// Where it came from (a node, a file, a generator).
  package var source: String
  /// API path → the response, verbatim.
  package var api: [String: JSONValue]

  package init(collectedAt: String, source: String, api: [String: JSONValue]) {
    self.format = Snapshot.formatVersion
    self.collectedAt = collectedAt
    self.source = source
    self.api = api
  }

  /// The cluster-wide paths every snapshot holds (HA placement: groups or rules, at least one of them).
  package static let clusterPaths = [
    "/version", "/cluster/status", "/cluster/resources", "/cluster/ha/resources",
    "/cluster/ha/status/current", "/cluster/backup", "/storage", "/cluster/options",
  ]
  package static let haGroupsPath = "/cluster/ha/groups"
  package static let haRulesPath = "/cluster/ha/rules"

  package static func nodeStatusPath(_ node: String) -> String { "/nodes/\(node)/status" }
  package static func nodeStoragePath(_ node: String) -> String { "/nodes/\(node)/storage" }
  package static func guestConfigPath(node: String, kind: GuestKind, vmid: Int) -> String {
    "/nodes/\(node)/\(kind.rawValue)/\(vmid)/config"
  }

  /// Decodes a snapshot; errors name the file, the JSON path and the fix.
  package static func decode(_ data: Data, file: String) throws(SnapshotError) -> Snapshot {
    let snapshot: Snapshot
    do {
      snapshot = try JSONDecoder().decode(Snapshot.self, from: data)
    } catch let error as DecodingError {
      throw SnapshotError.malformed(file: file, path: error.jsonPath, detail: error.detail)
    } catch {
      throw SnapshotError.malformed(file: file, path: "$", detail: "\(error)")
    }
    guard snapshot.format == formatVersion else {
      throw SnapshotError.unsupportedFormat(file: file, found: snapshot.format)
    }
    return snapshot
  }

  /// Canonical bytes: sorted keys, no escaped slashes, a final newline. Same snapshot, same bytes.
  package func encoded(pretty: Bool = false) -> Data {
    let encoder = JSONEncoder()
    encoder.outputFormatting =
      pretty ? [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes] : [.sortedKeys, .withoutEscapingSlashes]
    // Encoding a tree of plain values cannot fail.
    var data = (try? encoder.encode(self)) ?? Data()
    data.append(0x0A)
    return data
  }
}

/// Why a snapshot could not be read. Messages name the file, the path and the fix.
package enum SnapshotError: Error, Sendable, Equatable, CustomStringConvertible {
  /// Not JSON, or not the shape of a snapshot.
  case malformed(file: String, path: String, detail: String)
  /// The `format` field is not `pvemend-snapshot/1`.
  case unsupportedFormat(file: String, found: String)
  /// A required API path is absent.
  case missingPath(file: String, path: String)
  /// An API path holds a response of the wrong shape.
  case wrongShape(file: String, path: String, expected: String)

  package var description: String {
    switch self {
    case .malformed(let file, let path, let detail):
      return "\(file): malformed snapshot at \(path): \(detail); fix the JSON or collect it again with 'pvemend collect'"
    case .unsupportedFormat(let file, let found):
      return "\(file): format '\(found)' is not supported; expected '\(Snapshot.formatVersion)' (collect it again with 'pvemend collect')"
    case .missingPath(let file, let path):
      return "\(file): the snapshot lacks API path '\(path)'; collect it with 'pvesh get \(path) --output-format json' on a node, or run 'pvemend collect'"
    case .wrongShape(let file, let path, let expected):
      return "\(file): api[\"\(path)\"] is not \(expected) as 'pvesh get \(path) --output-format json' prints it; collect it again"
    }
  }
}

extension DecodingError {
  /// A JSONPath-like location: `$.api["/cluster/resources"][3].vmid`.
  var jsonPath: String {
    let context: Context?
    switch self {
    case .typeMismatch(_, let c), .valueNotFound(_, let c), .dataCorrupted(let c): context = c
    case .keyNotFound(let key, let c):
      return Self.render(c.codingPath + [key])
    @unknown default: context = nil
    }
    return Self.render(context?.codingPath ?? [])
  }

  var detail: String {
    switch self {
    case .typeMismatch(let t, let c): return "expected \(t): \(c.debugDescription)"
    case .valueNotFound(let t, let c): return "missing \(t): \(c.debugDescription)"
    case .keyNotFound(let k, _): return "missing field '\(k.stringValue)'"
    case .dataCorrupted(let c):
      let underlying = (c.underlyingError as NSError?)?.userInfo[NSDebugDescriptionErrorKey] as? String
      return [c.debugDescription, underlying].compactMap { $0 }.joined(separator: ": ")
    @unknown default: return "\(self)"
    }
  }

  static func render(_ path: [any CodingKey]) -> String {
    var out = "$"
    for key in path {
      if let i = key.intValue {
        out += "[\(i)]"
      } else if key.stringValue.hasPrefix("/") || key.stringValue.contains(".") {
        out += "[\"\(key.stringValue)\"]"
      } else {
        out += ".\(key.stringValue)"
      }
    }
    return out
  }
}
