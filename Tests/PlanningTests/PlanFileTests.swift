import Foundation
import PVEMendTestSupport
import PVEModel
import Planning
import Playbook
import Testing

/// The on-disk plan: round trip, stable bytes, clear errors.
@Suite struct PlanFileTests {
  static func plan() -> Plan {
    var b = TestCluster.planner()
    b.addNode("a", cores: 2)
    b.addNode("b", cores: 8)
    b.sharedPool("nfs", totalGiB: 1000)
    b.vm(101, on: "a", vcpus: 2, disks: [("scsi0", "local-lvm", 8)])
    b.vm(102, on: "a", vcpus: 2, name: "it's \"odd\"\n")
    var p = RebalanceTests.policy(vcpuPerCore: 1)
    p.critical = [CriticalEntry(selector: GuestSelector(vmid: 102), level: .critical)]
    return Plans.plan(b.cluster, p)
  }

  @Test func roundTripsToTheSameBytes() throws {
    let plan = Self.plan()
    #expect(plan.steps.count > 2)
    let data = PlanFile.encode(plan)
    let back = try PlanFile.decode(data, file: "plan.json")
    #expect(back == plan)
    #expect(PlanFile.encode(back) == data)
    let text = String(decoding: data, as: UTF8.self)
    #expect(text.hasSuffix("}\n"))
    #expect(text.contains("\"format\" : \"pvemend-plan/1\""))
    #expect(text.contains("\"/cluster/") == false || !text.contains("\\/"))
  }

  @Test func aWrongFormatSaysWhatAndHowToFix() throws {
    var plan = Self.plan()
    plan.format = "pvemend-plan/2"
    let data = PlanFile.encode(plan)
    #expect(throws: PlanFileError.unsupportedFormat(file: "old.json", found: "pvemend-plan/2")) {
      try PlanFile.decode(data, file: "old.json")
    }
    let message = PlanFileError.unsupportedFormat(file: "old.json", found: "pvemend-plan/2")
      .description
    #expect(message.contains("old.json") && message.contains("pvemend plan"))
    #expect(throws: PlanFileError.noFormat(file: "x.json")) {
      try PlanFile.decode(Data("{}".utf8), file: "x.json")
    }
    #expect {
      try PlanFile.decode(Data("not json".utf8), file: "x.json")
    } throws: { error in
      guard case .notJSON(let file, _) = error as? PlanFileError else { return false }
      return file == "x.json"
    }
    #expect {
      try PlanFile.decode(Data(#"{"format": "pvemend-plan/1"}"#.utf8), file: "x.json")
    } throws: { error in
      guard case .malformed(_, let detail) = error as? PlanFileError else { return false }
      return detail.contains("missing field")
    }
  }

  @Test func viewsQuoteHostileNamesAndEndWithTheSummary() throws {
    let plan = Self.plan()
    let text = PlanTextView.render(plan)
    #expect(text.hasSuffix(PlanTextView.summaryLine(plan) + "\n"))
    #expect(text.contains("it's \"odd\"\u{FFFD}"))
    #expect(!text.contains("\"odd\"\n"))
    let md = PlanMarkdownView.render(plan)
    #expect(md.contains("```sh"))
    #expect(md.contains("it's \"odd\"\u{FFFD}"))
    let line = PlanTextView.summaryLine(plan)
    #expect(line.hasPrefix("Plan: "))
    #expect(line.contains(" unresolved"))
  }
}
