import Audit
import PVEMendTestSupport
import PVEModel
import Playbook
import Testing

@Suite struct HAUnprotectedTests {
  let base = TestCluster().node("pve1").node("pve2")
    .guest(110, on: "pve1", name: "traefik").guest(
      114, on: "pve2", name: "homeassistant", kind: .qemu
    )
    .guest(112, on: "pve2", name: "wikijs").guest(120, on: "pve1", name: "scratch")

  @Test func criticalGuestWithoutHAIsFoundWithItsLevelAsSeverity() {
    let policy = TestCluster.policy([(110, .critical), (114, .high), (112, .medium)])
    let f = base.findings(HAUnprotected(), policy: policy)
    #expect(f.map(\.id) == ["ha.unprotected/ct:110", "ha.unprotected/vm:114"])
    #expect(f.map(\.severity) == [.critical, .high])
    #expect(f[0].remediation == .enableHA)
    #expect(f[0].evidence["level"] == .string("critical"))
    #expect(f[0].evidence["node"] == .string("pve1"))
    #expect(f[0].message.contains("traefik (ct:110)"))
  }

  @Test func haManagedGuestsAreNotFoundButIgnoredOnesAre() {
    let policy = TestCluster.policy([(110, .critical), (114, .critical)])
    let f = base.ha("ct:110").ha("vm:114", state: "ignored").findings(
      HAUnprotected(), policy: policy)
    #expect(f.map(\.id) == ["ha.unprotected/vm:114"])
  }

  @Test func criticalityComesOnlyFromThePolicy() {
    #expect(base.findings(HAUnprotected(), policy: Policy()).isEmpty)
    let byName = Policy(
      critical: [CriticalEntry(selector: GuestSelector(name: "traefik*"), level: .critical)])
    #expect(base.findings(HAUnprotected(), policy: byName).map(\.id) == ["ha.unprotected/ct:110"])
  }

  @Test func levelsOutsideHALevelsAreNotFound() {
    let policy = TestCluster.policy([(112, .medium)], levels: [.critical])
    #expect(base.findings(HAUnprotected(), policy: policy).isEmpty)
    let wider = TestCluster.policy([(112, .medium)], levels: [.critical, .high, .medium])
    #expect(base.findings(HAUnprotected(), policy: wider).map(\.severity) == [.medium])
  }

  @Test func aSingleNodeHasNowhereToFailOverTo() {
    let policy = TestCluster.policy([(110, .critical)])
    let single = TestCluster().node("pve1").guest(110, on: "pve1", name: "traefik")
    #expect(single.findings(HAUnprotected(), policy: policy).isEmpty)
    #expect(single.findings(HALocalStorage(), policy: policy).isEmpty)
    #expect(single.ha("ct:110").findings(HAFailoverCapacity(), policy: policy).isEmpty)
  }

  @Test func templatesAreNeverFound() {
    let c = base.guest(900, on: "pve1", template: true)
    #expect(c.findings(HAUnprotected(), policy: TestCluster.policy([(900, .critical)])).isEmpty)
  }
}
