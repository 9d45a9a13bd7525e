import Foundation
import PVEMendTestSupport
import PVEModel
import SandboxCore
import Testing

/// The cluster file system files in Proxmox's formats (docs/sandbox-pmxcfs.md), written in-process
/// from the example snapshots.
@Suite struct PmxcfsFormatTests {
  /// Writes the pmxcfs files of an example into a temporary directory; returns file → text.
  static func files(_ example: String) throws -> (read: (String) -> String?, remove: () -> Void) {
    let fixture = try StateFixture(file: Fixtures.example(example))
    let dir = fixture.directory.appendingPathComponent("pmxcfs")
    let outcome = StandIn.writePmxcfs(statePath: fixture.path, directory: dir.path)
    #expect(outcome.exitCode == 0, "\(outcome.stderr)")
    var isDirectory: ObjCBool = false
    #expect(
      FileManager.default.fileExists(atPath: dir.path + "/priv/lock", isDirectory: &isDirectory))
    #expect(isDirectory.boolValue)
    return (
      { try? String(contentsOf: dir.appendingPathComponent($0), encoding: .utf8) },
      { fixture.remove() }
    )
  }

  @Test func pve9() throws {
    let (read, remove) = try Self.files("pve9-rules-cluster.json")
    defer { remove() }
    #expect(read("ha/groups.cfg") == nil, "migrated: no groups.cfg")
    #expect(
      read("storage.cfg")?.hasPrefix(
        """
        dir: local
        \tpath /var/lib/vz
        \tcontent iso,vztmpl,backup

        zfspool: local-zfs
        \tpool rpool/data
        \tcontent images,rootdir
        \tsparse 1

        rbd: ceph-vm
        \tcontent images,rootdir
        \tkrbd 0
        \tpool vm-pool

        pbs: pbs01
        \tdatastore store1
        \tserver 10.0.0.50
        \tcontent backup

        """) == true, "shared left out for rbd/pbs; required keys first")
    #expect(
      read("jobs.cfg")?.hasPrefix(
        """
        vzdump: backup-2c9e51a7-0d13
        \tcomment everything on pve1, nightly
        \tschedule 21:00
        \tall 1
        \tcompress zstd
        \tenabled 1
        \tfleecing 0
        \tmode snapshot
        \tnode pve1
        \tnotes-template {{guestname}}
        \tnotification-mode notification-system
        \tprune-backups keep-daily=7,keep-weekly=4
        \trepeat-missed 0
        \tstorage pbs01

        """) == true)
    #expect(
      read("ha/resources.cfg")?.contains("ct: 290\n\tfailback 0\n\tstate started\n\n") == true)
    #expect(
      read("ha/resources.cfg")?.contains(
        "ct: 221\n\tcomment parked until the new MX is ready\n\tstate stopped\n\n") == true)
    let status = try #require(read("ha/manager_status"))
    #expect(!status.hasSuffix("\n"))
    #expect(status.hasPrefix("{\"master_node\":\"pve2\",\"node_status\":{\"pve1\":\"online\""))
  }

  @Test func pve8Groups() throws {
    let (read, remove) = try Self.files("pve8-groups-cluster.json")
    defer { remove() }
    #expect(read("ha/rules.cfg") == nil, "PVE 8: no rules.cfg")
    #expect(
      read("ha/groups.cfg")
        == """
        group: prefer-hv1
        \tcomment keep the cache near the app servers
        \tnodes hv1:2,hv2:1

        group: web
        \tnodes hv3,hv1,hv2
        \tnofailback 1

        group: db-only
        \tnodes hv2:1,hv1:1
        \trestricted 1


        """)
    #expect(
      read("ha/resources.cfg")?.hasPrefix(
        "vm: 105\n\tgroup db-only\n\tmax_relocate 2\n\tstate started\n\n") == true)
    let storage = try #require(read("storage.cfg"))
    #expect(storage.contains("lvm: san-lvm\n\tvgname san\n\tbase "), "lvm keeps its shared flag")
    #expect(storage.contains("\tshared 1\n"))
    #expect(
      storage.contains("nfs: nas\n\texport /volume1/pve\n\tpath /mnt/pve/nas\n\tserver 10.1.0.20\n")
    )
  }

  @Test func textEncodingAndPropertyStrings() {
    #expect(SectionConfigText.encodeText("a:b%c\nd é") == "a%3Ab%25c%0Ad %C3%A9")
    #expect(
      SectionConfigText.propertyString(
        ["enabled": .string("0"), "storage": .string("x")], defaultKey: "enabled")
        == "0,storage=x")
  }
}
