import Foundation
import PVEConfig
import PVEModel

/// A guest config object (pvesh's shape) as the bytes of its file under `/etc/pve`, written by
/// PVEConfig as qemu-server `write_vm_config` / pve-container `write_pct_config` write it
/// (`digest` left out).
enum GuestConfigText {
  static func bytes(_ config: [String: JSONValue], kind: GuestKind) -> [UInt8] {
    [UInt8](GuestConfigFile(pvesh: config, kind: kind, file: "").raw())
  }
}
