import Foundation
import PVEMendTestSupport
import PVEModel
import Planning
import Testing

/// The HTML review page: golden bytes for the reference plan, self-contained, hostile text inert.
@Suite struct PlanHTMLViewTests {
  static let digest = "sha256:0f1e2d3c4b5a69788796a5b4c3d2e1f00f1e2d3c4b5a69788796a5b4c3d2e1f0"

  @Test func referencePlanMatchesTheGolden() throws {
    let c = try #require(Inputs.cases.first { $0.name == "homelab-cluster" })
    let plan = try Inputs.outcome(c).plan
    try GoldenPlanTests.check(
      c.name, "plan.html", Data(PlanHTMLView.render(plan, digest: Self.digest).utf8))
  }

  @Test(arguments: Inputs.cases) func sameBytesAndSelfContained(_ c: Inputs.Case) throws {
    let plan = try Inputs.outcome(c).plan
    let html = PlanHTMLView.render(plan, digest: Self.digest)
    let saved = try PlanFile.decode(PlanFile.encode(plan), file: "plan.json")
    #expect(PlanHTMLView.render(saved, digest: Self.digest) == html)
    // Nothing that runs or fetches: no script, no external URL, no imported font or image.
    for forbidden in [
      "<script", "src=", "http://", "https://", "url(", "@import", "<link", "<iframe",
    ] {
      #expect(!html.contains(forbidden), "\(forbidden) in \(c.name)")
    }
    #expect(html.contains("Content-Security-Policy"))
    #expect(html.contains("@media print") && html.contains("prefers-color-scheme: dark"))
    // The key numbers of the text view are on the page.
    #expect(html.contains(PlanTextView.summaryLine(plan)))
    for n in plan.before.nodes {
      #expect(html.contains(String(format: "%.2f", n.vcpuPerCore)))
    }
    for s in plan.steps { #expect(html.contains("id=\"step-\(s.id)\"")) }
  }

  /// Every text field of the plan set to a hostile string: the page has exactly the tags of the
  /// same plan with plain text, and no raw control or bidi character.
  @Test(arguments: HostileText.corpus) func hostileTextIsInert(_ hostile: String) throws {
    let c = try #require(Inputs.cases.first)
    let base = try Inputs.outcome(c).plan
    let plain = PlanHTMLView.render(Self.poisoned(base, with: "plain"), digest: Self.digest)
    let html = PlanHTMLView.render(Self.poisoned(base, with: hostile), digest: Self.digest)
    #expect(HostileText.rawUnsafe(in: html).isEmpty)
    // Line breaks in details become <br>; nothing else may differ.
    #expect(Self.tags(html).filter { $0 != "br" } == Self.tags(plain).filter { $0 != "br" })
    #expect(!html.contains("<script") && !html.contains("<img") && !html.contains("<svg onload"))
  }

  /// The plan with `text` in every free-text field (ids and node names too).
  static func poisoned(_ plan: Plan, with text: String) -> Plan {
    var p = plan
    p.cluster = text
    p.createdAt = text
    p.tool = text
    p.playbook.name = text
    p.playbook.path = text
    for i in p.steps.indices {
      p.steps[i].title += " " + text
      p.steps[i].reasons.append(text)
      p.steps[i].detail = (p.steps[i].detail ?? "") + text
      p.steps[i].downtime.note = text
      for j in p.steps[i].commands.indices {
        p.steps[i].commands[j].argv.append(text)
      }
      if !p.steps[i].after.isEmpty { p.steps[i].after.append(text) }
      p.steps[i].wait?.sid = text
      p.steps[i].wait?.node = text
    }
    p.unresolved.append(Unresolved(finding: text, reason: text, limit: text))
    p.before.nodes[0].node = text
    return p
  }

  /// The tag names in document order (attributes and text left out).
  static func tags(_ html: String) -> [String] {
    var out: [String] = []
    var rest = html[...]
    while let lt = rest.firstIndex(of: "<") {
      let name = rest[rest.index(after: lt)...].prefix { $0.isLetter || $0 == "/" || $0 == "!" }
      out.append(String(name))
      rest = rest[rest.index(after: lt)...]
    }
    return out
  }
}
