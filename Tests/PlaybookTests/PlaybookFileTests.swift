import Foundation
import PVEMendTestSupport
import PVEModel
import Testing

@testable import Playbook

/// The shipped playbooks decode, the built-in default equals default.yaml, and homelab.yaml states
/// the seed's recommendations.
@Suite struct PlaybookFileTests {
  func decodeFile(_ name: String) throws -> Policy {
    let text = try String(contentsOf: Fixtures.playbook(name), encoding: .utf8)
    return try PlaybookDecoder.decode(text, file: "playbooks/\(name)")
  }

  @Test func everyPlaybookDecodes() throws {
    let names = try FileManager.default.contentsOfDirectory(
      atPath: Fixtures.root.appendingPathComponent("playbooks").path
    ).filter { $0.hasSuffix(".yaml") }.sorted()
    #expect(names.contains("homelab.yaml"))
    #expect(names.count >= 3)
    for name in names {
      #expect(throws: Never.self) { try decodeFile(name) }
    }
  }

  @Test func builtinDefaultEqualsDefaultYAML() throws {
    let decoded = try decodeFile("default.yaml")
    #expect(decoded == Policy.builtinDefault)
    // And the default's fields are Policy's own defaults, apart from what it adds.
    #expect(decoded.ha == HAPolicy())
    #expect(decoded.capacity == CapacityPolicy())
    #expect(decoded.migration == MigrationPolicy())
    #expect(decoded.backup == BackupPolicy())
    #expect(Set(decoded.actions.keys) == Set(FindingAction.knownRules))
  }

  @Test func emptyPlaybookIsTheConservativePolicy() throws {
    #expect(try PlaybookDecoder.decode("", file: "empty.yaml") == Policy())
    #expect(try PlaybookDecoder.decode("# only a comment\n", file: "empty.yaml") == Policy())
  }

  @Test func homelabKeyFigures() throws {
    let policy = try decodeFile("homelab.yaml")
    #expect(policy.name == "homelab")
    func entry(_ vmid: Int) -> CriticalEntry? {
      policy.critical.first { $0.selector == GuestSelector(vmid: vmid) }
    }
    #expect(entry(110)?.level == .critical)
    #expect(entry(110)?.purpose == "Reverse proxy (all external access)")
    #expect(entry(114)?.level == .critical)
    for vmid in [132, 101, 121, 133, 134, 128] { #expect(entry(vmid)?.level == .high) }
    for vmid in [112, 109] { #expect(entry(vmid)?.level == .medium) }
    for vmid in [100, 113, 1250, 116, 122, 130, 131] { #expect(entry(vmid) != nil) }

    #expect(policy.ha.state == "started")
    #expect(policy.ha.maxRestart == 3)
    #expect(policy.ha.maxRelocate == 2)
    #expect(policy.ha.spread)
    #expect(policy.ha.levels == [.critical, .high])

    let apart = Dictionary(
      uniqueKeysWithValues: policy.keepApart.map { ($0.name, $0.guests.compactMap(\.vmid)) })
    #expect(apart == ["traefik": [110, 121], "dhcp": [133, 134], "dns": [1250, 116]])

    #expect(policy.capacity.vcpuPerCore == 4)
    #expect(policy.capacity.memoryReserve == 4 * ByteSize.gib)
    #expect(policy.capacity.localStorageReserve == 0.10)
    // proxmox: 17 of 37 guests (46 %) on 4 of 20 cores (20 %) must exceed the tolerance.
    #expect(17.0 / 37.0 - 4.0 / 20.0 > policy.capacity.shareTolerance)

    #expect(policy.migration.allowContainerRestart)
    #expect(policy.migration.maxParallelPerNode == 1)
    #expect(policy.migration.neverMove == [GuestSelector(vmid: 114)])
    #expect(policy.migration.timeoutSeconds == 900)

    #expect(policy.backup.storage == "Truenas_jbod")
    #expect(policy.backup.schedule == "02:00")
    #expect(policy.backup.mode == "snapshot")
    #expect(policy.backup.compress == "zstd")
    #expect((policy.backup.retention["keep-daily"] ?? 0) >= 30)
    #expect(policy.backup.retention["keep-weekly"] != nil)
    #expect(policy.backup.retention["keep-monthly"] != nil)
    #expect(policy.backup.offsite == nil)

    #expect(policy.action(for: "ha.unprotected") == .enableHA)
    #expect(policy.action(for: "node.imbalance") == .rebalance)
    #expect(policy.action(for: "backup.none") == .createBackupJob)
    #expect(
      Set(policy.advice.map(\.id))
        == ["traefik-vip", "dr-runbook", "restore-testing"])
  }

  @Test func pve9ExampleSelectsByTagAndName() throws {
    let policy = try decodeFile("pve9-example.yaml")
    #expect(policy.critical.map(\.selector.tag) == ["infra", "prod", nil, "monitoring"])
    #expect(policy.critical.map(\.selector.name) == [nil, nil, "k8s-cp-*", nil])
    #expect(policy.keepApart.map(\.name) == ["dns", "k8s-control-plane"])
  }

  @Test func offsiteAndQuantitiesDecode() throws {
    let yaml = """
      capacity: { memory_reserve: 512MiB, local_storage_reserve: 0.2, share_tolerance: 15% }
      migration: { timeout: 1h30m }
      backup:
        job_id: nightly
        compress: 0
        retention: { keep-all: true }
        offsite: { job_id: offsite, storage: pbs-remote, schedule: "sun 03:00", retention: { keep-weekly: 4 } }
      """
    let policy = try PlaybookDecoder.decode(yaml, file: "t.yaml")
    #expect(policy.capacity.memoryReserve == 512 * ByteSize.mib)
    #expect(policy.capacity.localStorageReserve == 0.2)
    #expect(policy.capacity.shareTolerance == 0.15)
    #expect(policy.migration.timeoutSeconds == 5400)
    #expect(policy.backup.compress == "0")
    #expect(policy.backup.retention == ["keep-all": 1])
    #expect(
      policy.backup.offsite
        == OffsitePolicy(
          jobID: "offsite", storage: "pbs-remote", schedule: "sun 03:00",
          retention: ["keep-weekly": 4]))
  }
}
