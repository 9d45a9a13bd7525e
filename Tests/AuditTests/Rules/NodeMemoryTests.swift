import Audit
import PVEMendTestSupport
import PVEModel
import Playbook
import Testing

@Suite struct NodeMemoryTests {
  @Test func promisedMemoryAboveTotalMinusReserveIsFound() {
    let c = TestCluster().node("n", memoryGiB: 16)
      .guest(1, on: "n", memoryGiB: 8).guest(2, on: "n", memoryGiB: 5)
      .guest(3, on: "n", status: "stopped", memoryGiB: 64)
    let f = c.findings(NodeMemory())
    #expect(f.map(\.id) == ["node.memory/n"])
    #expect(f[0].evidence["guestMemory"] == .int(13 * TestCluster.gib))
    #expect(f[0].evidence["budget"] == .int(12 * TestCluster.gib))
    #expect(f[0].severity == .medium)
  }

  @Test func withinBudgetIsNotFoundAndAboveTotalIsHigh() {
    let ok = TestCluster().node("n", memoryGiB: 16).guest(1, on: "n", memoryGiB: 12)
    #expect(ok.findings(NodeMemory()).isEmpty)
    let over = TestCluster().node("n", memoryGiB: 16).guest(1, on: "n", memoryGiB: 17)
    #expect(over.findings(NodeMemory()).map(\.severity) == [.high])
  }
}
