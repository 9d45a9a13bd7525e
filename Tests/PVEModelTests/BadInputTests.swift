import Foundation
import PVEMendTestSupport
import PVEModel
import Testing

/// Bad input: errors name the file, the JSON path and the fix; odd data becomes inconsistencies.
@Suite struct BadInputTests {
  private func decode(_ text: String) throws(SnapshotError) -> Snapshot {
    try Snapshot.decode(Data(text.utf8), file: "bad.json")
  }

  @Test func syntaxErrorNamesTheFile() {
    #expect {
      try decode(#"{"format": "pvemend-snapshot/1", "collectedAt": "x", "source": "#)
    } throws: { error in
      guard let e = error as? SnapshotError, case .malformed(let file, let path, _) = e else {
        return false
      }
      return file == "bad.json" && path == "$.source"
        && e.description.hasPrefix("bad.json: malformed")
    }
  }

  @Test func syntaxErrorDeepInsideNamesTheAPIPathLineAndColumn() throws {
    let url = Fixtures.example("homelab-cluster.json")
    var text = try String(contentsOf: url, encoding: .utf8)
    // Break the number of the first guest's vmid in /cluster/resources.
    let range = try #require(text.range(of: "\"vmid\" : 110"))
    text.replaceSubrange(range, with: "\"vmid\" : 1l0")
    do {
      _ = try Snapshot.decode(Data(text.utf8), file: "examples/homelab-cluster.json")
      Issue.record("decoded a broken snapshot")
    } catch {
      guard case .malformed(let file, let path, let detail) = error else {
        Issue.record("unexpected \(error)")
        return
      }
      #expect(file == "examples/homelab-cluster.json")
      #expect(path.hasPrefix("$.api[\"/cluster/resources\"]["))
      #expect(path.hasSuffix("].vmid"))
      #expect(detail.contains("line ") && detail.contains("column "))
      #expect(
        error.description.hasPrefix("examples/homelab-cluster.json: malformed snapshot at $.api["))
    }
  }

  @Test func typeErrorNamesTheJSONPath() {
    let text = #"{"format": "pvemend-snapshot/1", "collectedAt": 5, "source": "s", "api": {}}"#
    #expect(throws: SnapshotError.self) { try decode(text) }
    do {
      _ = try decode(text)
    } catch {
      guard case .malformed(let file, let path, let detail) = error else {
        Issue.record("unexpected \(error)")
        return
      }
      #expect(file == "bad.json")
      #expect(path == "$.collectedAt")
      #expect(detail.contains("String"))
      #expect(error.description.contains("collect it again with 'pvemend collect'"))
    }
  }

  @Test func missingFieldNamesIt() {
    do {
      _ = try decode(#"{"format": "pvemend-snapshot/1", "collectedAt": "x", "source": "s"}"#)
      Issue.record("decoded a snapshot without api")
    } catch {
      guard case .malformed(_, let path, let detail) = error else {
        Issue.record("unexpected \(error)")
        return
      }
      #expect(path == "$.api")
      #expect(detail == "missing field 'api'")
    }
  }

  @Test func apiOfTheWrongKind() {
    do {
      _ = try decode(
        #"{"format": "pvemend-snapshot/1", "collectedAt": "x", "source": "s", "api": []}"#)
      Issue.record("decoded an array as api")
    } catch {
      guard case .malformed(_, let path, _) = error else {
        Issue.record("unexpected \(error)")
        return
      }
      #expect(path == "$.api")
    }
  }

  @Test func unsupportedFormat() {
    #expect(throws: SnapshotError.unsupportedFormat(file: "bad.json", found: "pvemend-snapshot/2"))
    {
      try decode(#"{"format": "pvemend-snapshot/2", "collectedAt": "x", "source": "s", "api": {}}"#)
    }
  }

  @Test(arguments: [
    "/version", "/cluster/status", "/cluster/resources", "/cluster/ha/resources",
    "/cluster/ha/status/current", "/cluster/backup", "/storage", "/cluster/options",
    "/nodes/pve1/status", "/nodes/pve1/storage", "/nodes/pve1/lxc/100/config",
    "/nodes/pve1/qemu/101/config",
  ])
  func missingRequiredPath(path: String) {
    var mini = MiniSnapshot()
    mini.api[path] = nil
    #expect(throws: SnapshotError.missingPath(file: "mini.json", path: path)) {
      try mini.cluster()
    }
    let message = SnapshotError.missingPath(file: "mini.json", path: path).description
    #expect(message.contains("'\(path)'"))
    #expect(message.contains("pvesh get \(path) --output-format json"))
    #expect(message.contains("pvemend collect"))
  }

  @Test func missingHAPlacement() {
    var mini = MiniSnapshot()
    mini.api["/cluster/ha/groups"] = nil
    #expect(throws: SnapshotError.self) { try mini.cluster() }
    mini.api["/cluster/ha/rules"] = .array([])
    #expect(throws: Never.self) { try mini.cluster() }
  }

  @Test func wrongShapeNamesThePath() {
    var mini = MiniSnapshot()
    mini.api["/cluster/resources"] = .object([:])
    #expect(
      throws: SnapshotError.wrongShape(
        file: "mini.json", path: "/cluster/resources", expected: "a JSON array")
    ) { try mini.cluster() }
    mini = MiniSnapshot()
    mini.api["/nodes/pve1/status"] = .array([])
    #expect(
      throws: SnapshotError.wrongShape(
        file: "mini.json", path: "/nodes/pve1/status", expected: "a JSON object")
    ) { try mini.cluster() }
  }

  @Test func nullResponsesCountAsEmpty() throws {
    var mini = MiniSnapshot()
    mini.api["/cluster/backup"] = .null
    #expect(try mini.cluster().backupJobs.isEmpty)
  }

  @Test func unknownFieldsAndPathsAreIgnored() throws {
    var mini = MiniSnapshot()
    let plain = try mini.cluster()
    mini.api["/cluster/ceph/status"] = .object(["health": .object(["status": .string("HEALTH_OK")])]
    )
    mini.edit("/cluster/resources", id: "lxc/100") { $0["future-field"] = .array([.int(1)]) }
    mini.edit("/nodes/pve1/lxc/100/config") {
      $0["lxc"] = .array([.array([.string("k"), .string("v")])])
    }
    mini.edit("/nodes/pve1/status") { $0["host-arch"] = .string("x86_64") }
    mini.append(
      "/cluster/resources", ["id": .string("sdn/pve1/localnetwork"), "type": .string("sdn")])
    mini.append("/cluster/resources", ["vmid": .string("not a number"), "type": .string("qemu")])
    mini.append("/cluster/status", ["id": .string("qdevice"), "type": .string("qdevice")])
    #expect(try mini.cluster() == plain)
  }

  @Test func guestOnANodeTheClusterDoesNotList() throws {
    var mini = MiniSnapshot()
    mini.append(
      "/cluster/resources",
      [
        "id": .string("qemu/200"), "vmid": .int(200), "node": .string("ghost"),
        "type": .string("qemu"), "status": .string("running"), "name": .string("stray"),
      ])
    let cluster = try mini.cluster()
    #expect(cluster.guest(vmid: 200)?.node == "ghost")
    #expect(cluster.node("ghost") == nil)
    #expect(cluster.inconsistencies.map(\.key) == ["guest-on-unknown-node/vm:200"])
    #expect(cluster.inconsistencies[0].message.contains("ghost"))
  }

  @Test func nodeInResourcesButNotInClusterStatus() throws {
    var mini = MiniSnapshot()
    mini.append(
      "/cluster/resources",
      [
        "id": .string("node/ghost"), "node": .string("ghost"), "type": .string("node"),
        "status": .string("online"), "maxcpu": .int(4),
      ])
    mini.append(
      "/cluster/resources",
      [
        "id": .string("lxc/201"), "vmid": .int(201), "node": .string("ghost"),
        "type": .string("lxc"), "status": .string("running"),
      ])
    // No /nodes/ghost/status and no config for 201: not required, the node is not a member.
    let cluster = try mini.cluster()
    #expect(cluster.nodes.map(\.name) == ["pve1"])
    #expect(
      cluster.inconsistencies.map(\.key) == [
        "guest-on-unknown-node/ct:201", "node-not-in-cluster-status/ghost",
      ])
  }

  @Test func haResourceForAMissingGuest() throws {
    var mini = MiniSnapshot()
    mini.append(
      "/cluster/ha/resources",
      ["sid": .string("vm:999"), "type": .string("vm"), "state": .string("started")])
    let cluster = try mini.cluster()
    #expect(cluster.haResource("vm:999") != nil)
    #expect(cluster.inconsistencies.map(\.key) == ["ha-resource-without-guest/vm:999"])
  }

  @Test func offlineNodeNeedsNoStatusNorConfigs() throws {
    var mini = MiniSnapshot()
    mini.edit("/cluster/status", id: "node/pve1") { $0["online"] = .int(0) }
    mini.edit("/cluster/resources", id: "node/pve1") { $0["status"] = .string("offline") }
    for id in ["lxc/100", "qemu/101"] {
      mini.edit("/cluster/resources", id: id) { $0["status"] = .string("unknown") }
    }
    for path in [
      "/nodes/pve1/status", "/nodes/pve1/storage", "/nodes/pve1/lxc/100/config",
      "/nodes/pve1/qemu/101/config",
    ] {
      mini.api[path] = nil
    }
    let cluster = try mini.cluster()
    #expect(cluster.node("pve1")?.online == false)
    #expect(cluster.guests.map(\.status) == ["unknown", "unknown"])
    #expect(cluster.inconsistencies.isEmpty)
  }
}
