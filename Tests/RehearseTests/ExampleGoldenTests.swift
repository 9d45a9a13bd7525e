import Foundation
import PVEMendTestSupport
import PVEModel
import Playbook
import Rehearse
import Testing

/// Every example's rehearsal (each single-node failure) in text, markdown and JSON, byte for byte
/// (`Golden/<example>/rehearsal.{txt,md,json}`).
@Suite struct ExampleGoldenTests {
  @Test(arguments: Examples.names) func rehearsal(example: String) throws {
    let report = RehearsalReport(
      cluster: try Examples.cluster(example), policy: try Examples.policy(example))
    assertGoldenViews(
      text: report.text(), markdown: report.markdown(), json: report.json(),
      "\(example)/rehearsal")
  }

  @Test(arguments: Examples.names) func sameInputSameBytes(example: String) throws {
    let cluster = try Examples.cluster(example)
    let policy = try Examples.policy(example)
    let a = RehearsalReport(cluster: cluster, policy: policy)
    let b = RehearsalReport(cluster: cluster, policy: policy)
    #expect(a == b)
    #expect(a.json() == b.json())
    let decoded = try JSONDecoder().decode(RehearsalReport.self, from: Data(a.json().utf8))
    #expect(decoded == a)
  }
}
