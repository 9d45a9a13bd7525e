import PVEModel

/// A guest as `/cluster/resources` lists it: the entry the stand-ins read and rewrite.
package struct GuestRecord: Sendable, Hashable {
  package var kind: GuestKind
  package var vmid: Int
  package var node: String
  /// `running`, `stopped`, …
  package var status: String
  package var entry: [String: JSONValue]

  init?(entry: [String: JSONValue]) {
    guard let type = entry["type"]?.stringValue, let kind = GuestKind(rawValue: type),
      let vmid = entry["vmid"]?.intValue, let node = entry["node"]?.stringValue
    else { return nil }
    self.kind = kind
    self.vmid = Int(vmid)
    self.node = node
    self.status = entry["status"]?.stringValue ?? "unknown"
    self.entry = entry
  }

  /// `vm:114`, `ct:110`.
  package var sid: String { "\(kind.haType):\(vmid)" }
  package var isRunning: Bool { status == "running" }
  /// `VM` or `CT`, as task logs say it.
  var word: String { kind == .qemu ? "VM" : "CT" }
  var configPath: String { Snapshot.guestConfigPath(node: node, kind: kind, vmid: vmid) }

  /// The cluster file system path of the config on a node, as Proxmox names it in errors.
  static func configFile(node: String, kind: GuestKind, vmid: Int) -> String {
    kind == .qemu ? "nodes/\(node)/qemu-server/\(vmid).conf" : "nodes/\(node)/lxc/\(vmid).conf"
  }
}
