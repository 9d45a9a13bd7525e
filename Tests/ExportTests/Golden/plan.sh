#!/usr/bin/env bash
# pvemend plan for cluster homelab: REVIEW BEFORE RUNNING.
#
# Plan digest: sha256:0f1e2d3c4b5a69788796a5b4c3d2e1f00f1e2d3c4b5a69788796a5b4c3d2e1f0 (SHA-256 of the plan file's bytes)
# Plan date:   2025-11-09T10:00:00Z (when its snapshot was collected)
# Made by:     pvemend 0.1.0 with playbook homelab (playbooks/homelab.yaml)
# Steps:       6 (5 with commands, 1 advice); expected downtime 30 s
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

# node_host NODE / node_port NODE: where to reach a node.
node_host() {
  local host
  case "$1" in
    proxmox1) host=${PVEMEND_HOST_proxmox1:-proxmox1} ;;
    proxmox2) host=${PVEMEND_HOST_proxmox2:-proxmox2} ;;
    proxmox3) host=${PVEMEND_HOST_proxmox3:-proxmox3} ;;
    *)
      echo "pvemend: unknown node $1" >&2
      return 1
      ;;
  esac
  printf '%s\n' "$host"
}

node_port() {
  local port=22
  case "$1" in
    proxmox1) port=${PVEMEND_PORT_proxmox1:-22} ;;
    proxmox2) port=${PVEMEND_PORT_proxmox2:-22} ;;
    proxmox3) port=${PVEMEND_PORT_proxmox3:-22} ;;
  esac
  printf '%s\n' "$port"
}

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

# step_begin ID N TITLE
step_begin() {
  current_step=$1
  printf '== %s (%s/6) %s\n' "$1" "$2" "$3"
}

# s01 ha-add: Enable HA for ct:110 (x'; rm -rf / #)
#   why:      ha.unprotected/ct:110
#   expects:  ct:110 not HA-managed
#   leaves:   ct:110 HA-managed in state started
#   downtime: none
#   undo:     ha-manager remove ct:110   (on proxmox1)
step_s01() {
  step_begin s01 1 'Enable HA for ct:110 (x'\''; rm -rf / #)'
  # shellcheck disable=SC1003,SC2016
  run proxmox1 'ha-manager add ct:110 --state started --comment '\''guest x'\''\'\'''\''; rm -rf / # `id` $(id) {{ lookup('\''\'\'''\''pipe'\''\'\'''\'','\''\'\'''\''id'\''\'\'''\'') }}'\'' --comment2 $'\''red\x1B[31m\x09tab \xE2\x80\xAEevil'\'''
}

# s02 migrate: Move ct:131 from proxmox2 to proxmox3
#   why:      node.imbalance/proxmox2
#   expects:  ct:131 on proxmox2; node proxmox3 online
#   leaves:   ct:131 on proxmox3
#   downtime: 30 s (container restart)
#   undo:     pct migrate 131 proxmox2 --restart 1   (on proxmox3)
step_s02() {
  step_begin s02 2 'Move ct:131 from proxmox2 to proxmox3'
  run proxmox2 'pct migrate 131 proxmox3 --restart 1'
}

# s03 migrate: Move vm:114 from proxmox1 to proxmox2 (HA)
#   why:      node.imbalance/proxmox1
#   expects:  vm:114 on proxmox1; vm:114 with a settled HA state
#   leaves:   vm:114 on proxmox2; vm:114 with a settled HA state
#   after:    s01
#   downtime: none
#   undo:     ha-manager migrate vm:114 proxmox1   (on proxmox2)
step_s03() {
  step_begin s03 3 'Move vm:114 from proxmox1 to proxmox2 (HA)'
  run proxmox1 'ha-manager migrate vm:114 proxmox2'
  wait_ha proxmox1 vm:114 proxmox2 60
}

# s04 backup-job: Create backup job pvemend-daily
#   why:      backup.none/cluster
#   expects:  no backup job 'pvemend-daily'
#   leaves:   backup job 'pvemend-daily'
#   downtime: none
#   undo:     pvesh delete /cluster/backup/pvemend-daily   (on proxmox1)
step_s04() {
  step_begin s04 4 'Create backup job pvemend-daily'
  run proxmox1 'pvesh create /cluster/backup --id pvemend-daily --all 1 --storage nas --schedule daily'
}

# s05 move-volume: Stop vm:114 through HA
#   why:      ha.local-storage/vm:114
#   expects:  vm:114 HA-managed in state started
#   leaves:   vm:114 HA-managed in state stopped
#   after:    s03
#   downtime: none
#   undo:     ha-manager set vm:114 --state started   (on proxmox2)
step_s05() {
  step_begin s05 5 'Stop vm:114 through HA'
  run proxmox2 'ha-manager set vm:114 --state stopped'
  wait_ha proxmox2 vm:114 proxmox2 30 stopped
}

# s06 advice: Add a second backup target
#   why:      backup.offsite/cluster
#   expects:  -
#   leaves:   -
#   downtime: none
#   undo:     no Proxmox inverse; by hand
step_s06() {
  step_begin s06 6 'Add a second backup target'
  echo '  advice, nothing to run: Set up an offsite copy.'
}

main() {
  if ((execute)); then
    echo 'pvemend: applying 5 steps to cluster homelab (plan sha256:0f1e2d3c4b5a69788796a5b4c3d2e1f00f1e2d3c4b5a69788796a5b4c3d2e1f0)'
  else
    echo 'pvemend: dry run of 6 steps for cluster homelab; nothing is sent. Run with --execute to apply.'
  fi
  step_s01
  step_s02
  step_s03
  step_s04
  step_s05
  step_s06
  current_step=''
  echo 'pvemend: done'
}

main
