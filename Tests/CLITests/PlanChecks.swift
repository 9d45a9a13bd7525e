import Foundation
import PVEMendTestSupport
import Testing

/// The parts of a `pvemend-plan/1` document the end-to-end checks read: the PVE major and every
/// command, in plan order (read with JSONSerialization so a planner change to other fields does
/// not break these tests).
struct PlanCommands: Equatable {
  /// One command of a step: where it runs and its argv.
  struct Command: Equatable, CustomStringConvertible {
    var node: String
    var argv: [String]
    var description: String { "[\(node)] \(argv.map { "«\($0)»" }.joined(separator: " "))" }
  }

  var pveMajor: Int
  var commands: [Command]
  var stepCount: Int
  /// sid → node of every guest in the snapshot the plan embeds.
  var guests: [String: String] = [:]

  init(_ data: Data) throws {
    let top = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
    pveMajor = (top["pveMajor"] as? Int) ?? 8
    let steps = (top["steps"] as? [[String: Any]]) ?? []
    stepCount = steps.count
    var out: [Command] = []
    for step in steps where (step["kind"] as? String) != "advice" {
      for command in (step["commands"] as? [[String: Any]]) ?? [] {
        out.append(
          Command(
            node: (command["node"] as? String) ?? "", argv: (command["argv"] as? [String]) ?? []))
      }
    }
    commands = out
    let snapshot = top["snapshot"] as? [String: Any]
    let api = snapshot?["api"] as? [String: Any]
    for entry in (api?["/cluster/resources"] as? [[String: Any]]) ?? [] {
      let type = entry["type"] as? String
      guard type == "qemu" || type == "lxc", let node = entry["node"] as? String,
        let vmid = (entry["vmid"] as? Int) ?? (entry["vmid"] as? String).flatMap({ Int($0) })
      else { continue }
      guests["\(type == "qemu" ? "vm" : "ct"):\(vmid)"] = node
    }
  }
}

/// `/work/shared/tools/pve-argv-check`: does real Proxmox accept every argv of a plan?
enum ArgvCheck {
  /// `shared/tools/pve-argv-check` in `Fixtures.shared` (`../shared`), or in a `shared/` beside
  /// any ancestor of the checkout (worktrees live one level deeper, in `wt/<name>`).
  static let tool: URL? = {
    var candidates: [URL] = []
    if let shared = Fixtures.shared { candidates.append(shared) }
    var dir = Fixtures.root.deletingLastPathComponent()
    for _ in 0..<3 {
      candidates.append(dir.appendingPathComponent("shared"))
      dir.deleteLastPathComponent()
    }
    return candidates.map { $0.appendingPathComponent("tools/pve-argv-check") }
      .first { FileManager.default.isExecutableFile(atPath: $0.path) }
  }()

  /// Checks `plan.json` in `directory` for PVE `major`; nil when the tool is absent (the caller
  /// records a clear skip message), else the tool's run. The checker knows PVE 8 and 9; an
  /// older cluster (PVE 7 plans use the same commands as 8) is checked against 8.
  static func run(planFile: String, major: Int, in directory: URL) throws -> ProcessRun? {
    guard let tool, let python = Spawn.which("python3") else { return nil }
    let schema = min(max(major, 8), 9)
    return try Spawn.run(
      python, [tool.path, "--pve", String(schema), planFile],
      label: "pve-argv-check --pve \(schema) \(planFile)", in: directory)
  }

  static let skipMessage =
    "pve-argv-check not run: shared/tools/pve-argv-check (or python3) is absent beside this checkout and its parents"
}

/// Runs an exported bash script for real, with `ssh` replaced by a stand-in that runs each remote
/// line in `bash -c` (as sshd would) with a PATH holding only recorders for `qm`, `pct`,
/// `ha-manager`, `pvesh`, `pvesm`, `vzdump`. The recorders write the argv they received, so the
/// test sees exactly what a node would run after both rounds of shell quoting. `ha-manager
/// status` answers with the targets of earlier `migrate`/`relocate` requests, so waits settle.
enum ScriptRun {
  static let recorder = """
    #!/bin/bash
    # Records its argv (count-prefixed, NUL-separated) as the node would have run it.
    name=${0##*/}
    # The HA view: "sid node state" lines, the last one per sid wins.
    if [[ $name == ha-manager && ${1:-} == status ]]; then
      declare -A where=() state=()
      while read -r sid node st; do
        [[ $node != - ]] && where[$sid]=$node
        [[ $st != - ]] && state[$sid]=$st
      done <"$PVEMEND_TEST_STATE/ha"
      for sid in "${!where[@]}"; do
        printf 'service %s (%s, %s)\\n' "$sid" "${where[$sid]}" "${state[$sid]:-started}"
      done
      exit 0
    fi
    printf '%s\\0' "$(($# + 1))" "$PVEMEND_TEST_NODE" "$name" "$@" >>"$PVEMEND_TEST_STATE/log"
    if [[ $name == ha-manager ]]; then
      args=("$@")
      [[ ${args[0]:-} == crm-command ]] && args=("${args[@]:1}")
      case ${args[0]:-} in
        migrate | relocate) printf '%s %s -\\n' "${args[1]}" "${args[2]}" >>"$PVEMEND_TEST_STATE/ha" ;;
        add | set)
          st=started
          for ((i = 2; i < ${#args[@]}; i++)); do
            [[ ${args[i]} == --state ]] && st=${args[i + 1]}
          done
          [[ $st == enabled ]] && st=started
          printf '%s - %s\\n' "${args[1]}" "$st" >>"$PVEMEND_TEST_STATE/ha"
          ;;
      esac
    fi
    exit 0
    """

  /// Stand-in for ssh: `[opts…] -p PORT -l USER -- HOST LINE`.
  static let ssh = """
    #!/bin/bash
    line=${!#}
    host=${*: -2:1}
    PVEMEND_TEST_NODE=$host PATH=$PVEMEND_TEST_REMOTE exec /bin/bash -c "$line"
    """

  struct Outcome {
    var run: ProcessRun
    /// What the nodes received, in order: node, then argv.
    var received: [PlanCommands.Command]
    /// Files the script created in its working directory other than its own.
    var strayFiles: [String]
  }

  /// `guests`: sid → node, where the cluster holds each guest before the script runs.
  static func execute(script: URL, guests: [String: String], in directory: URL) throws -> Outcome {
    let fm = FileManager.default
    let bin = directory.appendingPathComponent("fake-bin")
    let remote = directory.appendingPathComponent("fake-remote")
    let state = directory.appendingPathComponent("fake-state")
    for dir in [bin, remote, state] {
      try fm.createDirectory(at: dir, withIntermediateDirectories: true)
    }
    let sshURL = bin.appendingPathComponent("ssh")
    try Data(ssh.utf8).write(to: sshURL)
    let recorderURL = remote.appendingPathComponent("recorder")
    try Data(recorder.utf8).write(to: recorderURL)
    for url in [sshURL, recorderURL] {
      try fm.setAttributes([.posixPermissions: 0o755], ofItemAtPath: url.path)
    }
    for name in ["qm", "pct", "ha-manager", "pvesh", "pvesm", "vzdump", "pvenode"] {
      try fm.createSymbolicLink(
        at: remote.appendingPathComponent(name), withDestinationURL: recorderURL)
    }
    let seed = guests.keys.sorted().map { "\($0) \(guests[$0] ?? "-") started\n" }.joined()
    try Data(seed.utf8).write(to: state.appendingPathComponent("ha"))
    let before = Set(try fm.contentsOfDirectory(atPath: directory.path))
    let run = try Spawn.run(
      "/bin/bash", [script.lastPathComponent, "--execute"],
      label: "bash \(script.lastPathComponent) --execute", in: directory,
      environment: [
        "PVEMEND_SSH": sshURL.path, "PVEMEND_POLL_SECONDS": "0",
        "PVEMEND_TEST_REMOTE": remote.path, "PVEMEND_TEST_STATE": state.path,
      ], timeLimit: 60)
    let after = Set(try fm.contentsOfDirectory(atPath: directory.path))
    let log = (try? Data(contentsOf: state.appendingPathComponent("log"))) ?? Data()
    return Outcome(
      run: run, received: try parse(log), strayFiles: after.subtracting(before).sorted())
  }

  /// Count-prefixed records: `N\0node\0argv0\0…argv[N-1]\0`.
  static func parse(_ log: Data) throws -> [PlanCommands.Command] {
    var fields = log.split(separator: 0, omittingEmptySubsequences: false).map {
      String(decoding: $0, as: UTF8.self)
    }
    if fields.last == "" { fields.removeLast() }
    var out: [PlanCommands.Command] = []
    var i = 0
    while i < fields.count {
      let count = try #require(Int(fields[i]), "corrupt recorder log at field \(i)")
      let node = fields[i + 1]
      let argv = Array(fields[(i + 2)..<(i + 2 + count)])
      out.append(PlanCommands.Command(node: node, argv: argv))
      i += 2 + count
    }
    return out
  }
}
