#!/usr/bin/env bash
# pvemend plan for cluster acme-prod: REVIEW BEFORE RUNNING.
#
# Plan digest: sha256:0f1e2d3c4b5a69788796a5b4c3d2e1f00f1e2d3c4b5a69788796a5b4c3d2e1f0 (SHA-256 of the plan file's bytes)
# Plan date:   2026-04-14T08:30:00Z (when its snapshot was collected)
# Made by:     pvemend 0.1.0 with playbook default (../../../playbooks/default.yaml)
# Steps:       16 (14 with commands, 2 advice); expected downtime none
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
    pve2) host=${PVEMEND_HOST_pve2:-pve2} ;;
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
    pve2) port=${PVEMEND_PORT_pve2:-22} ;;
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
  printf '== %s (%s/16) %s\n' "$1" "$2" "$3"
}

# s01 restore-test: Restore ct:210 (dns-1) from its newest backup of 2026-04-13 21:01 UTC to scratch ct:99900 on pve2
#   expects:  VMID 99900 free; node pve2 online
#   leaves:   ct:99900 on pve2; ct:99900 with every network device cut (link_down=1)
#   downtime: none
#   undo:     no Proxmox inverse; by hand
step_s01() {
  step_begin s01 1 'Restore ct:210 (dns-1) from its newest backup of 2026-04-13 21:01 UTC to scratch ct:99900 on pve2'
  run pve2 'pct restore 99900 pbs01:backup/ct/210/2026-04-13T21:01:52Z --storage ceph-vm --unique 1 --net0 name=eth0,bridge=vmbr0,firewall=1,ip=dhcp,type=veth,link_down=1 --hostname restore-test-210-dns-1 --tags pvemend-restore-test --onboot 0'
}

# s02 restore-test: Start scratch ct:99900 with its networks cut
#   expects:  ct:99900 on pve2; ct:99900 with every network device cut (link_down=1); ct:99900 stopped
#   leaves:   ct:99900 running
#   after:    s01
#   downtime: none
#   undo:     no Proxmox inverse; by hand
step_s02() {
  step_begin s02 2 'Start scratch ct:99900 with its networks cut'
  run pve2 'pct start 99900'
}

# s03 restore-test: Stop scratch ct:99900
#   expects:  ct:99900 on pve2
#   leaves:   ct:99900 stopped
#   after:    s02
#   downtime: none
#   undo:     no Proxmox inverse; by hand
step_s03() {
  step_begin s03 3 'Stop scratch ct:99900'
  run pve2 'pct stop 99900'
}

# s04 restore-test: Destroy scratch ct:99900 and its volumes
#   expects:  ct:99900 on pve2
#   leaves:   -
#   after:    s01
#   downtime: none
#   undo:     no Proxmox inverse; by hand
step_s04() {
  step_begin s04 4 'Destroy scratch ct:99900 and its volumes'
  run pve2 'pct destroy 99900 --purge 1'
}

# s05 restore-test: Restore vm:204 (app-02) from its newest backup of 2026-04-11 03:01 UTC to scratch vm:99901 on pve2
#   expects:  VMID 99901 free; node pve2 online
#   leaves:   vm:99901 on pve2
#   downtime: none
#   undo:     no Proxmox inverse; by hand
step_s05() {
  step_begin s05 5 'Restore vm:204 (app-02) from its newest backup of 2026-04-11 03:01 UTC to scratch vm:99901 on pve2'
  run pve2 'qmrestore pbs01:backup/vm/204/2026-04-11T03:01:50Z 99901 --storage ceph-vm --unique 1'
}

# s06 restore-test: Cut the networks of scratch vm:99901, name and tag it
#   expects:  vm:99901 on pve2
#   leaves:   -
#   after:    s05
#   downtime: none
#   undo:     no Proxmox inverse; by hand
step_s06() {
  step_begin s06 6 'Cut the networks of scratch vm:99901, name and tag it'
  run pve2 'qm set 99901 --net0 virtio,bridge=vmbr0,firewall=1,link_down=1 --name restore-test-204-app-02 --tags pvemend-restore-test --onboot 0'
}

# s07 restore-test: Start scratch vm:99901 with its networks cut
#   expects:  vm:99901 on pve2; vm:99901 with every network device cut (link_down=1); vm:99901 stopped
#   leaves:   vm:99901 running
#   after:    s06
#   downtime: none
#   undo:     no Proxmox inverse; by hand
step_s07() {
  step_begin s07 7 'Start scratch vm:99901 with its networks cut'
  run pve2 'qm start 99901'
}

# s08 restore-test: Wait for the guest agent of scratch vm:99901
#   expects:  vm:99901 running
#   leaves:   -
#   after:    s07
#   downtime: none
#   undo:     no Proxmox inverse; by hand
step_s08() {
  step_begin s08 8 'Wait for the guest agent of scratch vm:99901'
  wait_agent pve2 99901 300
}

# s09 restore-test: Stop scratch vm:99901
#   expects:  vm:99901 on pve2
#   leaves:   vm:99901 stopped
#   after:    s07
#   downtime: none
#   undo:     no Proxmox inverse; by hand
step_s09() {
  step_begin s09 9 'Stop scratch vm:99901'
  run pve2 'qm stop 99901'
}

# s10 restore-test: Destroy scratch vm:99901 and its volumes
#   expects:  vm:99901 on pve2
#   leaves:   -
#   after:    s05
#   downtime: none
#   undo:     no Proxmox inverse; by hand
step_s10() {
  step_begin s10 10 'Destroy scratch vm:99901 and its volumes'
  run pve2 'qm destroy 99901 --purge 1'
}

# s11 restore-test: Restore vm:201 (db-primary) from its newest backup of 2026-04-13 21:00 UTC to scratch vm:99902 on pve2
#   expects:  VMID 99902 free; node pve2 online
#   leaves:   vm:99902 on pve2
#   downtime: none
#   undo:     no Proxmox inverse; by hand
step_s11() {
  step_begin s11 11 'Restore vm:201 (db-primary) from its newest backup of 2026-04-13 21:00 UTC to scratch vm:99902 on pve2'
  run pve2 'qmrestore pbs01:backup/vm/201/2026-04-13T21:00:49Z 99902 --storage ceph-vm --unique 1'
}

# s12 restore-test: Cut the networks of scratch vm:99902, name and tag it
#   expects:  vm:99902 on pve2
#   leaves:   -
#   after:    s11
#   downtime: none
#   undo:     no Proxmox inverse; by hand
step_s12() {
  step_begin s12 12 'Cut the networks of scratch vm:99902, name and tag it'
  run pve2 'qm set 99902 --net0 virtio,bridge=vmbr0,firewall=1,link_down=1 --name restore-test-201-db-primary --tags pvemend-restore-test --onboot 0'
}

# s13 restore-test: Start scratch vm:99902 with its networks cut
#   expects:  vm:99902 on pve2; vm:99902 with every network device cut (link_down=1); vm:99902 stopped
#   leaves:   vm:99902 running
#   after:    s12
#   downtime: none
#   undo:     no Proxmox inverse; by hand
step_s13() {
  step_begin s13 13 'Start scratch vm:99902 with its networks cut'
  run pve2 'qm start 99902'
}

# s14 restore-test: Wait for the guest agent of scratch vm:99902
#   expects:  vm:99902 running
#   leaves:   -
#   after:    s13
#   downtime: none
#   undo:     no Proxmox inverse; by hand
step_s14() {
  step_begin s14 14 'Wait for the guest agent of scratch vm:99902'
  wait_agent pve2 99902 300
}

# s15 restore-test: Stop scratch vm:99902
#   expects:  vm:99902 on pve2
#   leaves:   vm:99902 stopped
#   after:    s13
#   downtime: none
#   undo:     no Proxmox inverse; by hand
step_s15() {
  step_begin s15 15 'Stop scratch vm:99902'
  run pve2 'qm stop 99902'
}

# s16 restore-test: Destroy scratch vm:99902 and its volumes
#   expects:  vm:99902 on pve2
#   leaves:   -
#   after:    s11
#   downtime: none
#   undo:     no Proxmox inverse; by hand
step_s16() {
  step_begin s16 16 'Destroy scratch vm:99902 and its volumes'
  run pve2 'qm destroy 99902 --purge 1'
}

main() {
  if ((execute)); then
    echo 'pvemend: applying 14 steps to cluster acme-prod (plan sha256:0f1e2d3c4b5a69788796a5b4c3d2e1f00f1e2d3c4b5a69788796a5b4c3d2e1f0)'
  else
    echo 'pvemend: dry run of 16 steps for cluster acme-prod; nothing is sent. Run with --execute to apply.'
  fi
  step_s01
  step_s02
  step_s03
  step_s04
  step_s05
  step_s06
  step_s07
  step_s08
  step_s09
  step_s10
  step_s11
  step_s12
  step_s13
  step_s14
  step_s15
  step_s16
  current_step=''
  echo 'pvemend: done'
}

main
