import Audit
import PVEMendTestSupport
import PVEModel
import Playbook
import Testing

@Suite struct StorageUsageTests {
  @Test func fullPoolsAreFoundSharedOnceLocalPerNode() {
    let c = TestCluster().node("a").node("b")
      .sharedStorage("nas", server: "10.0.0.9", totalGB: 1000, usedGB: 850, nodes: ["a", "b"])
      .localStorage("local-lvm", perNode: [("a", 100, 95), ("b", 100, 10)])
    let f = c.findings(StorageUsage())
    #expect(f.map(\.id) == ["storage.usage/local-lvm@a", "storage.usage/nas"])
    #expect(f.map(\.severity) == [.high, .medium])
    #expect(f[1].evidence["total"] == .int(1_000_000_000_000))
    #expect(f[1].evidence["usage"] == .double(0.85))
  }

  @Test func poolsBelowTheWarningAreNotFound() {
    let c = TestCluster().node("a")
      .sharedStorage("nas", server: nil, totalGB: 1000, usedGB: 799, nodes: ["a"])
    #expect(c.findings(StorageUsage()).isEmpty)
    let strict = Policy(capacity: CapacityPolicy(storageWarn: 0.5, storageCritical: 0.7))
    #expect(c.findings(StorageUsage(), policy: strict).map(\.severity) == [.high])
  }
}
