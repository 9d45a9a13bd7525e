import Audit
import PVEModel
import Playbook

/// Advice for what needs human hands: one step per rule (naming every finding of it), then the
/// playbook's own advice entries. Advice steps have no commands and are never executed.
struct AdvicePhase: PlanPhase {
  func run(_ s: inout PlanState) {
    var named = Set<String>()
    for d in s.drafts { named.formUnion(d.reasons) }
    var byRule: [String: [Finding]] = [:]
    for f in s.findings where !named.contains(f.id) && !s.isUnresolved(f.id) {
      guard s.adviseAction(for: f.rule) else { continue }
      byRule[f.rule, default: []].append(f)
    }
    let rules = byRule.keys.sorted { a, b in
      let ra = byRule[a]?.map(\.severity.rank).min() ?? 9
      let rb = byRule[b]?.map(\.severity.rank).min() ?? 9
      return (ra, a) < (rb, b)
    }
    for rule in rules {
      guard let list = byRule[rule]?.sorted(by: { $0.id < $1.id }) else { continue }
      let (title, detail) = s.advice(rule: rule, findings: list)
      var draft = StepDraft(phase: .advice, kind: .advice, title: title, reasons: list.map(\.id))
      draft.detail = detail
      s.add(draft)
    }
    for entry in s.policy.advice {
      var draft = StepDraft(
        phase: .advice, kind: .advice, title: entry.title, reasons: ["advice/\(entry.id)"])
      draft.detail = entry.detail
      s.add(draft)
    }
  }
}

extension PlanState {

  /// Whether findings of `rule` become advice: the playbook says so, or its action does not fit
  /// the rule (only HA, rebalance and backup findings have executable fixes).
  func adviseAction(for rule: String) -> Bool {
    switch policy.action(for: rule) {
    case .ignore: return false
    case .advise: return true
    case .enableHA: return !["ha.unprotected", "ha.local-storage"].contains(rule)
    case .rebalance: return !LoadMetric.allCases.map(\.rawValue).contains(rule)
    case .createBackupJob: return !["backup.none", "backup.uncovered"].contains(rule)
    }
  }

  /// Title and text of the advice for the findings of one rule.
  fileprivate func advice(rule: String, findings list: [Finding]) -> (String, String) {
    let subjects = list.map(\.subject.id)
    let joined = subjects.joined(separator: ", ")
    let c = original
    switch rule {
    case "storage.single-server":
      let lines = subjects.map { server in
        let pools = c.storages.filter { $0.server == server }.map(\.id).sorted()
        return
          "\(pools.isEmpty ? "The shared storage" : pools.joined(separator: ", ")) \(pools.count == 1 ? "is" : "are all") served by \(server). If it fails, every guest with a volume there stops and HA cannot help (cluster-wide outage)."
      }
      return (
        "Remove the single point of failure: all shared storage depends on \(joined)",
        (lines
          + [
            "Add a second storage server (TrueNAS HA, replicated ZFS or Ceph) and keep backups on a target that does not depend on it."
          ]).joined(separator: "\n")
      )
    case "node.small":
      let largest = c.nodes.map(\.cores).max() ?? 0
      let lines = subjects.map { name in
        let cores = c.node(name)?.cores ?? 0
        return
          "\(name) has \(cores) cores, the largest node \(largest): it cannot take over the others' load when a node fails, and guests with more than \(cores) vCPUs can never run on it."
      }
      let it = subjects.count == 1 ? "it" : "them"
      return (
        "Upgrade the CPU of \(joined) to \(largest) cores (or keep \(it) lightly loaded)",
        (lines
          + [
            "Upgrade \(it) to match the other nodes, or keep fewer guests on \(it); this plan already moves load off \(it) where the limits allow."
          ]).joined(separator: "\n")
      )
    case "backup.offsite":
      return (
        "Add an offsite backup copy",
        "Backups have no second target: a fire, theft or a failed storage server loses them with the cluster. Add a Proxmox Backup Server remote with a sync job, or a weekly job to storage outside this site, then name it as backup.offsite in the playbook so pvemend creates the job."
      )
    case "quorum.fragile":
      return (
        "Add a QDevice so one node failure cannot cost quorum",
        "Losing one node loses quorum, and without quorum HA stops recovering guests. Run corosync-qnetd on a machine outside the cluster and add it with 'pvecm qdevice setup <address>', or add a node."
      )
    case "quorum.lost":
      return (
        "Restore quorum before changing anything",
        "The cluster is not quorate: /etc/pve is read-only and HA does not act. Bring the missing nodes back (pvecm status); do not apply a plan until it is quorate."
      )
    case "guest.too-many-vcpus":
      let lines = subjects.map { sid in
        guard let g = c.guest(sid: sid), let node = c.node(g.node) else { return "\(sid)" }
        return
          "\(sid) (\(g.name)) has \(g.vcpus) vCPUs on \(node.name), which has \(node.cores) cores: QEMU refuses to start it. Give it at most \(node.cores) (\(g.kind.cli) set \(g.vmid) --cores \(node.cores))."
      }
      return ("Reduce the vCPUs of \(joined)", lines.joined(separator: "\n"))
    case "ha.failover-capacity":
      return (
        "Keep room for HA guests when a node fails (N+1)",
        subjects.map {
          "If \($0) fails, the other nodes lack the cores or memory to restart its HA guests: free room on them, lower the HA guests' memory, or add capacity."
        }.joined(separator: "\n")
      )
    case "ha.orphan":
      return (
        "Remove orphaned HA resources \(joined)",
        subjects.map {
          "HA resource \($0) names a guest that does not exist. Check that it is really gone, then run 'ha-manager remove \($0)'."
        }.joined(separator: "\n")
      )
    case "ha.disarmed":
      return (
        "Re-arm the HA stack",
        "The HA stack is disarmed: no failed node is fenced and no HA guest is recovered (with resource mode freeze, HA migrations and node maintenance wait too). When the work that needed it is done, run 'ha-manager crm-command arm-ha' and check 'ha-manager status' shows 'fencing armed'."
      )
    case "ha.error":
      return (
        "Clear the HA error state of \(joined)",
        subjects.map {
          "\($0) is in HA state error. Find the cause in its task log, then run 'ha-manager set \($0) --state disabled' and set it back to started."
        }.joined(separator: "\n")
      )
    case "node.offline":
      return (
        "Bring \(joined) back online",
        "Offline nodes hold guests nobody runs and weaken quorum. Bring them back, or remove them from the cluster with 'pvecm delnode' once their guests live elsewhere."
      )
    case "storage.usage":
      return (
        "Free space on \(joined)",
        "Pools above the playbook's warning line fill up during backups and snapshots. Delete unused volumes and old snapshots, or grow the pool."
      )
    case "storage.local-imbalance":
      return (
        "Grow the local storage of \(joined)",
        subjects.map {
          "\($0) has much less local guest storage than the other nodes: guests with large local disks cannot move there. Add disks to it, or keep large guests on shared storage."
        }.joined(separator: "\n")
      )
    case "backup.target-full":
      let unusable = list.filter { $0.evidence["usable"] == .bool(false) }
      if !unusable.isEmpty {
        let full = list.filter { $0.evidence["usable"] != .bool(false) }.map(\.subject.id)
        var lines = unusable.map {
          "\($0.message). Repair the storage (check it is defined, enabled and reachable: pvesm status) or point the job(s) at a working target."
        }
        if !full.isEmpty {
          lines.append(
            "\(full.joined(separator: ", ")) \(full.count == 1 ? "is" : "are") above the warning line: prune older backups (tighter keep-* values) or move the job to a larger storage."
          )
        }
        return (
          "Repair or replace unusable backup target \(unusable.map(\.subject.id).joined(separator: ", "))",
          lines.joined(separator: "\n")
        )
      }
      return (
        "Free space on backup target \(joined)",
        "A backup target above the warning line makes backup jobs fail. Prune older backups (tighter keep-* values) or move the job to a larger storage."
      )
    case "snapshot.inconsistent":
      return (
        "Check what the snapshot could not reconcile",
        list.map(\.message).joined(separator: "\n")
      )
    case "ha.distribution":
      return (
        "Spread HA guests to \(joined)",
        "\(joined) carry no HA guests while other nodes do. Add HA for critical guests there, or let pvemend spread them (ha.spread: true)."
      )
    default:
      return ("Review \(rule): \(joined)", list.map(\.message).joined(separator: "\n"))
    }
  }
}
