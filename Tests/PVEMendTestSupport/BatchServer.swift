import Foundation
import PVEConfig
import PVEModel
import Transport

/// Answers `ClusterRead` batches (and plain `pvesh get`) from a snapshot held in memory, the way a
/// node would: `get` items from the snapshot's paths (a missing path fails as pvesh does), config
/// files from its `/nodes/<n>/<kind>/<vmid>/config` paths, written as JSON (decode them with
/// `BatchServer.jsonDecoder`). `filesReadable: false` plays a node without `/etc/pve`.
package final class BatchServer: @unchecked Sendable {
  private let lock = NSLock()
  private var api: [String: JSONValue]
  package var filesReadable: Bool
  /// Config files (by `/etc/pve/...` name) served as these bytes instead (a file pvemend cannot parse).
  package var fileOverrides: [String: Data] = [:]

  package init(_ snapshot: Snapshot, filesReadable: Bool = true) {
    api = snapshot.api
    self.filesReadable = filesReadable
  }

  package var snapshotAPI: [String: JSONValue] {
    get { lock.withLock { api } }
    set { lock.withLock { api = newValue } }
  }

  /// Config files as JSON: the decoder that goes with this server.
  package static let jsonDecoder:
    @Sendable (Data, GuestKind, String) throws -> [String: JSONValue] = {
      data, _, file in
      guard let object = try JSONParser.parse(data).objectValue else {
        throw BadConfig(file: file)
      }
      return object
    }

  package struct BadConfig: Error, CustomStringConvertible {
    package var file: String
    package var description: String { "\(file): line 1: not a config" }
  }

  /// A recording transport answered by this server.
  package func transport() -> RecordingTransport {
    RecordingTransport { [self] command in self.answer(command) }
  }

  package func answer(_ command: RemoteCommand) -> CommandResult {
    let argv = command.argv
    if argv.starts(with: ["pvesh", "get"]), argv.count > 2 {
      let (status, data) = get(argv[2])
      return status == 0
        ? CommandResult(stdout: data, stderr: Data(), exitStatus: 0)
        : CommandResult(stdout: Data(), stderr: data, exitStatus: status)
    }
    guard ClusterRead.isReadBatch(argv) else {
      return .text("", stderr: "not served: \(argv.prefix(2))\n", status: 127)
    }
    var records: [(String, Int32, String, Data)] = []
    var i = 5
    while i < argv.count {
      switch argv[i] {
      case "get":
        let (status, data) = get(argv[i + 1])
        records.append(("get", status, argv[i + 1], data))
        i += 2
      case "getc":
        let (status, data) = get(argv[i + 1])
        records.append(("get", status, argv[i + 1], data))
        i += 3
      case "conf":
        let kind = argv[i + 1]
        let vmid = argv[i + 2]
        let files = configFiles().filter { $0.kind.rawValue == kind && String($0.vmid) == vmid }
        if files.isEmpty {
          let path = "/nodes/\(argv[i + 3])/\(kind)/\(vmid)/config"
          let (status, data) = get(path)
          records.append(("get", status, path, data))
        }
        for f in files { records.append(("file", 0, f.name, f.data)) }
        i += 4
      case "confs":
        if filesReadable {
          records.append(("dir", 0, "/etc/pve/nodes", Data()))
          for f in configFiles() { records.append(("file", 0, f.name, f.data)) }
        } else {
          records.append(("dir", 1, "/etc/pve/nodes", Data("cannot read /etc/pve/nodes\n".utf8)))
        }
        i += 1
      default:
        return .text("", stderr: "pvemend-read: unknown item '\(argv[i])'\n", status: 64)
      }
    }
    return CommandResult(stdout: Self.stream(records), stderr: Data(), exitStatus: 0)
  }

  /// A `pvemend-read/1` stream of `(type, status, name, payload)` records.
  package static func stream(_ records: [(String, Int32, String, Data)]) -> Data {
    var out = Data("\(ClusterRead.formatWord) \(records.count)\n".utf8)
    for (type, status, name, payload) in records {
      out += Data("\(type) \(status) \(payload.count) \(name)\n".utf8)
    }
    for r in records { out += r.3 }
    out += Data("\(ClusterRead.formatWord) end\n".utf8)
    return out
  }

  private func get(_ path: String) -> (Int32, Data) {
    guard let value = lock.withLock({ api[path] }) else {
      return (255, Data("No 'get' handler defined for '\(path.dropFirst())'\n".utf8))
    }
    return (0, Self.json(value))
  }

  private func configFiles() -> [(name: String, kind: GuestKind, vmid: Int, data: Data)] {
    guard filesReadable else { return [] }
    let snapshot = lock.withLock { api }
    var out: [(String, GuestKind, Int, Data)] = []
    for (path, value) in snapshot.sorted(by: { $0.key < $1.key }) {
      let p = path.split(separator: "/")
      guard p.count == 5, p[0] == "nodes", p[4] == "config",
        let kind = GuestKind(rawValue: String(p[2])), let vmid = Int(p[3])
      else { continue }
      let name = "/etc/pve/nodes/\(p[1])/\(GuestConfigPath.directory(kind))/\(vmid).conf"
      out.append((name, kind, vmid, lock.withLock { fileOverrides[name] } ?? Self.json(value)))
    }
    return out
  }

  static func json(_ value: JSONValue) -> Data {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
    return ((try? encoder.encode(value)) ?? Data()) + Data("\n".utf8)
  }
}
