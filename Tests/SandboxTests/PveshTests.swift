import Foundation
import PVEModel
import SandboxCore
import Testing

/// `pvesh get` prints exactly the stored response; the text tools print Proxmox's formats.
@Suite struct PveshTests {
  @Test func everyStoredPathPrintsExactlyItsJSON() throws {
    let snapshot = TinyCluster.snapshot()
    let state = try ClusterState(snapshot: snapshot)
    for (path, value) in snapshot.api where path != "/cluster/ha/groups" {
      let node = path.hasPrefix("/nodes/") ? String(path.split(separator: "/")[1]) : "pve1"
      let out = run(state, ["pvesh", "get", path, "--output-format", "json"], on: node)
      #expect(out.exitCode == 0, "\(path): \(out.stderr)")
      #expect(out.stdout == JSONText.compact(value) + "\n")
      #expect(!out.stdout.dropLast().contains("\n"))
      let decoded = try JSONDecoder().decode(JSONValue.self, from: Data(out.stdout.utf8))
      #expect(decoded == value, "\(path)")
    }
  }

  @Test func compactJSONIsSortedAndUnescaped() {
    let value: JSONValue = .object([
      "b": .int(1), "a": .array([.double(0.25), .string("x/y \"q\" é\n"), .null, .bool(true)]),
    ])
    #expect(JSONText.compact(value) == #"{"a":[0.25,"x/y \"q\" é\n",null,true],"b":1}"#)
    #expect((try? JSONText.parse(JSONText.compact(value))) == value)
  }

  @Test func resourcesFilterByType() throws {
    let state = try TinyCluster.state()
    let out = run(
      state, ["pvesh", "get", "/cluster/resources", "--type", "vm", "--output-format", "json"])
    let list =
      try JSONDecoder().decode(JSONValue.self, from: Data(out.stdout.utf8)).arrayValue ?? []
    #expect(list.count == 8)
    #expect(list.allSatisfy { ["qemu", "lxc"].contains($0["type"]?.stringValue ?? "") })
  }

  @Test func guestStatusCurrent() throws {
    let state = try TinyCluster.state()
    let out = run(
      state, ["pvesh", "get", "/nodes/pve1/qemu/114/status/current", "--output-format", "json"])
    let value = try JSONDecoder().decode(JSONValue.self, from: Data(out.stdout.utf8))
    #expect(value["status"]?.stringValue == "running")
    #expect(value["ha"]?["managed"]?.intValue == 1)
  }

  @Test func pveversionLine() throws {
    let nine = run(try TinyCluster.state(), ["pveversion"], on: "pve2")
    #expect(nine.stdout == "pve-manager/9.1.1/42db4a6cf33dac83 (running kernel: 6.17.2-1-pve)\n")
    let eight = run(try TinyCluster.state(major: 8), ["pveversion"])
    let regex = /^pve-manager\/(\d+)\.(\d+)[.-](\d+)\/([0-9a-f]+) \(running kernel: (\S+)\)\n$/
    #expect(eight.stdout.wholeMatch(of: regex) != nil)
    #expect(eight.stdout.hasPrefix("pve-manager/8.4.14/"))
  }

  @Test func haStatusAndConfigText() throws {
    let state = try TinyCluster.state()
    let status = run(state, ["ha-manager", "status"])
    #expect(
      status.stdout == """
        quorum OK
        master pve1 (active, Thu Nov 13 02:13:20 2025)
        lrm pve1 (active, Thu Nov 13 02:13:20 2025)
        lrm pve2 (active, Thu Nov 13 02:13:20 2025)
        lrm pve3 (active, Thu Nov 13 02:13:20 2025)
        service ct:120 (pve2, started)
        service vm:114 (pve1, started)

        """)
    #expect(run(state, ["ha-manager", "set", "vm:114", "--max_relocate", "2"]).exitCode == 0)
    let config = run(state, ["ha-manager", "config"])
    #expect(
      config.stdout == "ct:120\n\tstate started\n\nvm:114\n\tmax_relocate 2\n\tstate started\n\n")
  }

  @Test func guestStatusAndConfig() throws {
    let state = try TinyCluster.state()
    #expect(run(state, ["qm", "status", "100"]).stdout == "status: running\n")
    #expect(run(state, ["pct", "status", "111"]).stdout == "status: stopped\n")
    let config = run(state, ["pct", "config", "111"]).stdout
    #expect(config.contains("rootfs: nfs-shared:111/vm-111-disk-0.raw,size=4G\n"))
    #expect(!config.contains("digest"))
  }
}
