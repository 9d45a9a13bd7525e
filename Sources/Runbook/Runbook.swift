import Foundation
import PVEModel

/// The disaster-recovery runbook of one cluster: per failure, what stops, what HA recovers by
/// itself, and what must be brought back by hand, in order, with the exact commands.
///
/// Pure and deterministic: built from a cluster, a policy and restore-test records (`init` in
/// `Runbook+Build.swift`); ages are measured at the snapshot's `collectedAt`, never the clock.
package struct Runbook: Sendable, Hashable, Codable {
  package var format = "pvemend-runbook/1"
  package var cluster: String
  /// The snapshot's `collectedAt`: every age is measured here.
  package var collectedAt: String
  package var pveVersion: String?
  package var playbook: String
  /// Whether the snapshot lists every backup storage's content (else "no backup" is unknown).
  package var backupsKnown: Bool
  /// Backup archives the snapshot lists, and on how many storages.
  package var archiveCount: Int
  package var backupStorages: [String]
  /// Restore tests the measured times come from.
  package var restoreTests: Int
  /// Cluster-wide remarks (no ingress named, backups unknown, …).
  package var notes: [String]
  package var scenarios: [Scenario]

  /// What fails.
  package enum FailureKind: String, Sendable, Hashable, Codable {
    /// One node (power, board, disk of the OS).
    case node
    /// A shared storage server (every pool it serves).
    case storageServer = "storage-server"
    /// The ingress guest(s): reverse proxy broken or its disk corrupted.
    case ingress
  }

  /// The role that puts a guest first in the restore order.
  package enum Role: String, Sendable, Hashable, Codable, Comparable {
    case dns = "DNS"
    case dhcp = "DHCP"
    case ingress

    var rank: Int {
      switch self {
      case .dns: 0
      case .dhcp: 1
      case .ingress: 2
      }
    }
    package static func < (a: Role, b: Role) -> Bool { a.rank < b.rank }
  }

  /// One failure and the response to it.
  package struct Scenario: Sendable, Hashable, Codable {
    /// `node-proxmox`, `server-192.168.1.98`, `ingress`: stable, for anchors.
    package var id: String
    package var kind: FailureKind
    /// `node proxmox`, `storage server 192.168.1.98 (TrueNas_NVMe, Truenas_jbod)`, `the ingress`.
    package var title: String
    /// What is lost with it (node: its local storages; server: its pools).
    package var lost: [String]
    /// Every guest that stops, by VMID.
    package var stops: [Stopped]
    /// HA's recovery (node failures only), in the CRM's order.
    package var haRecovers: [HARecovery]
    /// HA guests HA does not bring back, by sid.
    package var haFails: [HAFailure]
    /// What must be brought back by hand, in restore order.
    package var byHand: [Restore]
    /// Remarks on this scenario (quorum, HA's part, other ingress guests that keep serving).
    package var notes: [String]
    /// Rehearse's verdict for node failures.
    package var verdict: String?

    /// Entries that cannot be brought back (no backup, backups lost, no room).
    package var unrecoverable: [Restore] { byHand.filter { $0.commands.isEmpty } }
  }

  /// A guest that stops.
  package struct Stopped: Sendable, Hashable, Codable {
    package var sid: String
    package var vmid: Int
    package var name: String
    package var node: String
    /// DNS, DHCP, ingress, or the playbook's purpose text.
    package var purpose: String?
    /// `HA recovers it`, `HA fails`, `by hand`.
    package var fate: String
  }

  /// An HA guest the CRM recovers.
  package struct HARecovery: Sendable, Hashable, Codable {
    package var sid: String
    package var name: String
    package var from: String
    package var to: String
    /// False for HA state `stopped`: moved but left stopped.
    package var started: Bool
  }

  /// An HA guest HA does not bring back.
  package struct HAFailure: Sendable, Hashable, Codable {
    package var sid: String
    package var name: String
    package var reason: String
    package var message: String
  }

  /// How a guest comes back by hand.
  package enum Method: String, Sendable, Hashable, Codable {
    /// Its disks survive: move its config to a survivor and start it.
    case moveConfig = "move-config"
    /// Its disks are lost: restore its newest surviving backup over the original VMID.
    case restoreBackup = "restore-backup"
    /// Nothing can bring it back (no backup, backups lost, no room).
    case none
  }

  /// A backup archive as the runbook uses it.
  package struct Archive: Sendable, Hashable, Codable {
    package var volid: String
    package var storage: String
    package var size: Int64
    /// Seconds before the snapshot's `collectedAt`; nil when the archive has no ctime.
    package var ageSeconds: Int64?
    package var pbs: Bool
    /// PBS verification state (`ok`, `failed`); nil when never verified or not PBS.
    package var verification: String?
    package var encrypted: Bool
  }

  /// A restore test's measured figures for the guest.
  package struct Measured: Sendable, Hashable, Codable {
    package var testedAt: String
    package var restoreSeconds: Double?
    package var bootSeconds: Double?
    package var verdict: RestoreRecord.Verdict
    package var detail: String?
    package var archive: String
  }

  /// One guest brought back by hand.
  package struct Restore: Sendable, Hashable, Codable {
    /// 1-based position in the scenario's restore order.
    package var order: Int
    package var sid: String
    package var vmid: Int
    package var kind: GuestKind
    package var name: String
    package var role: Role?
    /// The playbook's level and purpose, when a critical entry names the guest.
    package var level: String?
    package var purpose: String?
    package var haManaged: Bool
    package var method: Method
    /// Where it comes back, and onto which storage (restores).
    package var node: String?
    package var storage: String?
    package var vcpus: Int
    package var memory: Int64
    package var diskSize: Int64
    package var archive: Archive?
    /// Archives the failure takes with it (newer or all).
    package var lostArchives: Int
    /// Run in order; empty when it cannot be brought back.
    package var commands: [RemoteCommand]
    /// Why it cannot be brought back, loudly (`no backup: cannot be restored`).
    package var problem: String?
    /// Warnings that do not stop the restore (unverified PBS snapshot, old backup, moved config).
    package var warnings: [String]
    /// Facts for the person running it (where the old config is kept).
    package var notes: [String] = []
    package var measured: Measured?
  }
}

extension Runbook {
  /// The runbook as JSON (`pvemend-runbook/1`), sorted keys, unsafe scalars escaped.
  package func json() -> String {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
    guard let data = try? encoder.encode(self) else { return "{}\n" }
    return DisplayText.escapingUnsafe(json: String(decoding: data, as: UTF8.self)) + "\n"
  }
}
