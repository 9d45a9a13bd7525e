import Foundation
import PVEModel
import Playbook

/// Every scenario of a rehearsal with what the reader needs to trust it: the release and
/// scheduler rehearsed, the accounting, the playbook's failover limits, and the assumptions made.
package struct RehearsalReport: Sendable, Hashable, Codable {
  package var format = "pvemend-rehearsal/1"
  package var cluster: String
  /// The snapshot's `collectedAt`.
  package var collectedAt: String
  /// The release whose HA logic is rehearsed.
  package var pveVersion: String?
  /// `crs` `ha=` as configured.
  package var configuredScheduler: String
  package var scheduler: HAStack.Scheduler
  package var accounting: HAStack.Accounting
  /// `groups` (PVE 8) or `rules` (PVE 9).
  package var haPlacement: String
  package var playbook: String
  package var vcpuCeiling: Double
  package var memoryReserve: Int64
  package var notes: [String]
  package var scenarios: [RecoveryOutcome]

  /// The worst verdict over all scenarios (`survivable` when there are none).
  package var worst: RecoveryOutcome.Verdict {
    scenarios.map(\.verdict).min() ?? .survivable
  }

  /// Rehearses `scenarios` (default: each online node's failure).
  package init(cluster: Cluster, policy: Policy, scenarios: [FailureScenario]? = nil) {
    let rehearsal = Rehearsal(cluster: cluster, policy: policy)
    let list = scenarios ?? FailureScenario.eachOnlineNode(of: cluster)
    self.cluster = cluster.name ?? cluster.nodes.first?.name ?? "cluster"
    collectedAt = cluster.collectedAt
    pveVersion = rehearsal.stack.version?.description
    configuredScheduler = rehearsal.stack.configuredScheduler
    scheduler = rehearsal.stack.scheduler
    accounting = rehearsal.stack.accounting
    haPlacement = cluster.usesHARules ? "rules" : "groups"
    playbook = policy.name
    vcpuCeiling = policy.capacity.failoverVCPUPerCore
    memoryReserve = policy.capacity.failoverMemoryReserve
    var notes = rehearsal.stack.notes
    if !cluster.quorum.quorate {
      notes.append("the cluster has no quorum now: HA recovers nothing")
    }
    if cluster.nodes.count < 2 { notes.append("a single node: HA has nowhere to recover to") }
    if let disarm = cluster.haManager.disarm {
      notes.append(
        "the HA stack is \(disarm.text): no failure is recovered (and no node fences itself) until ha-manager crm-command arm-ha"
      )
    }
    for n in cluster.nodes where n.online && Rehearsal.notHATargets.contains(n.haState ?? "online")
    {
      notes.append("\(n.name) is in HA state \(n.haState ?? "?"): HA recovers nothing onto it")
    }
    let scenarios = list.map(rehearsal.run)
    // PVE 9.1: pve-ha-manager 5.1.2 (a 9.1 update) also counts running non-HA guests. Say
    // whether that changes where anything goes.
    if let v = rehearsal.stack.version, v.major == 9, v.minor == 1,
      cluster.haManager.armedState == nil
    {
      let other = Rehearsal(cluster: cluster, policy: policy, accounting: .haResourcesAndGuests)
      var differ: [String] = []
      for (a, scenario) in zip(scenarios, list) {
        let b = other.run(scenario)
        let ta = a.recovered.map { "\($0.sid)→\($0.to)" }
        let tb = b.recovered.map { "\($0.sid)→\($0.to)" }
        if ta != tb || a.verdict != b.verdict {
          let moved = Set(tb).subtracting(ta).sorted().prefix(3).joined(separator: ", ")
          differ.append(
            "\(scenario.failedNodes.joined(separator: "+")) (\(b.verdict.rawValue)\(moved.isEmpty ? "" : ": \(moved)"))"
          )
        }
      }
      notes.append(
        differ.isEmpty
          ? "with 5.1.2+ accounting every scenario places the same"
          : "with 5.1.2+ accounting these scenarios differ: \(differ.joined(separator: "; "))")
    }
    self.notes = notes
    self.scenarios = scenarios
  }

  // MARK: Views

  package func json() -> String {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
    guard let data = try? encoder.encode(self) else { return "{}\n" }
    return DisplayText.escapingUnsafe(json: String(decoding: data, as: UTF8.self)) + "\n"
  }

  package func text() -> String { render(markdown: false) }
  package func markdown() -> String { render(markdown: true) }

  private func render(markdown md: Bool) -> String {
    var out: [String] = []
    let h1 = md ? "# " : ""
    let h2 = md ? "## " : ""
    out.append("\(h1)Failure rehearsal: \(Self.clean(cluster))")
    out.append("")
    out.append(
      "\(md ? "- " : "")Snapshot \(collectedAt); PVE \(pveVersion ?? "unknown"); HA placement by \(haPlacement)"
    )
    let sched =
      configuredScheduler == scheduler.rawValue
      ? scheduler.rawValue : "\(scheduler.rawValue) (configured: \(configuredScheduler))"
    let acc =
      accounting == .haResources
      ? "HA resources only" : "HA resources and running non-HA guests"
    out.append("\(md ? "- " : "")CRS scheduler \(sched); the scheduler counts \(acc)")
    out.append(
      "\(md ? "- " : "")Playbook \(Self.clean(playbook)) failover limits: at most \(Self.num(vcpuCeiling)) vCPUs per core, \(ByteSize.binary(memoryReserve)) memory reserve per survivor"
    )
    for n in notes { out.append("\(md ? "- " : "")Note: \(Self.clean(n))") }
    out.append("")
    for s in scenarios {
      out.append(contentsOf: scenario(s, md: md, h2: h2))
      out.append("")
    }
    // Summary.
    out.append("\(h2)Summary")
    out.append("")
    if md {
      out.append("| failure | verdict | recovered | failed | down | worst survivor |")
      out.append("|---|---|---|---|---|---|")
    }
    for s in scenarios {
      let worst =
        s.worstSurvivor.map { w in
          "\(w.node) \(Self.num(w.vcpuPerCore)) vCPU/core, \(ByteSize.binary(w.memory)) of \(ByteSize.binary(w.memoryTotal))"
        } ?? "—"
      let failure = s.failedNodes.joined(separator: "+")
      if md {
        out.append(
          "| \(Self.cell(failure)) | \(s.verdict.rawValue) | \(s.recovered.count) | \(s.failed.count) | \(s.down.count) | \(Self.cell(worst)) |"
        )
      } else {
        out.append(
          "  \(Self.pad(failure, 12)) \(Self.pad(s.verdict.rawValue, 12)) recovered \(s.recovered.count), failed \(s.failed.count), down \(s.down.count); worst survivor: \(worst)"
        )
      }
    }
    out.append("")
    let counts = Dictionary(grouping: scenarios, by: \.verdict).mapValues(\.count)
    let parts = [RecoveryOutcome.Verdict.survivable, .overloaded, .failed, .quorumLost].compactMap {
      v in counts[v].map { "\($0) \(v.rawValue)" }
    }
    out.append(
      scenarios.isEmpty
        ? "No scenario: no online node."
        : "\(scenarios.count) scenario(s): \(parts.joined(separator: ", "))."
    )
    return out.joined(separator: "\n") + "\n"
  }

  private func scenario(_ s: RecoveryOutcome, md: Bool, h2: String) -> [String] {
    var out: [String] = []
    let extra =
      s.alreadyOffline.isEmpty
      ? "" : " (already offline: \(s.alreadyOffline.joined(separator: ", ")))"
    out.append(
      "\(h2)If \(s.failedNodes.joined(separator: " and ")) fails\(extra): \(s.verdict.rawValue)")
    out.append("")
    let bullet = md ? "- " : "  "
    if !s.quorate {
      out.append(
        "\(bullet)Quorum lost: \(s.votes) of \(s.expectedVotes) votes remain; no CRM master fences or recovers."
      )
    }
    if !s.recovered.isEmpty {
      out.append("\(md ? "" : "  ")Recovered (in the CRM's order):")
      for r in s.recovered {
        let cands = r.candidates.map { c in
          s.scheduler == .basic
            ? "\(c.node) \(Int(c.score))" : "\(c.node) \(String(format: "%.4f", c.score))"
        }.joined(separator: ", ")
        let unit = s.scheduler == .basic ? "services" : "TOPSIS"
        let stopped = r.started ? "" : " (HA state stopped: moved, not started)"
        out.append(
          "\(bullet)\(md ? "" : "  ")\(r.sid) \(Self.clean(r.name)) → \(r.to)\(stopped): \(r.vcpus) vCPU, \(ByteSize.binary(r.memory)); \(Self.clean(r.placement)); \(unit): \(cands)"
        )
      }
    }
    if !s.failed.isEmpty {
      out.append("\(md ? "" : "  ")Not recovered:")
      for f in s.failed {
        let at = f.node.map { " on \($0)" } ?? ""
        out.append(
          "\(bullet)\(md ? "" : "  ")\(f.sid) \(Self.clean(f.name)) (\(f.reason.rawValue)\(at)): \(Self.clean(f.message))"
        )
      }
    }
    if !s.down.isEmpty {
      for why in Set(s.down.map(\.why)).sorted() {
        let list = s.down.filter { $0.why == why }.map { "\($0.sid) \(Self.clean($0.name))" }
        out.append(
          "\(md ? "" : "  ")Down until someone acts (\(why)): \(list.joined(separator: ", "))")
      }
    }
    if s.recovered.isEmpty && s.failed.isEmpty && s.down.isEmpty {
      out.append("\(md ? "" : "  ")No running guest on the failed node(s).")
    }
    if !s.survivors.isEmpty {
      out.append("")
      if md {
        out.append(
          "| survivor | cores | vCPU before → after | per core | memory before → after | memory limit | status |"
        )
        out.append("|---|---|---|---|---|---|---|")
      } else {
        out.append(
          "  " + Self.pad("survivor", 12) + Self.pad("cores", 6) + Self.pad("vCPU", 10)
            + Self.pad("per core", 10) + Self.pad("memory", 22) + Self.pad("mem limit", 11)
            + "status"
        )
      }
      for l in s.survivors {
        var status: [String] = []
        if l.fenced { status.append("fenced") }
        if l.overCPU {
          let already =
            Double(l.vcpusBefore) > l.vcpuCeiling * Double(l.cores) ? " (already before)" : ""
          status.append("over \(Self.num(l.vcpuCeiling)) vCPU/core\(already)")
        }
        if l.overMemory {
          status.append(
            "over memory limit\(l.memoryBefore > l.memoryCeiling ? " (already before)" : "")")
        }
        let st = status.isEmpty ? "ok" : status.joined(separator: ", ")
        let vcpu = "\(l.vcpusBefore) → \(l.vcpus)"
        let mem = "\(ByteSize.binary(l.memoryBefore)) → \(ByteSize.binary(l.memory))"
        if md {
          out.append(
            "| \(l.node) | \(l.cores) | \(vcpu) | \(Self.num(l.vcpuPerCore)) | \(mem) | \(ByteSize.binary(l.memoryCeiling)) | \(st) |"
          )
        } else {
          out.append(
            "  " + Self.pad(l.node, 12) + Self.pad("\(l.cores)", 6) + Self.pad(vcpu, 10)
              + Self.pad(Self.num(l.vcpuPerCore), 10) + Self.pad(mem, 22)
              + Self.pad(ByteSize.binary(l.memoryCeiling), 11) + st)
        }
      }
    }
    return out
  }

  /// A number with at most two decimals, trailing zeros dropped: `4`, `5.25`.
  static func num(_ x: Double) -> String {
    var s = String(format: "%.2f", x)
    while s.hasSuffix("0") { s.removeLast() }
    if s.hasSuffix(".") { s.removeLast() }
    return s
  }

  static func pad(_ s: String, _ width: Int) -> String {
    s.count >= width ? s + " " : s + String(repeating: " ", count: width - s.count)
  }

  /// One line without control or bidi characters (guest names come from the cluster).
  static func clean(_ s: String) -> String { DisplayText.sanitize(s) }

  /// A markdown table cell: sanitized and markdown-escaped (pipes included).
  static func cell(_ s: String) -> String { DisplayText.escapeMarkdown(s) }
}
