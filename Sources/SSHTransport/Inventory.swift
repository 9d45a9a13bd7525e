import Foundation
import Yams

/// The node inventory (`--inventory FILE`): how to reach each node.
///
/// ```yaml
/// defaults: {user: root, port: 22, identity: ~/.ssh/pvemend_ed25519, known_hosts: ./known_hosts}
/// nodes:
///   pve1: {host: 10.0.0.11}
///   pve2: {host: 10.0.0.12, port: 2222}
///   pve3:            # the node name is the host
/// ```
/// Unknown keys are errors with file and line (a typo must not silently fall back to a default).
/// Relative paths are relative to the inventory file; `~` is the home folder.
package struct Inventory: Sendable, Hashable {
  /// Connection settings of one node, or the defaults for all.
  package struct Settings: Sendable, Hashable {
    package var host: String?
    package var port: Int?
    package var user: String?
    package var identity: String?
    package var knownHosts: String?

    package init(
      host: String? = nil, port: Int? = nil, user: String? = nil, identity: String? = nil,
      knownHosts: String? = nil
    ) {
      self.host = host
      self.port = port
      self.user = user
      self.identity = identity
      self.knownHosts = knownHosts
    }
  }

  /// The file it was read from (for messages and relative paths).
  package var file: String
  package var defaults: Settings
  package var nodes: [String: Settings]

  package init(file: String, defaults: Settings = Settings(), nodes: [String: Settings] = [:]) {
    self.file = file
    self.defaults = defaults
    self.nodes = nodes
  }

  /// The node names, sorted.
  package var nodeNames: [String] { nodes.keys.sorted() }

  static let topLevelKeys = ["defaults", "nodes"]
  static let defaultsKeys = ["user", "port", "identity", "known_hosts"]
  static let nodeKeys = ["host", "port", "user", "identity", "known_hosts"]

  /// Reads and parses an inventory file.
  package static func load(path: String) throws(InventoryError) -> Inventory {
    let text: String
    do {
      text = try String(contentsOfFile: path, encoding: .utf8)
    } catch {
      throw .unreadable(file: path, detail: error.localizedDescription)
    }
    return try parse(text, file: path)
  }

  /// Parses inventory YAML; `file` names it in errors.
  package static func parse(_ text: String, file: String) throws(InventoryError) -> Inventory {
    let root: Node?
    do {
      root = try Yams.compose(yaml: text)
    } catch let error as YamlError {
      throw syntaxError(error, file: file)
    } catch {
      throw .syntax(file: file, line: 0, detail: "\(error)")
    }
    var inventory = Inventory(file: file)
    guard let root else { return inventory }
    let top = try mapping(root, file: file, section: "the top level")
    for (key, value) in try entries(
      top, file: file, section: "the top level", accepted: topLevelKeys)
    {
      switch key {
      case "defaults":
        inventory.defaults = try settings(
          value, file: file, section: "defaults", accepted: defaultsKeys)
      default:
        if value.null != nil { continue }
        let nodes = try mapping(value, file: file, section: "nodes")
        for (name, node) in try entries(nodes, file: file, section: "nodes", accepted: nil) {
          inventory.nodes[name] = try settings(
            node, file: file, section: "nodes.\(name)", accepted: nodeKeys)
        }
      }
    }
    return inventory
  }

  private static func syntaxError(_ error: YamlError, file: String) -> InventoryError {
    switch error {
    case .scanner(_, let problem, let mark, _), .parser(_, let problem, let mark, _),
      .composer(_, let problem, let mark, _):
      return .syntax(file: file, line: mark.line, detail: problem)
    case .duplicatedKeysInMapping(let duplicates, let context):
      return .duplicateKey(
        file: file, line: context.mark.line, key: duplicates.first ?? "?",
        section: "the same mapping")
    default:
      return .syntax(file: file, line: 0, detail: "\(error)")
    }
  }

  private static func line(_ node: Node) -> Int { node.mark?.line ?? 0 }

  private static func mapping(_ node: Node, file: String, section: String) throws(InventoryError)
    -> Node.Mapping
  {
    guard case .mapping(let mapping) = node else {
      throw .wrongType(
        file: file, line: line(node), key: section, expected: "a mapping (key: value)")
    }
    return mapping
  }

  /// The mapping's string keys with their values, checking names and duplicates.
  private static func entries(
    _ mapping: Node.Mapping, file: String, section: String, accepted: [String]?
  ) throws(InventoryError) -> [(String, Node)] {
    var result: [(String, Node)] = []
    var seen: Set<String> = []
    for (keyNode, value) in mapping {
      guard case .scalar(let scalar) = keyNode else {
        throw .wrongType(
          file: file, line: line(keyNode), key: section, expected: "plain names as keys")
      }
      let key = scalar.string
      if let accepted, !accepted.contains(key) {
        throw .unknownKey(
          file: file, line: line(keyNode), key: key, section: section, accepted: accepted)
      }
      guard seen.insert(key).inserted else {
        throw .duplicateKey(file: file, line: line(keyNode), key: key, section: section)
      }
      result.append((key, value))
    }
    return result
  }

  private static func settings(_ node: Node, file: String, section: String, accepted: [String])
    throws(InventoryError) -> Settings
  {
    var settings = Settings()
    // `pve3:` with nothing after it: all defaults.
    if node.null != nil { return settings }
    let map = try mapping(node, file: file, section: section)
    for (key, value) in try entries(map, file: file, section: section, accepted: accepted) {
      guard case .scalar(let scalar) = value, !scalar.string.isEmpty else {
        throw .wrongType(
          file: file, line: line(value), key: "\(section).\(key)",
          expected: key == "port" ? "a port number" : "a string")
      }
      let text = scalar.string
      switch key {
      case "host": settings.host = text
      case "user": settings.user = text
      case "identity": settings.identity = text
      case "known_hosts": settings.knownHosts = text
      default:
        guard let port = Int(text), (1...65535).contains(port) else {
          throw .wrongType(
            file: file, line: line(value), key: "\(section).port", expected: "a port number 1–65535"
          )
        }
        settings.port = port
      }
    }
    return settings
  }
}
