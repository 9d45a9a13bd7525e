import Audit
import Foundation
import PVEMendTestSupport
import PVEModel
import Playbook
import Testing

/// Every example's report in text, markdown and JSON, byte for byte
/// (`Golden/<example>/report.{txt,md,json}`).
@Suite struct GoldenTests {
  @Test func everyExampleHasGoldenReports() {
    #expect(Examples.names.count >= 3)
    #expect(Examples.names.contains("homelab-cluster"))
  }

  @Test(arguments: Examples.names) func report(example: String) throws {
    let report = AuditReport(
      cluster: try Examples.cluster(example), policy: try Examples.policy(example))
    assertGoldenViews(
      text: report.text(), markdown: report.markdown(), json: report.json(), "\(example)/report")
  }

  @Test(arguments: Examples.names) func sameInputSameBytes(example: String) throws {
    let cluster = try Examples.cluster(example)
    let policy = try Examples.policy(example)
    let a = AuditReport(cluster: cluster, policy: policy)
    let b = AuditReport(cluster: cluster, policy: policy)
    #expect(a == b)
    #expect(a.text() == b.text())
    #expect(a.markdown() == b.markdown())
    #expect(a.json() == b.json())
  }

  @Test(arguments: Examples.names) func jsonRoundTrips(example: String) throws {
    let report = AuditReport(
      cluster: try Examples.cluster(example), policy: try Examples.policy(example))
    let decoded = try JSONDecoder().decode(AuditReport.self, from: Data(report.json().utf8))
    #expect(decoded.json() == report.json())
    #expect(decoded.findings == report.findings)
  }
}
