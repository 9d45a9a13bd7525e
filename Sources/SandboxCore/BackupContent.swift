import PVEModel

/// Backup archives on the sandbox's storages: the state holds each listing under
/// `/nodes/<node>/storage/<storage>/content` (what `pvesh get … --content backup` prints); a
/// shared storage's listing is held once, under any node, and seen from every node it is defined
/// for. A backup storage without a stored listing is empty.
enum BackupContent {
  /// The `/storage` definition of `id`, or Proxmox's refusal.
  static func definition(_ id: String, _ state: ClusterState) throws(CommandFailure) -> [String:
    JSONValue]
  {
    guard let def = state.list("/storage").first(where: { $0["storage"]?.stringValue == id })
    else {
      throw CommandFailure("storage '\(id)' does not exist")
    }
    return def
  }

  /// Whether `node` may use the storage (its `nodes` restriction) and it is enabled.
  static func available(_ def: [String: JSONValue], on node: String) -> Bool {
    if def["disable"]?.boolValue == true { return false }
    guard let nodes = def["nodes"]?.stringValue else { return true }
    return Cluster.list(nodes).contains(node)
  }

  static func isShared(_ def: [String: JSONValue]) -> Bool {
    def["shared"]?.boolValue ?? (def["type"]?.stringValue == "pbs")
  }

  /// The content types a storage allows.
  static func content(_ def: [String: JSONValue]) -> Set<String> {
    Set(Cluster.list(def["content"]?.stringValue))
  }

  /// The stored listing path for `storage` as seen from `node`, if any.
  static func listingPath(node: String, storage: String, shared: Bool, _ state: ClusterState)
    -> String?
  {
    let own = Snapshot.backupContentPath(node: node, storage: storage)
    if state[own] != nil { return own }
    guard shared else { return nil }
    let suffix = "/storage/\(storage)/content"
    return state.paths.first { $0.hasPrefix("/nodes/") && $0.hasSuffix(suffix) }
  }

  /// `GET /nodes/{node}/storage/{storage}/content` with `content` and `vmid` filters.
  static func list(
    node: String, storage: String, _ arguments: Arguments, _ state: ClusterState
  ) throws(CommandFailure) -> JSONValue {
    let def = try definition(storage, state)
    guard available(def, on: node) else {
      throw CommandFailure("storage '\(storage)' is not available on node '\(node)'")
    }
    var items = archives(node: node, storage: storage, state)
    if let c = arguments.options["content"], c != "backup" { items = [] }
    if let vmid = arguments.int("vmid") {
      items = items.filter { $0["vmid"]?.intValue == Int64(vmid) }
    }
    return .array(items.map { .object($0) })
  }

  /// Every backup entry `node` sees on `storage`.
  static func archives(node: String, storage: String, _ state: ClusterState) -> [[String:
    JSONValue]]
  {
    guard let def = try? definition(storage, state) else { return [] }
    guard
      let path = listingPath(node: node, storage: storage, shared: isShared(def), state)
    else { return [] }
    return state.list(path)
  }

  /// The entry of a backup volid (`<storage>:backup/…`) as `node` sees it, or nil.
  static func archive(volid: String, node: String, _ state: ClusterState) -> [String: JSONValue]? {
    guard let colon = volid.firstIndex(of: ":") else { return nil }
    let storage = String(volid[..<colon])
    guard let def = try? definition(storage, state), available(def, on: node) else { return nil }
    return archives(node: node, storage: storage, state).first {
      $0["volid"]?.stringValue == volid
    }
  }
}
