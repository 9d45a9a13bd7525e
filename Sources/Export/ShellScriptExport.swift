import PVEModel
import Planning

/// The plan as one bash script: a dry run unless run with `--execute`.
///
/// Every command goes to its node through `ssh`. The remote command line is `ShellQuoting.join(argv)`
/// (quoted once, for the remote shell), and that line is quoted once more as one word for the local
/// shell, so a guest named `x'; rm -rf / #` stays one argument on the node. HA migrations are polled
/// with `ha-manager status` until the guest runs on its target. `set -euo pipefail` stops the script
/// at the first failure. Hosts, ports, user and ssh options come from the environment so the script
/// can run against the sandbox.
package enum ShellScriptExport {
  package static func render(_ plan: Plan, digest: String) -> String {
    let q = ShellQuoting.quote
    let c = PlanExport.oneLine
    let nodes = PlanExport.nodes(plan)
    let runnable = plan.steps.filter { $0.kind != .advice && !$0.commands.isEmpty }
    let downtime = plan.steps.reduce(0) { $0 + $1.downtime.seconds }
    var o: [String] = []
    o.append("#!/usr/bin/env bash")
    o.append("# pvemend plan for cluster \(c(plan.cluster)): REVIEW BEFORE RUNNING.")
    o.append("#")
    o.append("# Plan digest: \(c(digest)) (SHA-256 of the plan file's bytes)")
    o.append("# Plan date:   \(c(plan.createdAt)) (when its snapshot was collected)")
    o.append(
      "# Made by:     \(c(plan.tool)) with playbook \(c(plan.playbook.name)) (\(c(plan.playbook.path)))"
    )
    o.append(
      "# Steps:       \(plan.steps.count) (\(runnable.count) with commands, "
        + "\(plan.steps.count - runnable.count) advice); expected downtime "
        + PlanExport.downtime(downtime))
    o.append("#")
    o.append("# A dry run unless started with --execute: it prints each command and its node. With")
    o.append(
      "# --execute it runs them over ssh in plan order and stops at the first failure. It does")
    o.append(
      "# not check the cluster first: 'pvemend apply' refuses a stale plan and skips steps that")
    o.append("# are done already, so prefer it where you can.")
    o.append("#")
    o.append("# Environment:")
    o.append("#   PVEMEND_SSH           ssh command (default: ssh)")
    o.append(
      "#   PVEMEND_SSH_OPTS      extra ssh options, split on spaces (e.g. \"-o BatchMode=yes\")")
    o.append("#   PVEMEND_USER          remote user (default: root)")
    o.append("#   PVEMEND_HOST_<node>   address of a node (default: its name)")
    o.append("#   PVEMEND_PORT_<node>   ssh port of a node (default: 22)")
    o.append("#   PVEMEND_POLL_SECONDS  seconds between HA status polls (default: 5)")
    o.append("#   (<node> with every character other than A-Z, a-z, 0-9 turned into _)")
    o.append("set -euo pipefail")
    o.append("")
    o.append("execute=0")
    o.append("case \"${1:-}\" in")
    o.append("  --execute) execute=1 ;;")
    o.append("  '') ;;")
    o.append("  *)")
    o.append("    echo \"usage: $0 [--execute]\" >&2")
    o.append("    exit 2")
    o.append("    ;;")
    o.append("esac")
    o.append("")
    o.append("read -r -a pvemend_ssh <<<\"${PVEMEND_SSH:-ssh}\"")
    o.append("read -r -a pvemend_ssh_opts <<<\"${PVEMEND_SSH_OPTS:-}\"")
    o.append("poll_seconds=${PVEMEND_POLL_SECONDS:-5}")
    o.append("current_step=''")
    o.append("")
    o.append("# on_exit: names the step that failed (set -e stops at the first failing command).")
    o.append("on_exit() {")
    o.append("  local rc=$?")
    o.append("  if ((rc != 0)) && [[ -n $current_step ]]; then")
    o.append(
      "    echo \"pvemend: step $current_step failed (exit $rc); the steps after it did not run\" >&2"
    )
    o.append("  fi")
    o.append("}")
    o.append("trap on_exit EXIT")
    o.append("")
    o.append("# node_host NODE / node_port NODE: where to reach a node.")
    o.append("node_host() {")
    o.append("  local host")
    o.append("  case \"$1\" in")
    for n in nodes {
      o.append("    \(q(n))) host=${PVEMEND_HOST_\(envName(n)):-\(q(n))} ;;")
    }
    o.append("    *)")
    o.append("      echo \"pvemend: unknown node $1\" >&2")
    o.append("      return 1")
    o.append("      ;;")
    o.append("  esac")
    o.append("  printf '%s\\n' \"$host\"")
    o.append("}")
    o.append("")
    o.append("node_port() {")
    o.append("  local port=22")
    o.append("  case \"$1\" in")
    for n in nodes {
      o.append("    \(q(n))) port=${PVEMEND_PORT_\(envName(n)):-22} ;;")
    }
    o.append("  esac")
    o.append("  printf '%s\\n' \"$port\"")
    o.append("}")
    o.append("")
    o.append("# on_node NODE LINE: runs LINE, already quoted for the remote shell, on NODE.")
    o.append("on_node() {")
    o.append("  local host port")
    o.append("  host=$(node_host \"$1\")")
    o.append("  port=$(node_port \"$1\")")
    o.append(
      "  \"${pvemend_ssh[@]}\" \"${pvemend_ssh_opts[@]}\" -p \"$port\" -l \"${PVEMEND_USER:-root}\" -- \"$host\" \"$2\""
    )
    o.append("}")
    o.append("")
    o.append("# run NODE LINE: prints LINE (dry run) or runs it on NODE (--execute).")
    o.append("run() {")
    o.append("  if ((execute)); then")
    o.append("    printf '+ [%s] %s\\n' \"$1\" \"$2\" >&2")
    o.append("    on_node \"$1\" \"$2\"")
    o.append("  else")
    o.append("    printf '  would run on %s: %s\\n' \"$1\" \"$2\"")
    o.append("  fi")
    o.append("}")
    o.append("")
    o.append(
      "# wait_ha NODE SID TARGET TIMEOUT: polls 'ha-manager status' on NODE until SID runs on")
    o.append("# TARGET in a settled state; fails on HA state error and after TIMEOUT seconds.")
    o.append("wait_ha() {")
    o.append("  local node=$1 sid=$2 target=$3 timeout=$4 status line where state deadline")
    o.append("  local re='^service ([^ ]+) \\(([^,]+), (.+)\\)$'")
    o.append("  if ((!execute)); then")
    o.append(
      "    printf '  would wait up to %s s for %s to settle on %s\\n' \"$timeout\" \"$sid\" \"$target\""
    )
    o.append("    return 0")
    o.append("  fi")
    o.append("  deadline=$((SECONDS + timeout))")
    o.append("  while :; do")
    o.append("    status=$(on_node \"$node\" 'ha-manager status')")
    o.append("    where=''")
    o.append("    state=''")
    o.append("    while IFS= read -r line; do")
    o.append("      if [[ $line =~ $re ]] && [[ ${BASH_REMATCH[1]} == \"$sid\" ]]; then")
    o.append("        where=${BASH_REMATCH[2]}")
    o.append("        state=${BASH_REMATCH[3]}")
    o.append("      fi")
    o.append("    done <<<\"$status\"")
    o.append("    case \"$state\" in")
    o.append("      error)")
    o.append(
      "        echo \"pvemend: $sid is in HA state error; see 'ha-manager status' on $node\" >&2")
    o.append("        return 1")
    o.append("        ;;")
    o.append("      started | stopped | disabled | ignored)")
    o.append("        if [[ $where == \"$target\" ]]; then")
    o.append("          printf '  %s is %s on %s\\n' \"$sid\" \"$state\" \"$target\"")
    o.append("          return 0")
    o.append("        fi")
    o.append("        ;;")
    o.append("    esac")
    o.append("    if ((SECONDS >= deadline)); then")
    o.append(
      "      echo \"pvemend: $sid did not settle on $target within $timeout s (now: ${where:-?}, ${state:-?})\" >&2"
    )
    o.append("      return 1")
    o.append("    fi")
    o.append("    sleep \"$poll_seconds\"")
    o.append("  done")
    o.append("}")
    o.append("")
    o.append("# step_begin ID N TITLE")
    o.append("step_begin() {")
    o.append("  current_step=$1")
    o.append("  printf '== %s (%s/\(plan.steps.count)) %s\\n' \"$1\" \"$2\" \"$3\"")
    o.append("}")
    for (i, step) in plan.steps.enumerated() {
      o.append("")
      o.append(contentsOf: function(step, number: i + 1))
    }
    o.append("")
    o.append("main() {")
    o.append("  if ((execute)); then")
    o.append(
      "    echo \(q("pvemend: applying \(runnable.count) steps to cluster \(plan.cluster) (plan \(digest))"))"
    )
    o.append("  else")
    o.append(
      "    echo \(q("pvemend: dry run of \(plan.steps.count) steps for cluster \(plan.cluster); nothing is sent. Run with --execute to apply."))"
    )
    o.append("  fi")
    for step in plan.steps { o.append("  \(functionName(step))") }
    o.append("  current_step=''")
    o.append("  echo 'pvemend: done'")
    o.append("}")
    o.append("")
    o.append("main")
    return o.joined(separator: "\n") + "\n"
  }

  /// One function per step: its reasons and conditions as comments, then its commands.
  static func function(_ step: Step, number: Int) -> [String] {
    let q = ShellQuoting.quote
    let c = PlanExport.oneLine
    var o: [String] = []
    o.append("# \(c(step.id)) \(step.kind.rawValue): \(c(step.title))")
    for r in step.reasons { o.append("#   why:      \(c(r))") }
    o.append("#   expects:  \(c(PlanExport.conditions(step.preconditions)))")
    o.append("#   leaves:   \(c(PlanExport.conditions(step.effects)))")
    if !step.after.isEmpty { o.append("#   after:    \(c(step.after.joined(separator: ", ")))") }
    o.append(
      "#   downtime: \(PlanExport.downtime(step.downtime.seconds))"
        + (step.downtime.note.map { " (\(c($0)))" } ?? ""))
    if step.inverse.isEmpty {
      o.append("#   undo:     no Proxmox inverse; by hand")
    } else {
      for line in PlanExport.inverse(step) { o.append("#   undo:     \(c(line))") }
    }
    o.append("\(functionName(step))() {")
    o.append("  step_begin \(q(step.id)) \(number) \(q(step.title))")
    if step.kind == .advice || step.commands.isEmpty {
      o.append("  echo \(q("  advice, nothing to run: " + (step.detail ?? step.title)))")
    } else {
      for command in step.commands {
        let line = command.shellLine
        if line.contains(where: { "'$`".contains($0) }) {
          // The line is quoted twice on purpose (remote shell, then local shell).
          o.append("  # shellcheck disable=SC1003,SC2016")
        }
        o.append("  run \(q(command.node)) \(q(line))")
      }
      if let wait = step.wait {
        let node = step.commands.first?.node ?? wait.node
        o.append(
          "  wait_ha \(q(node)) \(q(wait.sid)) \(q(wait.node)) \(max(wait.timeoutSeconds, 1))")
      }
    }
    o.append("}")
    return o
  }

  static func functionName(_ step: Step) -> String { "step_" + envName(step.id) }

  /// `proxmox-1` → `proxmox_1`: a name usable in a variable or function name.
  static func envName(_ text: String) -> String {
    String(
      text.map { ch -> Character in
        ch.isASCII && (ch.isLetter || ch.isNumber) ? ch : "_"
      })
  }
}
