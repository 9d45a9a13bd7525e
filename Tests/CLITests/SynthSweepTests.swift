import Foundation
import PVEMendTestSupport
import PVEModel
import Synth
import Testing

/// The case checks over generated clusters: many seeds and shapes (1…32 nodes, 0…2,000 guests,
/// PVE 8 and 9), plain and mutated the ways real clusters differ from the generator (hostile
/// names, numbers as strings, an offline node). No goldens: the checks are the properties.
@Suite("pvemend end to end on synthetic clusters")
struct SynthSweepTests {
  /// A shape and seed, and how to spoil the generated snapshot.
  struct Shape: Sendable, CustomTestStringConvertible {
    var nodes: Int
    var guests: Int
    var seed: UInt64
    var pve: Int
    var mutation: Mutation = .none

    var testDescription: String {
      "\(nodes) nodes, \(guests) guests, seed \(seed), PVE \(pve)"
        + (mutation == .none ? "" : ", \(mutation)")
    }
  }

  /// Ways a real cluster differs from the generator's.
  enum Mutation: String, Sendable {
    case none
    /// Every 3rd guest renamed to a shell-hostile name (resources and config).
    case hostileNames = "hostile names"
    /// Every number and boolean in /cluster/resources and guest configs as a string.
    case strings = "numbers as strings"
    /// The last node offline: no status, storage or config paths; its guests `unknown`.
    case lastNodeOffline = "last node offline"
  }

  static let shapes: [Shape] = [
    Shape(nodes: 1, guests: 0, seed: 1, pve: 8),
    Shape(nodes: 1, guests: 7, seed: 2, pve: 9),
    Shape(nodes: 2, guests: 30, seed: 4, pve: 9, mutation: .lastNodeOffline),
    Shape(nodes: 3, guests: 45, seed: 6, pve: 8, mutation: .hostileNames),
    Shape(nodes: 3, guests: 45, seed: 6, pve: 9, mutation: .hostileNames),
    Shape(nodes: 4, guests: 90, seed: 7, pve: 9, mutation: .strings),
    Shape(nodes: 7, guests: 260, seed: 10, pve: 8, mutation: .strings),
    Shape(nodes: 12, guests: 500, seed: 11, pve: 9, mutation: .hostileNames),
    Shape(nodes: 16, guests: 900, seed: 13, pve: 8, mutation: .lastNodeOffline),
    Shape(nodes: 32, guests: 2_000, seed: 15, pve: 9),
  ]

  /// Plans with more commands than this skip the (slow) stand-in run of their script; they are
  /// still parsed by bash and checked by pve-argv-check.
  static let scriptRunLimit = 150

  @Test("audit, plan, show and export hold their properties", arguments: shapes)
  func sweep(_ shape: Shape) throws {
    let dir = try Spawn.temporaryDirectory("synth-\(shape.nodes)-\(shape.guests)")
    defer { try? FileManager.default.removeItem(at: dir) }
    var snapshot = Synth.snapshot(
      nodes: shape.nodes, guests: shape.guests, seed: shape.seed, pveMajor: shape.pve)
    Self.mutate(&snapshot, shape.mutation)
    try snapshot.encoded().write(to: dir.appendingPathComponent("snapshot.json"))
    try FileManager.default.copyItem(
      at: Fixtures.playbook("default.yaml"), to: dir.appendingPathComponent("playbook.yaml"))
    let name = shape.testDescription

    func pvemend(_ args: [String]) throws -> ProcessRun {
      let r = try Spawn.pvemend(args, in: dir)
      #expect(!r.signalled, "\(name): \(r.commandLine) crashed (\(r.outcome))\n\(r.stderrText)")
      #expect(r.status == 0, "\(name): \(r.commandLine): \(r.outcome)\n\(r.stderrText)")
      return r
    }
    let pb = ["--playbook", "playbook.yaml"]
    let audit = try pvemend(["audit", "snapshot.json"] + pb + ["--format", "json"])
    #expect(!audit.stdout.isEmpty)
    let small = shape.guests <= 500
    if small { _ = try pvemend(["audit", "snapshot.json"] + pb) }
    let plan = try pvemend(
      ["plan", "snapshot.json"] + pb + ["--format", "json", "--out", "plan.json"])
    let again = try pvemend(["plan", "snapshot.json"] + pb + ["--format", "json"])
    #expect(plan.stdout == again.stdout, "\(name): plan JSON differs between runs")
    guard !plan.stdout.isEmpty else { return }
    if small { _ = try pvemend(["show", "plan.json"]) }
    let script = try pvemend(["export", "plan.json", "--format", "sh"])
    let commands = try PlanCommands(plan.stdout)
    #expect(try Self.twiceOrMore(plan.stdout) == [], "\(name): guests stopped or moved twice")

    if let check = try ArgvCheck.run(planFile: "plan.json", major: commands.pveMajor, in: dir) {
      #expect(
        check.status == 0,
        "\(name): Proxmox \(commands.pveMajor) would refuse some commands:\n\(check.stdoutText)")
    } else {
      print("\(name): \(ArgvCheck.skipMessage)")
    }
    let url = dir.appendingPathComponent("plan.sh")
    try script.stdout.write(to: url)
    let syntax = try Spawn.run("/bin/bash", ["-n", "plan.sh"], label: "bash -n", in: dir)
    #expect(syntax.status == 0, "\(name): bash -n plan.sh: \(syntax.stderrText)")
    if commands.commands.count <= Self.scriptRunLimit {
      let outcome = try ScriptRun.execute(script: url, guests: commands.guests, in: dir)
      #expect(outcome.run.status == 0, "\(name): plan.sh --execute: \(outcome.run.stderrText)")
      #expect(
        outcome.received == commands.commands, "\(name): the nodes did not receive the plan's argv")
      #expect(outcome.strayFiles.isEmpty, "\(name): the script created \(outcome.strayFiles)")
    }
  }

  // MARK: Mutations

  static let hostile = [
    "x'; touch canary #", "$(touch canary)", "`touch canary`", "a\ntouch canary", "ÜberDNS-🚀",
    "-rf", "a\"b\\c|d;e&f", "${IFS}touch${IFS}canary", "trailing space ", "",
  ]

  static func mutate(_ snapshot: inout Snapshot, _ mutation: Mutation) {
    switch mutation {
    case .none: return
    case .hostileNames:
      var renamed: [Int: String] = [:]
      var resources = snapshot.api["/cluster/resources"]?.arrayValue ?? []
      var index = 0
      for i in resources.indices {
        guard var o = resources[i].objectValue, let vmid = o["vmid"]?.intValue else { continue }
        index += 1
        guard index % 3 == 0 else { continue }
        let name = hostile[(index / 3) % hostile.count]
        o["name"] = .string(name)
        o["tags"] = .string("critical;" + name)
        renamed[Int(vmid)] = name
        resources[i] = .object(o)
      }
      snapshot.api["/cluster/resources"] = .array(resources)
      for (path, value) in snapshot.api where path.hasSuffix("/config") {
        let parts = path.split(separator: "/")
        guard parts.count == 5, let vmid = Int(parts[3]), let name = renamed[vmid],
          var o = value.objectValue
        else { continue }
        o[parts[2] == "qemu" ? "name" : "hostname"] = .string(name)
        snapshot.api[path] = .object(o)
      }
    case .strings:
      for (path, value) in snapshot.api
      where path == "/cluster/resources" || path.hasSuffix("/config") {
        snapshot.api[path] = stringify(value)
      }
    case .lastNodeOffline:
      let nodes = (snapshot.api["/cluster/status"]?.arrayValue ?? []).compactMap {
        $0["type"]?.stringValue == "node" ? $0["name"]?.stringValue : nil
      }
      guard let last = nodes.sorted().last, nodes.count > 1 else { return }
      snapshot.api["/cluster/status"] = .array(
        (snapshot.api["/cluster/status"]?.arrayValue ?? []).map { entry in
          guard var o = entry.objectValue, o["name"]?.stringValue == last else { return entry }
          o["online"] = .int(0)
          return .object(o)
        })
      snapshot.api["/cluster/resources"] = .array(
        (snapshot.api["/cluster/resources"]?.arrayValue ?? []).compactMap { entry in
          guard let o = entry.objectValue, o["node"]?.stringValue == last else { return entry }
          switch o["type"]?.stringValue {
          case "node":
            return .object([
              "id": .string("node/\(last)"), "node": .string(last), "type": .string("node"),
              "status": .string("offline"),
            ])
          case "qemu", "lxc":
            var kept: [String: JSONValue] = ["status": .string("unknown")]
            for key in ["id", "vmid", "node", "type", "tags", "name"] { kept[key] = o[key] }
            return .object(kept)
          default: return nil
          }
        })
      for path in snapshot.api.keys where path.hasPrefix("/nodes/\(last)/") {
        snapshot.api[path] = nil
      }
    }
  }

  static func stringify(_ value: JSONValue) -> JSONValue {
    switch value {
    case .int(let i): return .string(String(i))
    case .double(let d): return .string(String(d))
    case .bool(let b): return .string(b ? "1" : "0")
    case .array(let a): return .array(a.map(stringify))
    case .object(let o): return .object(o.mapValues(stringify))
    case .null, .string: return value
    }
  }
}

extension SynthSweepTests {
  /// Guests the plan stops more than once (steps with downtime) or migrates more than once
  /// (issue 11), read from the plan JSON.
  static func twiceOrMore(_ data: Data) throws -> [String] {
    let top = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
    var outages: [String: Int] = [:]
    var migrations: [String: Int] = [:]
    for step in (top["steps"] as? [[String: Any]]) ?? [] {
      let conditions =
        ((step["effects"] as? [[String: Any]]) ?? [])
        + ((step["preconditions"] as? [[String: Any]]) ?? [])
      let sid = conditions.compactMap { $0["sid"] as? String }.first
      let downtime = (step["downtime"] as? [String: Any])?["seconds"] as? Int ?? 0
      if downtime > 0, let sid { outages[sid, default: 0] += 1 }
      for command in (step["commands"] as? [[String: Any]]) ?? [] {
        let argv = (command["argv"] as? [String]) ?? []
        guard argv.count >= 3 else { continue }
        if argv[1] == "migrate", argv[0] == "qm" || argv[0] == "pct" {
          migrations["\(argv[0] == "qm" ? "vm" : "ct"):\(argv[2])", default: 0] += 1
        } else if argv[0] == "ha-manager", argv[1] == "migrate" || argv[1] == "relocate" {
          migrations[argv[2], default: 0] += 1
        }
      }
    }
    return outages.filter { $0.value > 1 }.keys.sorted().map {
      "\($0) stops \(outages[$0] ?? 0) times"
    }
      + migrations.filter { $0.value > 1 }.keys.sorted().map {
        "\($0) migrates \(migrations[$0] ?? 0) times"
      }
  }
}
