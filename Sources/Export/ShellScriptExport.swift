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
    let c: (String) -> String = { DisplayText.oneLine($0, limit: .max) }
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
    o.append(contentsOf: lines(usage))
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
    o.append(contentsOf: lines(functions))
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
      "    echo \(q("pvemend: applying \(runnable.count) steps to cluster \(c(plan.cluster)) (plan \(c(digest)))"))"
    )
    o.append("  else")
    o.append(
      "    echo \(q("pvemend: dry run of \(plan.steps.count) steps for cluster \(c(plan.cluster)); nothing is sent. Run with --execute to apply."))"
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
    let c: (String) -> String = { DisplayText.oneLine($0, limit: .max) }
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
    o.append("  step_begin \(q(c(step.id))) \(number) \(q(c(step.title)))")
    if step.kind != .advice, step.commands.isEmpty, let wait = step.wait,
      wait.kind == Wait.agentPing, let vmid = PlanExport.agentVMID(wait)
    {
      // A restore test's guest agent wait: pinged until it answers, as `apply` does.
      o.append(
        "  wait_agent \(q(wait.node)) \(vmid) \(max(wait.timeoutSeconds, 1))")
    } else if step.kind == .advice || step.commands.isEmpty {
      o.append("  echo \(q(c("  advice, nothing to run: " + (step.detail ?? step.title))))")
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
        let state = wait.kind == "ha-state" ? wait.state.map { " " + q($0) } ?? "" : ""
        o.append(
          "  wait_ha \(q(node)) \(q(wait.sid)) \(q(wait.node)) \(max(wait.timeoutSeconds, 1))\(state)"
        )
      }
    }
    o.append("}")
    return o
  }

  static func lines(_ text: String) -> [String] {
    text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
  }

  /// The header's second half and the argument handling.
  static let usage = #"""
    #
    # A dry run unless started with --execute: it prints each command and its node. With
    # --execute it runs them over ssh in plan order and stops at the first failure. It does
    # not check the cluster first: 'pvemend apply' refuses a stale plan and skips steps that
    # are done already, so prefer it where you can.
    #
    # Environment:
    #   PVEMEND_SSH           ssh command (default: ssh)
    #   PVEMEND_SSH_OPTS      extra ssh options, split on spaces (e.g. "-o BatchMode=yes")
    #   PVEMEND_USER          remote user (default: root)
    #   PVEMEND_HOST_<node>   address of a node (default: its name)
    #   PVEMEND_PORT_<node>   ssh port of a node (default: 22)
    #   PVEMEND_POLL_SECONDS  seconds between HA status polls (default: 5)
    #   (<node> with every character other than A-Z, a-z, 0-9 turned into _)
    set -euo pipefail

    execute=0
    case "${1:-}" in
      --execute) execute=1 ;;
      '') ;;
      *)
        echo "usage: $0 [--execute]" >&2
        exit 2
        ;;
    esac

    read -r -a pvemend_ssh <<<"${PVEMEND_SSH:-ssh}"
    read -r -a pvemend_ssh_opts <<<"${PVEMEND_SSH_OPTS:-}"
    poll_seconds=${PVEMEND_POLL_SECONDS:-5}
    current_step=''

    # on_exit: names the step that failed (set -e stops at the first failing command).
    on_exit() {
      local rc=$?
      if ((rc != 0)) && [[ -n $current_step ]]; then
        echo "pvemend: step $current_step failed (exit $rc); the steps after it did not run" >&2
      fi
    }
    trap on_exit EXIT
    """#

  /// The helpers every script has: ssh to a node, run or print, wait for HA or a guest agent.
  static let functions = #"""
    # wait_agent NODE VMID TIMEOUT: runs 'qm agent VMID ping' on NODE until the guest agent
    # answers; fails after TIMEOUT seconds. VMID is digits only (checked when the script was made).
    wait_agent() {
      local node=$1 vmid=$2 timeout=$3 deadline
      if ((!execute)); then
        printf '  would wait up to %s s for the guest agent of VM %s on %s\n' "$timeout" "$vmid" "$node"
        return 0
      fi
      deadline=$((SECONDS + timeout))
      until on_node "$node" "qm agent $vmid ping" >/dev/null 2>&1; do
        if ((SECONDS >= deadline)); then
          echo "pvemend: the guest agent of VM $vmid on $node did not answer within $timeout s" >&2
          return 1
        fi
        sleep "$poll_seconds"
      done
      printf '  the guest agent of VM %s answers\n' "$vmid"
    }

    # on_node NODE LINE: runs LINE, already quoted for the remote shell, on NODE.
    on_node() {
      local host port
      host=$(node_host "$1")
      port=$(node_port "$1")
      "${pvemend_ssh[@]}" "${pvemend_ssh_opts[@]}" -p "$port" -l "${PVEMEND_USER:-root}" -- "$host" "$2"
    }

    # run NODE LINE: prints LINE (dry run) or runs it on NODE (--execute).
    run() {
      if ((execute)); then
        printf '+ [%s] %s\n' "$1" "$2" >&2
        on_node "$1" "$2"
      else
        printf '  would run on %s: %s\n' "$1" "$2"
      fi
    }

    # wait_ha NODE SID TARGET TIMEOUT [STATE]: polls 'ha-manager status' on NODE until SID runs
    # on TARGET in HA state STATE (default: any settled state: started, stopped, disabled,
    # ignored); fails on HA state error and after TIMEOUT seconds.
    wait_ha() {
      local node=$1 sid=$2 target=$3 timeout=$4 want=${5:-} status line where state deadline settled
      local re='^service ([^ ]+) \(([^,]+), (.+)\)$'
      if ((!execute)); then
        printf '  would wait up to %s s for %s to be %s on %s\n' "$timeout" "$sid" "${want:-settled}" "$target"
        return 0
      fi
      deadline=$((SECONDS + timeout))
      while :; do
        status=$(on_node "$node" 'ha-manager status')
        where=''
        state=''
        while IFS= read -r line; do
          if [[ $line =~ $re ]] && [[ ${BASH_REMATCH[1]} == "$sid" ]]; then
            where=${BASH_REMATCH[2]}
            state=${BASH_REMATCH[3]}
          fi
        done <<<"$status"
        if [[ $state == error ]]; then
          echo "pvemend: $sid is in HA state error; see 'ha-manager status' on $node" >&2
          return 1
        fi
        settled=0
        case "$state" in
          started | stopped | disabled | ignored) settled=1 ;;
        esac
        if [[ -n $want ]]; then
          settled=0
          if [[ $state == "$want" ]]; then settled=1; fi
        fi
        if ((settled)) && [[ $where == "$target" ]]; then
          printf '  %s is %s on %s\n' "$sid" "$state" "$target"
          return 0
        fi
        if ((SECONDS >= deadline)); then
          echo "pvemend: $sid did not reach ${want:-a settled state} on $target within $timeout s (now: ${where:-?}, ${state:-?})" >&2
          return 1
        fi
        sleep "$poll_seconds"
      done
    }
    """#

  static func functionName(_ step: Step) -> String { "step_" + envName(step.id) }

  /// `proxmox-1` → `proxmox_1`: a name usable in a variable or function name.
  static func envName(_ text: String) -> String {
    String(
      text.map { ch -> Character in
        ch.isASCII && (ch.isLetter || ch.isNumber) ? ch : "_"
      })
  }
}
