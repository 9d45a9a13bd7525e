import ArgumentParser
import Foundation
import PVEModel
import Playbook
import Rehearse

/// `pvemend rehearse SNAPSHOT`: each node's failure played out as Proxmox's HA stack would.
///
/// The CLI is the I/O edge: it reads the snapshot and the playbook; `Rehearse` does the rest.
struct RehearseCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "rehearse",
    abstract:
      "Play out node failures as Proxmox's HA stack would: what comes back where, what stays down.",
    discussion: """
      For each online node (or the one named with --node), rehearses its failure the way pve-ha-manager recovers: the CRM fences the node and recovers its HA guests one by one in sid order, each onto the node select_service_node picks — the highest-priority nodes of its HA group (PVE 8) or node-affinity rule (PVE 9; non-strict rules and unrestricted groups fall back to every other node), apart from negative resource-affinity partners, with positive ones, then the CRS scheduler's choice: 'basic' (crs ha=basic, the default) takes the node with the fewest HA services, 'static' scores configured CPU and memory with TOPSIS; ties go to the first node by name. From pve-ha-manager 5.1.2 (PVE 9.2; some 9.1 updates) running non-HA guests count too: rehearsed so for PVE 9.2+ and for snapshots whose HA status has the 'fencing' entry 5.1.3+ reports; for other PVE 9.1 snapshots the report says whether that would change anything. Nodes in HA maintenance mode take nothing. HA state 'stopped' guests move but stay stopped; 'disabled' and 'ignored' ones stay down. Without quorum nothing is recovered and survivors with active HA services fence themselves. While the HA stack is disarmed (ha-manager crm-command disarm-ha) nothing is recovered and no node fences itself.

      Then: whether each recovered guest can start there (volumes on node-local storage, host devices, a VM's vCPUs above the node's cores, memory beyond what the node has free now), which non-HA guests are down, and every survivor's vCPUs per core and configured memory against the playbook's failover limits: capacity.failover_vcpu_per_core (default 1.5 × vcpu_per_core) and total − capacity.failover_memory_reserve (default half of memory_reserve). A degraded cluster may run hotter than everyday ceilings allow, for the hours until the node is back. Sources: docs/ha-recovery.md.

      Exit codes:
        0   every rehearsed failure is survivable (all HA guests back, survivors within the failover limits)
        2   bad input: snapshot or playbook unreadable or invalid, or --node names no node
        3   some failure is not survivable: an HA guest does not come back, a survivor ends over a failover limit, or quorum is lost
        64  bad command line
      """)

  enum Format: String, CaseIterable, ExpressibleByArgument {
    case text, markdown, json
  }

  @Argument(help: "The snapshot file (pvemend-snapshot/1 JSON), or '-' for standard input.")
  var snapshot: String

  @Option(
    help:
      "A playbook (YAML) with the failover limits (capacity.failover_vcpu_per_core, failover_memory_reserve)."
  )
  var playbook: String?

  @Option(help: "Rehearse only this node's failure (default: each online node in turn).")
  var node: String?

  @Option(help: "Output format: text, markdown or json.")
  var format: Format = .text

  func run() throws {
    let report: RehearsalReport
    do {
      let input = try ClusterInput.load(snapshot: snapshot, playbook: playbook)
      let (cluster, policy) = (input.cluster, input.policy)
      var scenarios: [FailureScenario]?
      if let node {
        guard cluster.nodes.contains(where: { $0.name == node }) else {
          let names = cluster.nodes.map(\.name).joined(separator: ", ")
          CLIFiles.standardError(
            "pvemend rehearse: \(snapshot): no node '\(node)' in the snapshot; use one of: \(names)\n"
          )
          throw ExitCode(ExitStatus.badInput)
        }
        scenarios = [FailureScenario(failedNodes: [node])]
      }
      report = RehearsalReport(cluster: cluster, policy: policy, scenarios: scenarios)
    } catch let exit as ExitCode {
      throw exit
    } catch {
      CLIFiles.standardError("pvemend rehearse: \(error)\n")
      throw ExitCode(ExitStatus.badInput)
    }
    switch format {
    case .text: CLIFiles.standardOutput(report.text())
    case .markdown: CLIFiles.standardOutput(report.markdown())
    case .json: CLIFiles.standardOutput(report.json())
    }
    if report.worst != .survivable {
      let bad = report.scenarios.filter { $0.verdict != .survivable }
        .map { "\($0.failedNodes.joined(separator: "+")) \($0.verdict.rawValue)" }
      let shown = bad.prefix(8).joined(separator: ", ")
      let more = bad.count > 8 ? " and \(bad.count - 8) more" : ""
      CLIFiles.standardError(
        "pvemend rehearse: not survivable: \(bad.count) of \(report.scenarios.count) failure(s): \(shown)\(more)\n"
      )
      throw ExitCode(ExitStatus.refused)
    }
  }
}
