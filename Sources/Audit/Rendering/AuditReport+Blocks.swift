import PVEModel

extension AuditReport {
  /// The report laid out as blocks, sections 1–13 in the seed's order, then every finding.
  package func blocks(style: ReportStyle) -> [ReportBlock] {
    var b: [ReportBlock] = []
    let s = style
    func t(_ x: String) -> String { s.text(x) }
    func bulletsOf(_ rules: [String]) -> [String] {
      findings.filter { rules.contains($0.rule) }.map { f in
        "\(s.severity(f.severity)) \(s.code(f.id)): \(t(f.message))"
      }
    }
    func list(_ items: [String], max: Int = 10) -> String {
      if items.isEmpty { return "—" }
      let shown = items.prefix(max).joined(separator: ", ")
      return items.count > max ? "\(shown) … and \(items.count - max) more" : shown
    }

    // Header.
    b.append(.title("Proxmox Cluster Audit Report"))
    b.append(.heading(2, "Executive Summary"))
    let q = network.quorum
    b.append(
      .fields([
        ReportField("Cluster", t(summary.cluster)),
        ReportField("Nodes", "\(summary.nodes.count) (\(t(list(summary.nodes, max: 8))))"),
        ReportField(
          "Guests",
          "\(summary.guests)" + (summary.templates > 0 ? " (\(summary.templates) template(s))" : "")
        ),
        ReportField(
          "Quorum Status",
          "\(s.mark(q.quorate))\(q.quorate ? "OK" : "LOST") (\(q.online)/\(q.votes) votes online, \(q.needed) needed)"
        ),
        ReportField(
          "Overall Health",
          "\(s.strong("\(Figure.fixed(overallScore))/10")) (\(CategoryScore.status(overallScore)))"),
        ReportField("Findings", summary.findingsText),
        ReportField("Audit Date", t(summary.collectedAt) + " (snapshot)"),
        ReportField("Source", t(summary.source)),
        ReportField("Policy", t(summary.policy)),
        ReportField(
          "PVE",
          summary.pveVersions.isEmpty ? "unknown" : summary.pveVersions.joined(separator: ", ")),
      ]))
    b.append(.separator)

    // 1. Nodes.
    b.append(.heading(2, "1. Node Resource Analysis"))
    b.append(.heading(3, "Node Specifications & Usage"))
    b.append(
      .table(
        ReportTable(
          ["Node", "CPU Cores", "CPU Usage", "Memory", "Memory Usage", "Uptime", "PVE"],
          nodes.map { n in
            n.online
              ? [
                n.node, "\(n.cores)", Figure.percent(n.cpuUsage), ByteSize.binary(n.memoryTotal),
                "\(Figure.wholePercent(n.memoryUsage)) (\(ByteSize.binary(n.memoryUsed)))",
                Figure.uptime(n.uptime), n.pveVersion ?? "—",
              ]
              : [
                n.node, n.cores > 0 ? "\(n.cores)" : "—", "offline", "—", "—", "—",
                n.pveVersion ?? "—",
              ]
          }, rightAligned: [1, 2, 3])))
    b.append(.heading(3, "Node Resource Capacity Assessment"))
    let cores = nodes.filter(\.online).map(\.cores)
    var nodeNotes = bulletsOf([NodeSmall.id, NodeOffline.id])
    if nodeNotes.isEmpty {
      nodeNotes = [
        "\(s.mark(true))No node stands out: \(cores.min() ?? 0)–\(cores.max() ?? 0) cores per online node."
      ]
    }
    b.append(.bullets(nodeNotes))
    b.append(.separator)

    // 2. Distribution.
    b.append(.heading(2, "2. Guest Distribution"))
    let d = distribution
    b.append(
      .table(
        ReportTable(
          [
            "Node", "Total", "Running", "Stopped", "Memory Allocated", "% of Guests", "Cores",
            "% of Cores", "vCPU/Core",
          ],
          d.rows.map { r in
            [
              r.node, "\(r.guests)", "\(r.running)", "\(r.stopped)",
              ByteSize.binary(r.allocatedMemory), Figure.wholePercent(r.guestShare), "\(r.cores)",
              Figure.wholePercent(r.coreShare), Figure.fixed(r.vcpuPerCore, 2),
            ]
          } + [
            [
              "Total", "\(d.guests)", "\(d.running)", "\(d.stopped)",
              ByteSize.binary(d.allocatedMemory), d.guests > 0 ? "100%" : "0%", "\(d.cores)",
              d.cores > 0 ? "100%" : "0%", Figure.fixed(capacity.vcpuPerCore, 2),
            ]
          ], rightAligned: [1, 2, 3, 4, 5, 6, 7, 8])))
    var distNotes = bulletsOf([NodeImbalance.id, NodeOvercommit.id, NodeMemory.id])
    if distNotes.isEmpty {
      distNotes = ["\(s.mark(true))Guests are spread in line with cores and memory."]
    }
    b.append(.bullets(distNotes))
    b.append(.separator)

    // 3. HA.
    b.append(.heading(2, "3. High Availability (HA) Configuration"))
    b.append(.heading(3, "HA-Enabled Services (\(ha.services.count) total)"))
    if ha.services.isEmpty {
      b.append(.paragraph("No guest is HA-managed."))
    } else {
      b.append(
        .table(
          ReportTable(
            [
              "VMID", "Service", "Current Node", "State", "Requested", "Placement", "Level",
              "Local Volumes",
            ],
            ha.services.map { v in
              [
                "\(v.vmid)", v.name ?? "(missing guest)", v.node ?? "—", v.state, v.requested,
                v.placement ?? "—", v.level ?? "—", v.localVolumes > 0 ? "\(v.localVolumes)" : "—",
              ]
            }, rightAligned: [0, 7])))
    }
    b.append(.heading(3, "HA Distribution Analysis"))
    b.append(
      .table(
        ReportTable(
          ["Node", "HA Services", "Non-HA Services", "HA %"],
          ha.perNode.map { [$0.node, "\($0.ha)", "\($0.nonHA)", Figure.wholePercent($0.haShare)] },
          rightAligned: [1, 2, 3])))
    var haNotes = [
      "HA services split \(ha.perNode.map { String($0.ha) }.joined(separator: "-")) over \(ha.perNode.map(\.node).joined(separator: ", "))",
      "HA master: \(t(ha.master ?? "none"))",
      "Placement: "
        + (ha.placementMode == "rules"
          ? "HA rules (PVE 9), \(ha.rules) rule(s)" : "HA groups, \(ha.groups) group(s)"),
    ]
    haNotes += bulletsOf([
      HADisarmed.id, HADistribution.id, HAOrphan.id, HAError.id, HALocalStorage.id,
    ])
    b.append(.bullets(haNotes))
    b.append(.separator)

    // 4. Critical services without HA.
    b.append(.heading(2, "4. Critical Services Without HA"))
    if criticalWithoutHA.isEmpty {
      b.append(
        .paragraph(
          findings.isEmpty && summary.guests == 0
            ? "No guests."
            : "Every guest the policy names critical is HA-managed (or the policy names none: add \(s.code("critical:")) selectors to the playbook)."
        ))
    } else {
      b.append(
        .table(
          ReportTable(
            ["Service", "VMID", "Node", "Risk Level", "Purpose", "HA Wanted", "Local Volumes"],
            criticalWithoutHA.map { c in
              [
                c.name, "\(c.vmid)", c.node,
                s.severity(Severity(rawValue: c.level) ?? .info), c.purpose ?? "—",
                c.policyWantsHA ? "yes" : "no", c.localVolumes > 0 ? "\(c.localVolumes)" : "—",
              ]
            }, rightAligned: [1, 6])))
      let wanted = criticalWithoutHA.filter(\.policyWantsHA)
      if !wanted.isEmpty {
        b.append(
          .paragraph(
            "\(s.strong("Recommendation:")) enable HA for \(t(list(wanted.map { "\($0.name) (\($0.sid))" })))."
          ))
      }
    }
    b.append(.separator)

    // 5. Storage.
    b.append(.heading(2, "5. Storage Analysis"))
    b.append(.heading(3, "Storage Usage Summary"))
    let st = storage
    b.append(
      .table(
        ReportTable(
          ["Storage Pool", "Node", "Type", "Shared", "Total", "Used", "Available", "Usage %"],
          st.pools.map { p in
            [
              p.storage, p.node ?? "all", p.type, p.shared ? "yes" : "no",
              ByteSize.decimal(p.total), ByteSize.decimal(p.used), ByteSize.decimal(p.available),
              Figure.wholePercent(p.usage),
            ]
          }, rightAligned: [4, 5, 6, 7])))
    b.append(
      .fields([
        ReportField(
          "Total Cluster Storage", "\(ByteSize.decimal(st.total)) (shared pools counted once)"),
        ReportField("Total Used", "\(ByteSize.decimal(st.used)) (\(Figure.percent(st.usage)))"),
        ReportField("Available", ByteSize.decimal(st.available)),
      ]))
    if st.listedPerNodeTotal != st.total {
      b.append(
        .paragraph(
          "Summing every node's storage list gives \(ByteSize.decimal(st.listedPerNodeTotal)) total and \(ByteSize.decimal(st.listedPerNodeUsed)) used: each shared pool is listed once per node, so such totals count the same disks several times."
        ))
    }
    var storageNotes = bulletsOf([
      StorageUsage.id, StorageLocalImbalance.id, StorageSingleServer.id,
    ])
    if !st.sharedServers.isEmpty {
      storageNotes.append("Shared storage servers: \(t(st.sharedServers.joined(separator: ", ")))")
    }
    if storageNotes.isEmpty { storageNotes = ["\(s.mark(true))No storage concerns."] }
    b.append(.bullets(storageNotes))
    b.append(.separator)

    // 6. Network & quorum.
    b.append(.heading(2, "6. Network & Quorum"))
    let net = network
    let online = net.members.filter(\.online).count
    var netNotes = [
      "\(s.mark(q.quorate))Quorum: \(q.quorate ? "OK" : "LOST") (\(q.online)/\(q.votes) votes, \(q.needed) needed; tolerates \(q.tolerated) more node failure(s))",
      "\(s.mark(online == net.members.count))Nodes online: \(online)/\(net.members.count)",
      "\(s.mark(net.uniformVersion))PVE versions: \(summary.pveVersions.isEmpty ? "unknown" : summary.pveVersions.joined(separator: ", "))",
      "HA manager: master \(t(net.haMaster ?? "none")), \(net.haQuorate == false ? "not quorate" : "quorate")",
    ]
    if let v = net.configVersion { netNotes.insert("Cluster config version: \(v)", at: 1) }
    netNotes += bulletsOf([QuorumLost.id, QuorumFragile.id, SnapshotInconsistent.id])
    b.append(.bullets(netNotes))
    b.append(
      .table(
        ReportTable(
          ["Node", "Online", "IP", "PVE", "HA State"],
          net.members.map {
            [
              $0.node, $0.online ? "yes" : "no", $0.ip ?? "—", $0.pveVersion ?? "—",
              $0.haState ?? "—",
            ]
          })))
    if !net.dependencies.isEmpty {
      b.append(.heading(3, "Critical Service Dependencies"))
      b.append(
        .table(
          ReportTable(
            ["Purpose", "Guests", "HA"],
            net.dependencies.map { d in
              let protected = d.haManaged.filter { $0 }.count
              return [
                d.purpose, list(d.guests, max: 6),
                d.guests.count == 1
                  ? (protected == 1 ? "yes" : "no")
                  : protected == d.guests.count
                    ? "all" : protected == 0 ? "none" : "\(protected) of \(d.guests.count)",
              ]
            })))
    }
    b.append(.separator)

    // 7. SPOFs.
    b.append(.heading(2, "7. Single Points of Failure"))
    if singlePointsOfFailure.isEmpty {
      b.append(.paragraph("\(s.mark(true))No single point of failure found."))
    }
    let kindTitles = [
      ("service", "Service SPOFs"), ("hardware", "Hardware SPOFs"), ("capacity", "Capacity SPOFs"),
      ("quorum", "Quorum SPOFs"), ("data", "Data SPOFs"),
    ]
    for (kind, title) in kindTitles {
      let items = singlePointsOfFailure.filter { $0.kind == kind }
      guard !items.isEmpty else { continue }
      b.append(.heading(3, title))
      b.append(
        .numbered(
          items.map { "\(s.severity($0.severity)): \(s.strong(t($0.title))) — \(t($0.detail))" }))
    }
    b.append(.separator)

    // 8. Backup.
    b.append(.heading(2, "8. Backup & Disaster Recovery"))
    let bk = backup
    if bk.jobs.isEmpty {
      b.append(
        .paragraph(
          "\(s.mark(false))No backup jobs are defined (\(s.code("/cluster/backup")) is empty)."))
    } else {
      b.append(
        .table(
          ReportTable(
            ["Job", "Enabled", "Schedule", "Storage", "Selection", "Mode", "Retention", "Guests"],
            bk.jobs.map { j in
              [
                j.id, j.enabled ? "yes" : "no", j.schedule ?? "—", j.storage, j.selection,
                j.mode ?? "—", j.retention.isEmpty ? "—" : j.retention, "\(j.guests)",
              ]
            }, rightAligned: [7])))
    }
    var backupFields = [
      ReportField(
        "Covered",
        "\(bk.covered) of \(bk.guests) guests (\(Figure.wholePercent(Figure.share(Double(bk.covered), of: Double(bk.guests))))); templates are not backed up"
      )
    ]
    if bk.excludedByPolicy > 0 {
      backupFields.append(ReportField("Excluded by policy", "\(bk.excludedByPolicy)"))
    }
    backupFields.append(
      ReportField("Targets", bk.targets.isEmpty ? "none" : t(bk.targets.joined(separator: ", "))))
    backupFields.append(
      ReportField("Second copy", bk.secondCopy ? "yes (two or more locations)" : "no"))
    b.append(.fields(backupFields))
    if !bk.uncovered.isEmpty {
      b.append(.heading(3, "Guests Without Backup (\(bk.uncovered.count))"))
      b.append(
        .paragraph(t(list(bk.uncovered.map { "\($0.name) (\($0.sid), \($0.node))" }, max: 20))))
    }
    let backupNotes = bulletsOf([BackupNone.id, BackupOffsite.id, BackupTargetFull.id])
    if !backupNotes.isEmpty { b.append(.bullets(backupNotes)) }
    b.append(.separator)

    // 9. RTO.
    b.append(.heading(2, "9. Recovery Time Objectives (RTO)"))
    b.append(.heading(3, "Current Recovery Scenarios"))
    func scenarioName(_ r: RecoveryScenario) -> String {
      switch r.kind {
      case "node": "\(r.subject) node failure"
      case "storage-server": "storage server \(r.subject) failure"
      default: "\(r.subject) failure"
      }
    }
    b.append(
      .table(
        ReportTable(
          ["Scenario", "Estimated RTO", "Impact"],
          recovery.map { [scenarioName($0), $0.rto, $0.impact] })))
    let detailed = recovery.filter { $0.kind != "service" }
    if !detailed.isEmpty {
      b.append(.heading(3, "What Restarts and What Stays Down"))
      b.append(
        .bullets(
          detailed.map { r in
            var parts: [String] = []
            if !r.restarted.isEmpty { parts.append("restart elsewhere: \(t(list(r.restarted)))") }
            if !r.haNotRecovered.isEmpty {
              parts.append("HA but not recoverable: \(t(list(r.haNotRecovered)))")
            }
            if !r.down.isEmpty { parts.append("down: \(t(list(r.down)))") }
            if parts.isEmpty { parts.append("nothing running is affected") }
            return "\(s.strong(t(scenarioName(r)))): " + parts.joined(separator: "; ")
          }))
    }
    if let m = measuredRecovery {
      b.append(.heading(3, "Measured Recovery (Restore Tests)"))
      func secs(_ v: Double?) -> String { v.map(Elapsed.duration) ?? "—" }
      b.append(
        .table(
          ReportTable(
            [
              "Guest", "Critical", "Tested", "Backup age", "Backup size", "Restore", "Boot",
              "Total", "Verdict",
            ],
            m.rows.map { r in
              [
                t(r.guest), r.level ?? "—",
                r.testedAt.map { UTCDate(rfc3339: $0)?.minuteText ?? t($0) } ?? "—",
                r.backupAgeSeconds.map(Elapsed.age) ?? "—",
                r.backupSize.map(ByteSize.binary) ?? "—", secs(r.restoreSeconds),
                secs(r.bootSeconds), secs(r.totalSeconds),
                r.verdict + (r.stale ? " (older than \(m.maxAgeDays) d)" : ""),
              ]
            }, rightAligned: [3, 4, 5, 6, 7])))
      let notes = m.rows.compactMap { r in
        r.detail.map { "\(s.strong(t(r.guest))): \(t($0))" }
      }
      if !notes.isEmpty { b.append(.bullets(notes)) }
      b.append(
        .paragraph(
          "\(m.criticalTested) of \(m.criticalGuests) critical guest(s) have a passed restore test within \(m.maxAgeDays) days of the snapshot: disaster recovery +\(Figure.fixed(m.scoreBonus)) (\(Figure.fixed(MeasuredRecovery.bonusWeight, 0)) × that share). Restore is the restore step's duration; boot is the start plus the guest-agent wait."
        ))
    }
    b.append(.separator)

    // 10. Recommendations.
    b.append(.heading(2, "10. Key Recommendations"))
    if recommendations.isEmpty {
      b.append(.paragraph("\(s.mark(true))Nothing to do."))
    }
    let horizonTitles = [
      ("immediate", "Immediate Actions"), ("short-term", "Short-term"),
      ("medium-term", "Medium-term"),
    ]
    for (horizon, title) in horizonTitles {
      let items = recommendations.filter { $0.horizon == horizon }
      guard !items.isEmpty else { continue }
      b.append(.heading(3, title))
      b.append(
        .numbered(
          items.map { r in
            "\(s.severity(r.severity)) \(s.strong(t(r.advice))) (\(s.code(r.rule)), \(r.remediation.rawValue)): \(t(list(r.subjects)))"
          }))
    }
    if !recommendations.isEmpty {
      b.append(
        .paragraph(
          "Run \(s.code("pvemend plan SNAPSHOT --playbook FILE")) for the exact, ordered commands.")
      )
    }
    b.append(.separator)

    // 11. Capacity.
    b.append(.heading(2, "11. Capacity Planning"))
    b.append(.heading(3, "Current Capacity Utilization"))
    let c = capacity
    b.append(
      .table(
        ReportTable(
          ["Resource", "Total", "Promised", "Reserved", "Available", "Status"],
          [
            [
              "CPU", "\(c.cores) cores",
              "\(c.vcpus) vCPUs (\(Figure.fixed(c.vcpuPerCore, 2))/core)", "—",
              "load \(Figure.percent(c.cpuUsage))",
              s.check(findings(of: NodeOvercommit.id).isEmpty),
            ],
            [
              "Memory", ByteSize.binary(c.memoryTotal), ByteSize.binary(c.memoryPromised),
              "\(ByteSize.binary(c.memoryReserve)) + HA \(ByteSize.binary(c.haReserve))",
              ByteSize.binary(c.memoryAvailable), s.check(c.memoryAvailable >= 0),
            ],
            [
              "Storage", ByteSize.decimal(c.storageTotal), ByteSize.decimal(c.storageUsed), "—",
              ByteSize.decimal(c.storageAvailable), s.check(findings(of: StorageUsage.id).isEmpty),
            ],
          ])))
    b.append(
      .paragraph(
        "Promised: running and onboot guests. Reserved: the policy's memory reserve on every online node, plus the HA guests of the node with most HA memory (what N+1 keeps free). Memory used now: \(ByteSize.binary(c.memoryUsed))."
      ))
    b.append(.heading(3, "N+1 Failover Headroom"))
    b.append(
      .table(
        ReportTable(
          ["Failed Node", "HA Guests", "HA vCPUs", "HA Memory", "Worst Survivor After", "Result"],
          c.failover.map { f in
            var result: [String] = [f.verdict]
            if !f.notRecovered.isEmpty {
              result.append("\(f.notRecovered.count) not back: \(list(f.notRecovered, max: 5))")
            }
            if !f.overloaded.isEmpty {
              result.append("over the ceilings: \(f.overloaded.joined(separator: ", "))")
            }
            return [
              f.node, "\(f.haGuests.count)", "\(f.haVCPUs)", ByteSize.binary(f.haMemory),
              f.worstSurvivor ?? "—", result.joined(separator: "; "),
            ]
          }, rightAligned: [1, 2, 3])))
    let notSurvivable = c.failover.filter { !$0.survivable }.map { "\($0.node) (\($0.verdict))" }
    b.append(
      .paragraph(
        (c.nPlusOne
          ? "\(s.mark(true))N+1: if any one node fails, HA brings back every HA guest and the survivors stay within the playbook's ceilings."
          : notSurvivable.isEmpty
            ? "\(s.mark(false))N+1 fails: there is no other node to recover to."
            : "\(s.mark(false))N+1 fails: \(notSurvivable.joined(separator: ", ")).")
          + " Played out as Proxmox's HA stack would: each HA guest in sid order onto the node its group or rule and the CRS scheduler pick (`pvemend rehearse` shows every step)."
      ))
    b.append(.heading(3, "Growth Headroom"))
    b.append(
      .bullets([
        "Memory for new running guests, keeping the reserve and N+1: \(ByteSize.binary(max(c.memoryAvailable, 0)))",
        "Storage free: \(ByteSize.decimal(c.storageAvailable)) of \(ByteSize.decimal(c.storageTotal))",
        "CPU load now: \(Figure.percent(c.cpuUsage)) across \(c.cores) cores",
      ]))
    b.append(.separator)

    // 12. Scores.
    b.append(.heading(2, "12. Overall Cluster Health Score"))
    b.append(
      .table(
        ReportTable(
          ["Category", "Score", "Status", "Findings"],
          scores.map {
            [
              $0.category.title, "\(Figure.fixed($0.score))/10", CategoryScore.status($0.score),
              "\($0.findings)",
            ]
          } + [
            [
              "Overall", "\(Figure.fixed(overallScore))/10", CategoryScore.status(overallScore),
              "\(findings.count)",
            ]
          ],
          rightAligned: [1, 3])))
    b.append(
      .paragraph(
        "Each category starts at 10. Each rule with findings in it costs the weight of its worst finding (critical 3, high 2, medium 1, low 0.5) plus 0.25 per further finding, at most twice that weight. Local volumes of guests not yet HA-managed are part of enabling HA and are not scored twice. Overall is the mean of the six categories."
          + (measuredRecovery.map {
            " Disaster recovery adds \(Figure.fixed(MeasuredRecovery.bonusWeight, 0)) × the share of critical guests with a passed restore test within \($0.maxAgeDays) days (+\(Figure.fixed($0.scoreBonus)) here), at most 10."
          } ?? "")
      ))
    b.append(.separator)

    // 13. Risks.
    b.append(.heading(2, "13. Risk Matrix"))
    if risks.isEmpty {
      b.append(.paragraph("No risks found."))
    } else {
      b.append(
        .table(
          ReportTable(
            ["Risk", "Likelihood", "Impact", "Priority"],
            risks.map {
              [
                $0.risk, $0.likelihood.rawValue.capitalized, $0.impact.rawValue.capitalized,
                $0.priority,
              ]
            })))
    }
    b.append(.separator)

    // Conclusion.
    b.append(.heading(2, "Conclusion"))
    let top = recommendations.prefix(3).map { "\(s.severity($0.severity)) \(t($0.advice))" }
    let strengths = scores.filter { $0.score >= 9 }.map {
      "\($0.category.title) \(Figure.fixed($0.score))/10"
    }
    let weaknesses = scores.filter { $0.score < 5 }.map {
      "\($0.category.title) \(Figure.fixed($0.score))/10"
    }
    b.append(
      .paragraph(
        "Overall health \(Figure.fixed(overallScore))/10 (\(CategoryScore.status(overallScore))) with \(findings.isEmpty ? "no findings" : "\(summary.findingsText) findings")."
      ))
    if !top.isEmpty {
      b.append(.heading(3, "Top Priorities"))
      b.append(.numbered(top))
    }
    b.append(
      .fields([
        ReportField(
          "Strengths", strengths.isEmpty ? "none above 9/10" : strengths.joined(separator: ", ")),
        ReportField(
          "Weaknesses", weaknesses.isEmpty ? "none below 5/10" : weaknesses.joined(separator: ", ")),
      ]))
    b.append(.separator)

    // Appendix.
    b.append(.heading(2, "Findings (\(findings.count))"))
    if findings.isEmpty {
      b.append(.paragraph("None."))
    } else {
      b.append(
        .table(
          ReportTable(
            ["Severity", "ID", "Remediation", "Message"],
            findings.map { [s.severity($0.severity), $0.id, $0.remediation.rawValue, $0.message] }))
      )
    }
    return b
  }

  /// The terminal report.
  package func text() -> String { TextRenderer.render(blocks(style: .text)) }

  /// The markdown report (the seed's shape: headings 1–13, tables).
  package func markdown() -> String { MarkdownRenderer.render(blocks(style: .markdown)) }
}
