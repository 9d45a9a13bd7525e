import Foundation
import PVEMendTestSupport
import PVEModel
import Planning
import Playbook
import RestoreTest
import Testing

/// Golden restore-test plans (`Tests/RestoreTestTests/Golden/<example>/`), one per backup situation:
/// the reference cluster (no backups at all: nothing to restore), the PVE 8 example (backups only
/// on the server that holds the disks), the PVE 9 example (PBS, one snapshot failed verification,
/// one never verified). The playbook's critical guests, or with the homelab playbook for the
/// reference cluster. Compared byte for byte; `PVEMEND_RECORD=1` re-records them.
@Suite struct GoldenRestoreTestTests {

  static let cases: [(example: String, playbook: String?, guests: [Int]?)] = [
    ("homelab-cluster", "homelab.yaml", nil),
    ("pve8-groups-cluster", nil, [102, 110, 120]),
    ("pve9-rules-cluster", nil, [201, 260, 204]),
  ]

  @Test(arguments: [0, 1, 2])
  func golden(_ index: Int) throws {
    let c = Self.cases[index]
    let url = Fixtures.example(c.example + ".json")
    let snap = try Snapshot.decode(Data(contentsOf: url), file: url.path)
    let cluster = try Cluster(snapshot: snap)
    var policy = Policy.builtinDefault
    var text = ""
    var path = "(built-in default)"
    if let name = c.playbook {
      let p = Fixtures.playbook(name)
      text = try String(contentsOf: p, encoding: .utf8)
      policy = try PlaybookDecoder.decode(text, file: "playbooks/\(name)")
      path = "playbooks/\(name)"
    }
    let (plan, tests) = try RestoreTestPlanner.plan(
      snapshot: snap, cluster: cluster, policy: policy, playbookPath: path, playbookText: text,
      guests: c.guests)
    assertGolden(RestoreTestView.render(plan, tests: tests), "\(c.example)/restore-test.txt")
    var steps = plan
    steps.snapshot = Snapshot(collectedAt: snap.collectedAt, source: "(omitted)", api: [:])
    assertGolden(
      String(decoding: PlanFile.encode(steps), as: UTF8.self), "\(c.example)/plan-steps.json")
  }

}
