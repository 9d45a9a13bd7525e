import PVEModel
import Testing

@testable import Playbook

/// Guest selectors: decoding (VMID or mapping) and matching by vmid, name glob, tag and pool.
@Suite struct SelectorTests {
  func guest(_ vmid: Int, _ name: String, tags: [String] = [], pool: String? = nil) -> Guest {
    Guest(
      kind: .lxc, vmid: vmid, name: name, node: "proxmox", status: "running", vcpus: 1,
      memory: 512 * ByteSize.mib, memoryUsed: 0, disks: [], tags: tags, pool: pool, template: false,
      lock: nil, onboot: true, haState: nil)
  }

  func neverMove(_ yaml: String) throws -> [GuestSelector] {
    try PlaybookDecoder.decode("migration:\n  never_move: \(yaml)\n", file: "t.yaml").migration
      .neverMove
  }

  @Test func vmidSelector() throws {
    let selectors = try neverMove("[110, {vmid: 121}]")
    #expect(selectors == [GuestSelector(vmid: 110), GuestSelector(vmid: 121)])
    #expect(selectors[0].matches(guest(110, "traefik")))
    #expect(!selectors[0].matches(guest(121, "traefik-2")))
  }

  @Test func nameGlobSelector() throws {
    let selectors = try neverMove("[{name: 'traefik*'}, {name: '*proxy*'}, {name: 'kea-dhcp-?'}]")
    #expect(selectors[0].matches(guest(110, "traefik")))
    #expect(selectors[0].matches(guest(121, "Traefik-2")))
    #expect(!selectors[0].matches(guest(101, "grafana")))
    #expect(selectors[1].matches(guest(150, "nginx-proxy-manager")))
    #expect(selectors[2].matches(guest(133, "kea-dhcp-1")))
    #expect(!selectors[2].matches(guest(135, "kea-dhcp-10")))
  }

  @Test func tagAndPoolSelectors() throws {
    let selectors = try neverMove("[{tag: critical}, {pool: prod}, {tag: dns, pool: prod}]")
    #expect(selectors[0].matches(guest(1, "a", tags: ["dns", "critical"])))
    #expect(!selectors[0].matches(guest(1, "a", tags: ["dns"])))
    #expect(selectors[1].matches(guest(1, "a", pool: "prod")))
    #expect(!selectors[1].matches(guest(1, "a")))
    #expect(selectors[2].matches(guest(1, "a", tags: ["dns"], pool: "prod")))
    #expect(!selectors[2].matches(guest(1, "a", tags: ["dns"], pool: "lab")))
  }

  @Test func criticalEntriesFirstMatchWins() throws {
    let yaml = """
      critical:
        - { vmid: 110, level: critical, purpose: Reverse proxy (all external access) }
        - { name: "traefik*", level: high }
        - { tag: critical, level: medium }
      """
    let policy = try PlaybookDecoder.decode(yaml, file: "t.yaml")
    #expect(policy.criticality(of: guest(110, "traefik"))?.level == .critical)
    #expect(
      policy.criticality(of: guest(110, "traefik"))?.purpose
        == "Reverse proxy (all external access)")
    #expect(policy.criticality(of: guest(121, "traefik-2"))?.level == .high)
    #expect(policy.criticality(of: guest(5, "x", tags: ["critical"]))?.level == .medium)
    #expect(policy.criticality(of: guest(6, "y")) == nil)
  }
}
