import Audit
import Export
import Foundation
import PVEMendTestSupport
import PVEModel
import Planning
import Playbook
import Testing

/// Hostile strings × every output format: a guest name, the cluster name and every free-text field of
/// a plan set to each string of `HostileText.corpus`; no raw control or bidi character may reach the
/// text report, the markdown report, the audit and plan JSON (as `\u` escapes there), the plan's
/// text, markdown and HTML views, the shell, Ansible and markdown exports, or an error message.
@Suite struct HostileOutputTests {
  static let digest = "sha256:0f1e2d3c4b5a69788796a5b4c3d2e1f00f1e2d3c4b5a69788796a5b4c3d2e1f0"

  /// The reference cluster with `hostile` as the name of guest traefik (ct:110) and of the cluster.
  static func cluster(named hostile: String) throws -> (Snapshot, Cluster) {
    var text = try String(contentsOf: Fixtures.example("homelab-cluster.json"), encoding: .utf8)
    let quoted = String(decoding: try JSONEncoder().encode([hostile]), as: UTF8.self).dropFirst()
      .dropLast()
    text = text.replacingOccurrences(of: "\"name\" : \"traefik\"", with: "\"name\" : \(quoted)")
    text = text.replacingOccurrences(
      of: "\"hostname\" : \"traefik\"", with: "\"hostname\" : \(quoted)")
    text = text.replacingOccurrences(
      of: "\"name\" : \"homelab-cluster\"", with: "\"name\" : \(quoted)")
    let snapshot = try Snapshot.decode(Data(text.utf8), file: "homelab-cluster.json")
    return (snapshot, try Cluster(snapshot: snapshot, file: "homelab-cluster.json"))
  }

  @Test(arguments: HostileText.corpus) func noRawControlOrBidiInAnyFormat(_ hostile: String) throws
  {
    let (snapshot, cluster) = try Self.cluster(named: hostile)
    #expect(cluster.guests.contains { $0.name == hostile } || hostile.contains("\u{0}"))
    let playbookText = try String(
      contentsOf: Fixtures.playbook("homelab.yaml"), encoding: .utf8)
    let policy = try PlaybookDecoder.decode(playbookText, file: "homelab.yaml")
    let report = AuditReport(cluster: cluster, policy: policy)
    var plan = Planner.plan(
      snapshot: snapshot, cluster: cluster, report: report, policy: policy,
      playbookPath: hostile, playbookText: playbookText)
    plan = Self.poisoned(plan, with: hostile)

    var outputs: [(String, String)] = [
      ("audit text", report.text()),
      ("audit markdown", report.markdown()),
      ("plan text", PlanTextView.render(plan)),
      ("plan markdown", PlanMarkdownView.render(plan)),
      ("plan html", PlanHTMLView.render(plan, digest: Self.digest)),
      ("audit json", report.json()),
      ("plan json", String(decoding: PlanFile.encode(plan), as: UTF8.self)),
    ]
    for format in ExportFormat.allCases {
      outputs.append(
        ("export \(format.rawValue)", PlanExport.render(plan, format: format, digest: Self.digest)))
    }
    let yaml = "name: \(hostile)\nnope: 1\n"
    do {
      _ = try PlaybookDecoder.decode(yaml, file: hostile)
      Issue.record("the playbook with an unknown key was accepted")
    } catch {
      outputs.append(("playbook error", error.description))
    }
    do {
      _ = try Snapshot.decode(Data("{".utf8), file: hostile)
    } catch {
      outputs.append(("snapshot error", "\(error)"))
    }
    for (format, output) in outputs {
      let raw = HostileText.rawUnsafe(in: output)
      #expect(
        raw.isEmpty,
        "\(format): raw \(raw.prefix(5).map { "U+" + String($0.value, radix: 16, uppercase: true) })"
      )
    }
    // The hostile text is there, made safe (not silently dropped).
    let shown = DisplayText.sanitize(String(hostile.prefix(8)))
    #expect(outputs.first { $0.0 == "plan text" }?.1.contains(shown) == true)
  }

  /// Every free-text field (and ids, nodes and argv) of `plan` gets `text`.
  static func poisoned(_ plan: Plan, with text: String) -> Plan {
    var p = plan
    p.cluster = text
    p.createdAt = text
    p.tool = text
    p.playbook.name = text
    for i in p.steps.indices {
      p.steps[i].title += " " + text
      p.steps[i].reasons.append(text)
      p.steps[i].detail = (p.steps[i].detail ?? "") + text
      p.steps[i].downtime.note = text
      for j in p.steps[i].commands.indices {
        p.steps[i].commands[j].argv.append(text)
      }
      for j in p.steps[i].inverse.indices { p.steps[i].inverse[j].argv.append(text) }
      p.steps[i].after.append(text)
      p.steps[i].wait?.sid = text
      p.steps[i].wait?.node = text
    }
    if let i = p.steps.firstIndex(where: { !$0.commands.isEmpty }) {
      p.steps[i].commands[0].node = text
    }
    p.unresolved.append(Unresolved(finding: text, reason: text, limit: text))
    p.before.nodes[0].node = text
    return p
  }
}
