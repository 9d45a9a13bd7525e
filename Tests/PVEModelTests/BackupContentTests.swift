import Foundation
import PVEModel
import Testing

/// Backup content in the snapshot: which listings are read, how entries decode, and old snapshots.
@Suite struct BackupContentTests {
  static func json(_ text: String) -> JSONValue {
    (try? JSONParser.parse(Data(text.utf8))) ?? .null
  }

  static let storage = json(
    """
    [{"storage": "local", "type": "dir", "content": "iso,vztmpl,backup"},
     {"storage": "local-lvm", "type": "lvmthin", "content": "images,rootdir"},
     {"storage": "pbs", "type": "pbs", "content": "backup", "shared": 1},
     {"storage": "nas", "type": "nfs", "content": "backup,images", "shared": 1, "nodes": "b,c"},
     {"storage": "old", "type": "dir", "content": "backup", "disable": 1}]
    """)

  @Test func readsEachLocalPerNodeAndEachSharedOnce() {
    let reads = Snapshot.backupContentReads(storage: Self.storage, online: ["c", "a", "b"])
    #expect(
      reads.map(\.path) == [
        "/nodes/a/storage/local/content", "/nodes/b/storage/local/content",
        "/nodes/c/storage/local/content", "/nodes/b/storage/nas/content",
        "/nodes/a/storage/pbs/content",
      ])
  }

  @Test func entriesDecode() throws {
    let pbsEntry = try #require(
      Self.json(
        """
        {"volid": "pbs:backup/ct/110/2025-11-08T02:00:00Z", "format": "pbs-ct", "size": 123,
         "ctime": 1762567200, "verification": {"state": "ok", "upid": "UPID:x"},
         "notes": "db\\nsecond line", "protected": 1}
        """
      ).objectValue)
    let pbs = try #require(BackupArchive(entry: pbsEntry, storage: "pbs", node: "a"))
    #expect(pbs.vmid == 110 && pbs.kind == .lxc && pbs.isPBS && pbs.verification == "ok")
    #expect(pbs.notes == "db" && pbs.protected)
    let vzEntry = try #require(
      Self.json(
        """
        {"volid": "local:backup/vzdump-qemu-114-2025_11_08-02_00_01.vma.zst", "format": "vma.zst",
         "size": 5}
        """
      ).objectValue)
    let vz = try #require(BackupArchive(entry: vzEntry, storage: "local", node: "b"))
    #expect(vz.vmid == 114 && vz.kind == .qemu && !vz.isPBS && vz.ctime == nil)
    let raw = try #require(Self.json(#"{"format": "raw"}"#).objectValue)
    #expect(BackupArchive(entry: raw, storage: "x", node: "a") == nil)
  }

  @Test func oldSnapshotsMeanUnknownContent() throws {
    var mini = MiniSnapshot()
    let old = try mini.cluster()
    let reads = Snapshot.backupContentReads(
      storage: mini.api["/storage"], online: old.nodes.filter(\.online).map(\.name))
    #expect(old.backups.complete == reads.isEmpty)
    #expect(old.backups.unread == reads)
    for r in reads { mini.api[r.path] = .array([]) }
    let now = try mini.cluster()
    #expect(now.backups.complete)
    #expect(now.backups.read.count == reads.count)
  }
}
