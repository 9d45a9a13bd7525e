import Foundation
import PVEMendTestSupport
import PVEModel
import Planning
import Playbook
import RestoreTest
import Testing

/// The restore-test plan: scratch VMIDs, cut networks, node choice, leftovers, and Proxmox's schema.
@Suite struct RestoreTestPlannerTests {
  static func example(_ name: String) throws -> (Snapshot, Cluster) {
    let url = Fixtures.example(name + ".json")
    let snap = try Snapshot.decode(Data(contentsOf: url), file: url.path)
    return (snap, try Cluster(snapshot: snap, file: url.path))
  }

  static func plan(
    _ snap: Snapshot, _ cluster: Cluster, policy: Policy = .builtinDefault, guests: [Int]? = nil
  ) throws -> (plan: Plan, tests: [RestoreTestPlanner.Test]) {
    try RestoreTestPlanner.plan(
      snapshot: snap, cluster: cluster, policy: policy, playbookPath: "p.yaml", playbookText: "",
      guests: guests)
  }

  @Test func pve9ExamplePlansTestsOfBackedUpGuests() throws {
    let (snap, cluster) = try Self.example("pve9-rules-cluster")
    let (plan, tests) = try Self.plan(snap, cluster, guests: [201, 260, 220])
    // 201 and 260 have PBS backups; 220 has none.
    #expect(tests.map(\.guest) == ["vm:201", "ct:260"])
    #expect(tests.map(\.scratchVMID) == [99900, 99901])
    #expect(plan.unresolved.map(\.finding) == ["restore-test/vm:220"])
    #expect(plan.steps.allSatisfy { $0.kind == .restoreTest })
    #expect(plan.format == Plan.formatVersion)
    // Deterministic.
    #expect(
      PlanFile.encode(plan)
        == PlanFile.encode(try Self.plan(snap, cluster, guests: [201, 260, 220]).plan))
  }

  /// Property: over many guest choices on every example, no step targets an existing VMID or a
  /// VMID outside the scratch range, and no scratch guest is started unless every network device
  /// its restore sets is cut (and the start step requires it).
  @Test(arguments: ["homelab-cluster", "pve8-groups-cluster", "pve9-rules-cluster"])
  func neverAnExistingVMIDAndNeverALiveLink(_ name: String) throws {
    let (snap, cluster) = try Self.example(name)
    let existing = Set(cluster.guests.map(\.vmid))
    let vmids = cluster.guests.map(\.vmid)
    var policy = Policy.builtinDefault
    policy.restoreTest.maxGuests = 5
    for start in stride(from: 0, to: vmids.count, by: 2) {
      let pick = Array(vmids[start..<min(vmids.count, start + 4)])
      for bridge in [nil, "vmbr99"] as [String?] {
        policy.restoreTest.isolatedBridge = bridge
        let (plan, _) = try Self.plan(snap, cluster, policy: policy, guests: pick)
        for step in plan.steps {
          for c in step.commands {
            let target = Self.targetVMID(c.argv)
            let t = try #require(target, "\(c.argv)")
            #expect(policy.restoreTest.isScratch(t), "\(c.argv) outside the scratch range")
            #expect(!existing.contains(t), "\(c.argv) targets an existing guest")
          }
          if step.commands.contains(where: { $0.argv.count > 1 && $0.argv[1] == "start" }) {
            let cut = step.preconditions.first { $0.kind == .networkCut }
            #expect(cut != nil && cut?.key == bridge, "\(step.id) starts without network-cut")
          }
        }
        // Every network device the restore sets is cut before any start.
        for step in plan.steps {
          for c in step.commands where c.argv.contains("--tags") {
            for (i, word) in c.argv.enumerated() where word.hasPrefix("--net") {
              let value = c.argv[i + 1]
              #expect(value.hasSuffix(",link_down=1"), "\(value)")
              if let bridge { #expect(value.contains("bridge=\(bridge)")) }
            }
          }
        }
      }
    }
  }

  /// The VMID a restore-test command acts on.
  static func targetVMID(_ argv: [String]) -> Int? {
    switch argv.first {
    case "qmrestore": return argv.count > 2 ? Int(argv[2]) : nil
    case "qm", "pct": return argv.count > 2 ? Int(argv[2]) : nil
    default: return nil
    }
  }

  @Test func leftoversAreCleanedUpFirst() throws {
    var (snap, _) = try Self.example("pve9-rules-cluster")
    // A scratch guest left behind, tagged, running.
    if case .array(var items) = snap.api["/cluster/resources"] {
      items.append(
        .object([
          "id": .string("qemu/99900"), "type": .string("qemu"), "vmid": .int(99900),
          "node": .string("pve1"), "status": .string("running"),
          "name": .string("restore-test-201-db-primary"), "tags": .string("pvemend-restore-test"),
          "maxmem": .int(1 << 30), "maxcpu": .int(1),
        ]))
      snap.api["/cluster/resources"] = .array(items)
    }
    snap.api["/nodes/pve1/qemu/99900/config"] = .object([
      "name": .string("restore-test-201-db-primary"), "tags": .string("pvemend-restore-test"),
      "memory": .string("1024"),
      "net0": .string("virtio=BC:24:11:00:00:09,bridge=vmbr0,link_down=1"),
    ])
    let cluster = try Cluster(snapshot: snap)
    let (plan, tests) = try Self.plan(snap, cluster, guests: [201])
    let first = try #require(plan.steps.first)
    #expect(
      first.commands.map(\.argv) == [
        ["qm", "stop", "99900"], ["qm", "destroy", "99900", "--purge", "1"],
      ])
    // The leftover's VMID is not reused; the restore waits for the cleanup.
    #expect(tests.first?.scratchVMID == 99901)
    #expect(plan.steps[1].after == [first.id])
  }

  @Test func everyCommandPassesProxmoxsSchema() throws {
    guard let shared = Fixtures.shared else { return }
    var argvs: [[String]] = []
    for name in ["pve8-groups-cluster", "pve9-rules-cluster"] {
      let (snap, cluster) = try Self.example(name)
      var policy = Policy.builtinDefault
      policy.restoreTest.maxGuests = 50
      for bridge in [nil, "vmbr99"] as [String?] {
        policy.restoreTest.isolatedBridge = bridge
        let (plan, _) = try Self.plan(
          snap, cluster, policy: policy, guests: cluster.guests.map(\.vmid))
        argvs += plan.steps.flatMap { $0.commands.map(\.argv) }
      }
    }
    #expect(argvs.count > 20)
    let input = FileManager.default.temporaryDirectory.appendingPathComponent(
      "restore-argv-\(UUID().uuidString).json")
    defer { try? FileManager.default.removeItem(at: input) }
    try JSONEncoder().encode(argvs).write(to: input)
    for major in ["8", "9"] {
      let process = Process()
      process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
      process.arguments = [
        "python3", shared.appendingPathComponent("tools/pve-argv-check").path, "--pve", major,
        input.path,
      ]
      let pipe = Pipe()
      process.standardOutput = pipe
      process.standardError = pipe
      try process.run()
      let output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
      process.waitUntilExit()
      #expect(process.terminationStatus == 0, "\(output)")
      #expect(
        output.contains("\(argvs.count) commands checked, 0 refused, 0 unchecked"), "\(output)")
    }
  }

  @Test func namesAndNetworks() {
    #expect(
      RestoreTestPlanner.scratchName(vmid: 110, name: "Traefik (edge)")
        == "restore-test-110-traefik-edge")
    let cut = RestoreTestPlanner.cutNetworks(
      ["net0": "virtio=BC:24:11:00:00:01,bridge=vmbr0,link_down=0"], bridge: "iso")
    #expect(cut["net0"] == "virtio,bridge=iso,link_down=1")
    let ct = RestoreTestPlanner.cutNetworks(
      ["net0": "name=eth0,bridge=vmbr0,hwaddr=BC:24:11:5A:1E:3F,ip=dhcp,type=veth"], bridge: nil)
    #expect(ct["net0"] == "name=eth0,bridge=vmbr0,ip=dhcp,type=veth,link_down=1")
  }
}

/// The playbook's `restore_test` section.
@Suite struct RestoreTestPlaybookTests {
  @Test func decodesAndSuggestsTypos() throws {
    let policy = try PlaybookDecoder.decode(
      "restore_test:\n  scratch_vmids: 99000-99009\n  max_guests: 2\n  isolated_bridge: vmbr99\n  agent_timeout: 2m\n",
      file: "p.yaml")
    #expect(policy.restoreTest.firstVMID == 99000 && policy.restoreTest.lastVMID == 99009)
    #expect(policy.restoreTest.maxGuests == 2 && policy.restoreTest.isolatedBridge == "vmbr99")
    #expect(policy.restoreTest.agentTimeoutSeconds == 120)
    #expect(throws: PlaybookError.self) {
      try PlaybookDecoder.decode("restore_test:\n  scratch_vmid: 1-2\n", file: "p.yaml")
    }
    do {
      _ = try PlaybookDecoder.decode("restore_test:\n  scratch_vmid: 1-2\n", file: "p.yaml")
    } catch {
      #expect("\(error)".contains("did you mean 'scratch_vmids'"), "\(error)")
    }
    do {
      _ = try PlaybookDecoder.decode("restore_test:\n  scratch_vmids: 5-2\n", file: "p.yaml")
      Issue.record("a reversed range was accepted")
    } catch {
      #expect("\(error)".contains("is not a VMID range"), "\(error)")
    }
  }
}
