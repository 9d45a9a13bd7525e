import Execution
import Foundation
import PVEMendTestSupport
import Testing

#if canImport(Glibc)
  import Glibc
#endif

/// The same fault through the `pvemend` binary: `apply --execute --reconnect-timeout` with a node's
/// sshd stopped, exit 1 and the step `unknown` in the journal file; `--resume` finishes it.
@Suite("pvemend apply --reconnect-timeout / --resume on the sandbox", .serialized)
struct SandboxDetachCLITests {
  @Test(
    "node stopped past --reconnect-timeout: exit 1, journal says unknown; --resume exit 0, nothing twice"
  )
  func unknownThenResumeThroughTheCLI() async throws {
    let binary = try Sandbox.builtProduct("pvemend").path
    try await Sandbox.with(
      snapshot: Fixtures.example("homelab-cluster.json"), commandDelay: ["move-volume": 8]
    ) { sandbox in
      let dir = sandbox.directory
      let inventory = sandbox.inventory.path
      let snap = dir.appendingPathComponent("snap.json").path
      let full = dir.appendingPathComponent("full.json").path
      let plan = dir.appendingPathComponent("plan.json").path
      let journal = plan + ".journal.jsonl"
      let detach = dir.appendingPathComponent("detach").path
      var r = try await Tool.run(binary, ["collect", "--inventory", inventory, "--out", snap])
      #expect(r.status == 0, "\(r.stderr)")
      r = try await Tool.run(
        binary,
        ["plan", snap, "--playbook", Fixtures.playbook("homelab.yaml").path, "--out", full])
      #expect(r.status == 0, "\(r.stderr)")
      // Only the step with vm:114's two disk moves on proxmox2 (found by title: its id follows
      // the planner's order).
      var object = try #require(
        try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: full)))
          as? [String: Any])
      let steps = try #require(object["steps"] as? [[String: Any]])
      let id = try #require(
        steps.first { ($0["title"] as? String)?.hasPrefix("Move vm:114 (homeassistant)") == true }?[
          "id"] as? String)
      object["steps"] = steps.filter { $0["id"] as? String == id }
      try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]).write(
        to: URL(fileURLWithPath: plan))

      let arguments = [
        "apply", plan, "--execute", "--yes", "--inventory", inventory, "--detach-dir", detach,
        "--poll-interval", "0.2",
      ]
      async let first = Tool.run(binary, arguments + ["--reconnect-timeout", "1"])
      // Once the first disk move prints, proxmox2's sshd stops and its connections drop.
      let listener = try #require(
        ProcessTree.pid(file: dir.appendingPathComponent("nodes/proxmox2/pid").path))
      try await DetachedApplyTests.waitFor(
        {
          let runs = (try? FileManager.default.contentsOfDirectory(atPath: detach)) ?? []
          return runs.contains {
            ((try? Data(contentsOf: URL(fileURLWithPath: "\(detach)/\($0)/\(id).0/log")))?.count
              ?? 0) > 0
          }
        }, seconds: 20)
      kill(listener, SIGSTOP)
      ProcessTree.killSSHDSessions(listener: listener)
      let stopped = try await first
      kill(listener, SIGCONT)
      #expect(stopped.status == 1, "\(stopped.stdout)\(stopped.stderr)")
      #expect(
        stopped.stdout.contains("\(id)   unknown") || stopped.stdout.contains("\(id)  unknown"))
      #expect(stopped.stdout.contains("--resume"))
      let entries = try JournalFile.read(path: journal)
      #expect(
        entries.contains { $0.event == .stepEnd && $0.step == id && $0.outcome == "unknown" })

      try await Task.sleep(for: .seconds(3))
      let resumed = try await Tool.run(binary, arguments + ["--resume", journal])
      #expect(resumed.status == 0, "\(resumed.stdout)\(resumed.stderr)")
      let record = try sandbox.commands()
      #expect(record.count == 2, "\(record.map(\.argv))")
      #expect(Set(record.map { $0.argv.joined(separator: " ") }).count == 2, "nothing twice")
    }
  }
}
