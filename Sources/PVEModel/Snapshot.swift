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
    let root: JSONValue
    do {
      root = try JSONParser.parse(data)
    } catch {
      throw SnapshotError.malformed(file: file, path: error.path, detail: error.message)
    }
    guard case .object(let top) = root else {
      throw SnapshotError.malformed(
        file: file, path: "$", detail: "expected an object, found \(root.kindName)")
    }
    func text(_ key: String) throws(SnapshotError) -> String {
      guard let value = top[key] else {
        throw SnapshotError.malformed(
          file: file, path: "$.\(key)", detail: "missing field '\(key)'")
      }
      guard case .string(let s) = value else {
        throw SnapshotError.malformed(
          file: file, path: "$.\(key)", detail: "expected String, found \(value.kindName)")
      }
      return s
    }
    let format = try text("format")
    let collectedAt = try text("collectedAt")
    let source = try text("source")
    guard let apiValue = top["api"] else {
      throw SnapshotError.malformed(file: file, path: "$.api", detail: "missing field 'api'")
    }
    guard case .object(let api) = apiValue else {
      throw SnapshotError.malformed(
        file: file, path: "$.api",
        detail: "expected an object of API paths, found \(apiValue.kindName)")
    }
    guard format == formatVersion else {
      throw SnapshotError.unsupportedFormat(file: file, found: format)
    }
    var snapshot = Snapshot(collectedAt: collectedAt, source: source, api: api)
    snapshot.format = format
    return snapshot
  }

  /// Canonical bytes: sorted keys, no escaped slashes, a final newline. Same snapshot, same bytes.
  package func encoded(pretty: Bool = false) -> Data {
    let encoder = JSONEncoder()
    encoder.outputFormatting =
      pretty
      ? [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
      : [.sortedKeys, .withoutEscapingSlashes]
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

  /// The message on one line; names and details quoted from input pass through `DisplayText`.
  package var description: String { DisplayText.oneLine(message, limit: .max) }

  private var message: String {
    switch self {
    case .malformed(let file, let path, let detail):
      return
        "\(file): malformed snapshot at \(path): \(detail); fix the JSON or collect it again with 'pvemend collect'"
    case .unsupportedFormat(let file, let found):
      return
        "\(file): format '\(found)' is not supported; expected '\(Snapshot.formatVersion)' (collect it again with 'pvemend collect')"
    case .missingPath(let file, let path):
      return
        "\(file): the snapshot lacks API path '\(path)'; collect it with 'pvesh get \(path) --output-format json' on a node, or run 'pvemend collect'"
    case .wrongShape(let file, let path, let expected):
      return
        "\(file): api[\"\(path)\"] is not \(expected) as 'pvesh get \(path) --output-format json' prints it; collect it again"
    }
  }
}
