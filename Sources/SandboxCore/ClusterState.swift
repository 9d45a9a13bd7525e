import PVEModel

/// The whole simulated cluster: the state file, which is a `pvemend-snapshot/1` document (its `api`
/// map holds what `pvesh get <path>` prints) plus the sandbox's queued HA moves under `sandbox`.
///
/// Reading is lazy: the file is skimmed once and only the paths a command touches are parsed, so a
/// `pvesh get` on a 1,000-guest cluster does not build the whole tree. Writing copies untouched
/// paths byte for byte.
package final class ClusterState {
  private let bytes: [UInt8]
  private var header: [String: Range<Int>]
  private var ranges: [String: Range<Int>]
  private var cache: [String: JSONValue] = [:]
  private var deleted: Set<String> = []
  /// Paths set since reading (written back in canonical form).
  private(set) var changed: Set<String> = []
  /// Queued `ha-manager migrate|relocate` requests, oldest first.
  package var pending: [PendingHAMove] {
    didSet { pendingChanged = true }
  }
  private(set) var pendingChanged = false

  /// Reads a state file's bytes; errors name the file and the fix.
  package init(bytes: [UInt8], file: String) throws(CommandFailure) {
    self.bytes = bytes
    do {
      header = try JSONText.skim(bytes)
      guard let api = header["api"] else {
        throw CommandFailure(
          "pve-standin: \(file) has no \"api\" object; seed it from a pvemend-snapshot/1 file with 'scripts/sandbox start --snapshot FILE'"
        )
      }
      ranges = try JSONText.skim(bytes, range: api)
      var moves: [PendingHAMove] = []
      if let sandbox = header["sandbox"],
        let list = try JSONText.parse(bytes, range: sandbox)["pendingHA"]?.arrayValue
      {
        moves = list.compactMap(PendingHAMove.init(json:))
      }
      pending = moves
    } catch let error as JSONTextError {
      throw CommandFailure(
        "pve-standin: \(file) is not a valid state file (\(error)); start the sandbox again from a snapshot"
      )
    } catch let failure as CommandFailure {
      throw failure
    } catch {
      throw CommandFailure("pve-standin: \(file): \(error)")
    }
    pendingChanged = false
  }

  /// A state built from a snapshot in memory (tests).
  package convenience init(snapshot: Snapshot) throws(CommandFailure) {
    let data = snapshot.encoded()
    try self.init(bytes: Array(data), file: "snapshot")
  }

  /// Every API path held.
  package var paths: [String] {
    var all = Set(ranges.keys).union(cache.keys)
    all.subtract(deleted)
    return all.sorted()
  }

  /// The response stored for an API path.
  package subscript(path: String) -> JSONValue? {
    get {
      if deleted.contains(path) { return nil }
      if let v = cache[path] { return v }
      guard let range = ranges[path], let v = try? JSONText.parse(bytes, range: range) else {
        return nil
      }
      cache[path] = v
      return v
    }
    set {
      if let newValue {
        cache[path] = newValue
        deleted.remove(path)
      } else {
        cache[path] = nil
        deleted.insert(path)
      }
      changed.insert(path)
    }
  }

  /// Whether anything must be written back.
  package var isModified: Bool { !changed.isEmpty || pendingChanged }

  /// The objects of an array response (`/cluster/resources`, …); empty when absent.
  package func list(_ path: String) -> [[String: JSONValue]] {
    self[path]?.arrayValue?.compactMap(\.objectValue) ?? []
  }

  package func setList(_ path: String, _ items: [[String: JSONValue]]) {
    self[path] = .array(items.map { .object($0) })
  }

  package func object(_ path: String) -> [String: JSONValue]? { self[path]?.objectValue }

  /// Changes every object of an array response that matches.
  package func updateList(
    _ path: String, where matches: ([String: JSONValue]) -> Bool,
    _ change: (inout [String: JSONValue]) -> Void
  ) {
    guard self[path] != nil else { return }
    var items = list(path)
    var touched = false
    for i in items.indices where matches(items[i]) {
      change(&items[i])
      touched = true
    }
    if touched { setList(path, items) }
  }

  /// The state file's bytes: compact JSON, keys sorted, untouched paths copied verbatim.
  package func encoded() -> [UInt8] {
    var out: [UInt8] = []
    out.reserveCapacity(bytes.count + 4096)
    out.append(UInt8(ascii: "{"))
    var first = true
    func key(_ k: String) {
      if !first { out.append(UInt8(ascii: ",")) }
      first = false
      JSONText.write(.string(k), into: &out)
      out.append(UInt8(ascii: ":"))
    }
    var topKeys = Set(header.keys)
    topKeys.insert("api")
    if !pending.isEmpty { topKeys.insert("sandbox") } else { topKeys.remove("sandbox") }
    for top in topKeys.sorted(by: { $0.utf8.lexicographicallyPrecedes($1.utf8) }) {
      key(top)
      switch top {
      case "api":
        out.append(UInt8(ascii: "{"))
        var firstPath = true
        for path in paths.sorted(by: { $0.utf8.lexicographicallyPrecedes($1.utf8) }) {
          if !firstPath { out.append(UInt8(ascii: ",")) }
          firstPath = false
          JSONText.write(.string(path), into: &out)
          out.append(UInt8(ascii: ":"))
          if !changed.contains(path), cache[path] == nil, let range = ranges[path] {
            out.append(contentsOf: bytes[range])
          } else {
            JSONText.write(self[path] ?? .null, into: &out)
          }
        }
        out.append(UInt8(ascii: "}"))
      case "sandbox":
        JSONText.write(.object(["pendingHA": .array(pending.map(\.json))]), into: &out)
      default:
        if let range = header[top] { out.append(contentsOf: bytes[range]) }
      }
    }
    out.append(contentsOf: Array("}\n".utf8))
    return out
  }
}

/// A queued `ha-manager migrate|relocate`: the CRM completes it once `due` has passed.
package struct PendingHAMove: Sendable, Hashable {
  package var sid: String
  package var target: String
  /// `migrate` or `relocate`.
  package var command: String
  /// Seconds since 1970.
  package var due: Double

  package init(sid: String, target: String, command: String, due: Double) {
    self.sid = sid
    self.target = target
    self.command = command
    self.due = due
  }

  init?(json: JSONValue) {
    guard let sid = json["sid"]?.stringValue, let target = json["target"]?.stringValue,
      let command = json["command"]?.stringValue, let due = json["due"]?.doubleValue
    else { return nil }
    self.init(sid: sid, target: target, command: command, due: due)
  }

  var json: JSONValue {
    .object([
      "sid": .string(sid), "target": .string(target), "command": .string(command),
      "due": .double(due),
    ])
  }
}
