import Foundation
import PVEMendTestSupport
import PVEModel
import Testing

/// Rolling maintenance through the `pvemend` binary on the sandbox, as an admin runs it:
/// `collect`, `evacuate NODE --maintenance --out`, `apply --execute --yes`, then `undo JOURNAL
/// --execute --yes`, which reads the cluster again and checks every migration back against the
/// limits before anything runs (issue 12 part 1: "checking limits again at that time").
@Suite("pvemend evacuate → apply → undo on the sandbox", .serialized)
struct SandboxEvacuateCLITests {
  @Test(
    "the node empties; an undo whose limits no longer hold is refused (exit 3, nothing run); the undo under the plan's limits returns every guest"
  )
  func evacuateApplyUndoThroughTheBinary() async throws {
    let binary = try Sandbox.builtProduct("pvemend").path
    try await Sandbox.with(snapshot: Fixtures.example("homelab-cluster.json")) { sandbox in
      let dir = sandbox.directory
      let inventory = sandbox.inventory.path
      let snap = dir.appendingPathComponent("snap.json").path
      let plan = dir.appendingPathComponent("evacuate.json").path
      let journal = plan + ".journal.jsonl"
      let playbook = Fixtures.playbook("homelab.yaml").path
      func placement() async throws -> [String] {
        let now = dir.appendingPathComponent("now.json").path
        let r = try await Tool.run(binary, ["collect", "--inventory", inventory, "--out", now])
        #expect(r.status == 0, "\(r.stderr)")
        let s = try Snapshot.decode(Data(contentsOf: URL(fileURLWithPath: now)), file: now)
        return try Cluster(snapshot: s).guests.map { "\($0.sid)@\($0.node)" }
      }

      var r = try await Tool.run(binary, ["collect", "--inventory", inventory, "--out", snap])
      #expect(r.status == 0, "\(r.stderr)")
      let start = try await placement()
      // proxmox2 cannot be emptied entirely (exit 3, the plan is still written: 5 guests stay).
      r = try await Tool.run(
        binary,
        ["evacuate", "proxmox2", snap, "--playbook", playbook, "--maintenance", "--out", plan])
      #expect(r.status == 3, "\(r.stdout)\(r.stderr)")
      let staying = ["ct:111", "ct:123", "ct:124", "vm:114", "vm:125"]
      #expect(r.stdout.contains("5 guests stay: \(staying.joined(separator: ", "))"))

      r = try await Tool.run(
        binary, ["apply", plan, "--execute", "--yes", "--inventory", inventory])
      #expect(r.status == 0, "\(r.stdout)\(r.stderr)")
      let evacuated = try await placement()
      let left = evacuated.filter { $0.hasSuffix("@proxmox2") }.map {
        String($0.prefix { $0 != "@" })
      }
      #expect(left.sorted() == staying, "\(left)")
      let commandsAfterApply = try sandbox.commands().count

      // During the maintenance proxmox2 comes back with less memory (a failed DIMM): 8 GiB.
      // The guests no longer fit back; the undo reads the cluster, refuses, runs nothing.
      let total = try Self.nodeMemory(sandbox, "proxmox2")
      try Self.setNodeMemory(sandbox, "proxmox2", 8 << 30)
      r = try await Tool.run(
        binary, ["undo", journal, "--execute", "--yes", "--inventory", inventory])
      #expect(r.status == 3, "\(r.stdout)\(r.stderr)")
      #expect(r.stderr.contains("no longer fit back"))
      #expect(r.stderr.contains("back to proxmox2"))
      #expect(try sandbox.commands().count == commandsAfterApply)

      try Self.setNodeMemory(sandbox, "proxmox2", total)
      // The DIMM replaced: under the limits the evacuation was planned with (recorded in the
      // plan), every guest goes back.
      r = try await Tool.run(
        binary, ["undo", journal, "--execute", "--yes", "--inventory", inventory])
      #expect(r.status == 0, "\(r.stdout)\(r.stderr)")
      #expect(r.stderr.contains("every migration back fits"))
      #expect(try await placement() == start)
    }
  }

  /// A node's memory as the sandbox reports it (`/nodes/N/status` memory.total).
  static func nodeMemory(_ sandbox: Sandbox, _ node: String) throws -> Int64 {
    let state = try #require(
      try JSONSerialization.jsonObject(
        with: Data(contentsOf: URL(fileURLWithPath: sandbox.statePath)))
        as? [String: Any])
    let api = try #require(state["api"] as? [String: Any])
    let status = try #require(api["/nodes/\(node)/status"] as? [String: Any])
    return try #require((status["memory"] as? [String: Any])?["total"] as? Int64)
  }

  /// Sets a node's memory in the sandbox's state (its status and its `/cluster/resources` entry),
  /// between runs (no stand-in runs meanwhile).
  static func setNodeMemory(_ sandbox: Sandbox, _ node: String, _ bytes: Int64) throws {
    let url = URL(fileURLWithPath: sandbox.statePath)
    var state = try #require(
      try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as? [String: Any])
    var api = try #require(state["api"] as? [String: Any])
    var status = try #require(api["/nodes/\(node)/status"] as? [String: Any])
    var memory = try #require(status["memory"] as? [String: Any])
    memory["total"] = bytes
    status["memory"] = memory
    api["/nodes/\(node)/status"] = status
    var resources = try #require(api["/cluster/resources"] as? [[String: Any]])
    for i in resources.indices
    where resources[i]["type"] as? String == "node" && resources[i]["node"] as? String == node {
      resources[i]["maxmem"] = bytes
    }
    api["/cluster/resources"] = resources
    state["api"] = api
    try JSONSerialization.data(withJSONObject: state, options: [.sortedKeys]).write(to: url)
  }
}
