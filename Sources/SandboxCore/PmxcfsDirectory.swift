import Foundation
import PVEModel

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// The sandbox's cluster file system on disk (`DIR/pmxcfs`, bound on `/etc/pve` in every node's
/// mount namespace), kept in step with the state: each file is replaced atomically (temporary file
/// in the same directory, then rename) and only when its bytes change. Each node's own `.members`
/// lives in `DIR/pmxcfs-members/<node>` (bound over `/etc/pve/.members`; rewritten in place, since
/// a rename would not reach through that bind mount).
package struct PmxcfsDirectory: Sendable {
  package let path: String

  package init(path: String) { self.path = path }

  var membersDirectory: String { path + "-members" }

  /// Writes every file of the state, removes guest configs the state no longer holds, and creates
  /// `priv/lock/` and each node's `qemu-server/` and `lxc/` directories.
  func writeAll(_ state: ClusterState) throws(CommandFailure) {
    try makeDirectory(path + "/priv/lock")
    try makeDirectory(path + "/ha")
    try makeDirectory(membersDirectory)
    for node in state.nodeNames() {
      try makeDirectory(path + "/nodes/\(node)/qemu-server")
      try makeDirectory(path + "/nodes/\(node)/lxc")
    }
    let rendering = render(state, changed: nil)
    let wanted = Set(rendering.files.compactMap { $0.value == nil ? nil : $0.key })
    for node in (try? FileManager.default.contentsOfDirectory(atPath: path + "/nodes")) ?? [] {
      for dir in ["qemu-server", "lxc"] {
        let rel = "nodes/\(node)/\(dir)"
        for name in (try? FileManager.default.contentsOfDirectory(atPath: path + "/" + rel)) ?? []
        where name.hasSuffix(".conf") && !wanted.contains(rel + "/" + name) {
          unlink(path + "/" + rel + "/" + name)
        }
      }
    }
    try apply(rendering)
  }

  /// Rewrites the files that depend on what changed in `state` since it was read.
  func update(_ state: ClusterState) throws(CommandFailure) {
    var changed = state.changed
    if state.pendingChanged { changed.insert(PmxcfsFiles.pendingMarker) }
    guard !changed.isEmpty else { return }
    try apply(render(state, changed: changed))
  }

  private func render(_ state: ClusterState, changed: Set<String>?) -> PmxcfsFiles.Rendering {
    let old = FileManager.default.contents(atPath: path + "/.vmlist").map {
      PmxcfsFiles.parseVMList([UInt8]($0))
    }
    return PmxcfsFiles.render(
      state, changed: changed, vmlistVersion: (old?.version ?? 0) + 1,
      previousVMList: old?.entries ?? [:])
  }

  private func apply(_ rendering: PmxcfsFiles.Rendering) throws(CommandFailure) {
    for (rel, bytes) in rendering.files.sorted(by: { $0.key < $1.key }) {
      let full = path + "/" + rel
      guard var bytes else {
        if unlink(full) != 0 && errno != ENOENT {
          throw failure("cannot remove \(full)")
        }
        continue
      }
      if rel == ".vmlist", let current = FileManager.default.contents(atPath: full) {
        // Only a change of the guest list makes a new .vmlist version.
        let old = PmxcfsFiles.parseVMList([UInt8](current)).entries.mapValues {
          [$0.node, $0.type]
        }
        let new = PmxcfsFiles.parseVMList(bytes).entries.mapValues { [$0.node, $0.type] }
        if old == new { continue }
      }
      if let current = FileManager.default.contents(atPath: full), [UInt8](current) == bytes {
        continue
      }
      try makeDirectory((full as NSString).deletingLastPathComponent)
      try replace(full, with: &bytes)
    }
    if let members = rendering.members {
      for (node, bytes) in members {
        let full = membersDirectory + "/" + node
        if let current = FileManager.default.contents(atPath: full), [UInt8](current) == bytes {
          continue
        }
        do {
          try Data(bytes).write(to: URL(fileURLWithPath: full))
        } catch {
          throw failure("cannot write \(full): \(error)")
        }
      }
    }
  }

  private func replace(_ full: String, with bytes: inout [UInt8]) throws(CommandFailure) {
    let dir = (full as NSString).deletingLastPathComponent
    let temp = dir + "/." + (full as NSString).lastPathComponent + ".tmp.\(getpid())"
    do {
      try Data(bytes).write(to: URL(fileURLWithPath: temp))
    } catch {
      throw failure("cannot write \(temp): \(error)")
    }
    guard rename(temp, full) == 0 else {
      let error = failure("cannot replace \(full)")
      unlink(temp)
      throw error
    }
  }

  private func makeDirectory(_ dir: String) throws(CommandFailure) {
    do {
      try FileManager.default.createDirectory(
        atPath: dir, withIntermediateDirectories: true)
    } catch {
      throw failure("cannot create \(dir): \(error)")
    }
  }

  private func failure(_ what: String) -> CommandFailure {
    CommandFailure(
      "pve-standin: \(what): \(String(cString: strerror(errno))); check that the sandbox directory is writable (scripts/sandbox start)"
    )
  }
}
