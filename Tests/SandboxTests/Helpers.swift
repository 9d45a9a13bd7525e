import Foundation
import PVEModel
import SandboxCore

/// Runs one stand-in command in-process on a state, as if typed on `node`.
@discardableResult
func run(
  _ state: ClusterState, _ argv: [String], on node: String = "pve1",
  at now: Double = TinyCluster.now,
  haDelay: Double = 0
) -> Outcome {
  StandIn.run(argv, on: state, node: node, now: now, haDelay: haDelay)
}

extension ClusterState {
  /// The `/cluster/resources` entry of a guest.
  func resource(_ vmid: Int) -> [String: JSONValue]? {
    list("/cluster/resources").first { $0["vmid"]?.intValue == Int64(vmid) }
  }

  func nodeResource(_ node: String) -> [String: JSONValue]? {
    list("/cluster/resources").first {
      $0["type"]?.stringValue == "node" && $0["node"]?.stringValue == node
    }
  }

  func service(sid: String) -> [String: JSONValue]? {
    list("/cluster/ha/status/current").first { $0["sid"]?.stringValue == sid }
  }

  func storageUsed(_ id: String, on node: String) -> Int64 {
    storageEntry(id, on: node)?["used"]?.intValue ?? -1
  }

  func memoryUsed(_ node: String) -> Int64 {
    object("/nodes/\(node)/status")?["memory"]?["used"]?.intValue ?? -1
  }
}

/// The first line Proxmox prints for a parameter error on `param`.
func parameterError(_ param: String, _ reason: String) -> String {
  "400 Parameter verification failed.\n\(param): \(reason)\n"
}
