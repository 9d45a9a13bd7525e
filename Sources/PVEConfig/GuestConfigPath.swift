import PVEModel

/// Where a guest's config lives in the cluster file system, and back:
/// `/etc/pve/nodes/<node>/qemu-server/<vmid>.conf`, `/etc/pve/nodes/<node>/lxc/<vmid>.conf`
/// (pve-cluster `cfs_file_version`: `nodes/[^/]+/(openvz|lxc|qemu-server)/(\d+)\.conf`).
package enum GuestConfigPath {
  /// The directory under a node that holds configs of this kind: `qemu-server` or `lxc`.
  package static func directory(_ kind: GuestKind) -> String {
    kind == .qemu ? "qemu-server" : "lxc"
  }

  package static func file(node: String, kind: GuestKind, vmid: Int) -> String {
    "/etc/pve/nodes/\(node)/\(directory(kind))/\(vmid).conf"
  }

  /// (node, kind, vmid) of `/etc/pve/nodes/<node>/<qemu-server|lxc>/<vmid>.conf`, also without the
  /// `/etc/pve/` prefix (`nodes/...`, as pmxcfs names its files); nil for any other path.
  package static func parse(_ path: String) -> (node: String, kind: GuestKind, vmid: Int)? {
    var rest = Substring(path)
    if rest.hasPrefix("/etc/pve/") { rest = rest.dropFirst("/etc/pve/".count) }
    let parts = rest.split(separator: "/", omittingEmptySubsequences: false)
    guard parts.count == 4, parts[0] == "nodes", !parts[1].isEmpty else { return nil }
    let kind: GuestKind
    switch parts[2] {
    case "qemu-server": kind = .qemu
    case "lxc": kind = .lxc
    default: return nil
    }
    guard parts[3].hasSuffix(".conf") else { return nil }
    let digits = parts[3].dropLast(".conf".count)
    guard !digits.isEmpty, digits.allSatisfy({ $0.isASCII && $0.isNumber }),
      let vmid = Int(digits), String(vmid) == digits
    else { return nil }
    return (String(parts[1]), kind, vmid)
  }
}
