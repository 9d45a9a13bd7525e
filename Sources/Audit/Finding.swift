import PVEModel
import Playbook

/// Something wrong (or worth knowing) about a cluster, as data.
///
/// Findings are never errors. `id` is stable across runs: `rule/subject` (`ha.unprotected/ct:110`).
package struct Finding: Codable, Sendable, Hashable, Comparable {
  /// `<rule>/<subject id>`, e.g. `ha.unprotected/ct:110`, `node.overcommit/proxmox`.
  package var id: String
  /// The rule that produced it, e.g. `ha.unprotected`.
  package var rule: String
  package var severity: Severity
  package var subject: Subject
  /// One sentence for humans, with the numbers.
  package var message: String
  /// The numbers that prove it (`vcpus: 22`, `cores: 4`, …), sorted by key when encoded.
  package var evidence: [String: JSONValue]
  /// The kind of remediation that fixes it.
  package var remediation: Remediation

  package init(
    rule: String, severity: Severity, subject: Subject, message: String,
    evidence: [String: JSONValue] = [:], remediation: Remediation
  ) {
    self.id = "\(rule)/\(subject.id)"
    self.rule = rule
    self.severity = severity
    self.subject = subject
    self.message = message
    self.evidence = evidence
    self.remediation = remediation
  }

  /// Most severe first, then by id.
  package static func < (a: Finding, b: Finding) -> Bool {
    (a.severity.rank, a.id) < (b.severity.rank, b.id)
  }
}

/// How bad a finding is.
package enum Severity: String, Codable, Sendable, Hashable, CaseIterable, Comparable {
  case critical, high, medium, low, info

  package var rank: Int {
    switch self {
    case .critical: 0
    case .high: 1
    case .medium: 2
    case .low: 3
    case .info: 4
    }
  }

  /// The mark used in text and markdown reports.
  package var symbol: String {
    switch self {
    case .critical: "🔴"
    case .high: "🟠"
    case .medium: "🟡"
    case .low: "🔵"
    case .info: "⚪"
    }
  }

  package static func < (a: Severity, b: Severity) -> Bool { a.rank < b.rank }
}

/// What a finding is about.
package struct Subject: Codable, Sendable, Hashable {
  package enum Kind: String, Codable, Sendable, Hashable {
    case guest, node, storage, cluster, backupJob = "backup-job", haResource = "ha-resource"
  }

  package var kind: Kind
  /// `ct:110`, `proxmox`, `TrueNas_NVMe`, `cluster`, …
  package var id: String

  package init(kind: Kind, id: String) {
    self.kind = kind
    self.id = id
  }

  package static func guest(_ g: Guest) -> Subject { Subject(kind: .guest, id: g.sid) }
  package static func node(_ name: String) -> Subject { Subject(kind: .node, id: name) }
  package static let cluster = Subject(kind: .cluster, id: "cluster")
}

/// The kind of change that fixes a finding.
package enum Remediation: String, Codable, Sendable, Hashable {
  case enableHA = "enable-ha"
  case moveToSharedStorage = "move-to-shared-storage"
  case rebalance
  case createBackupJob = "create-backup-job"
  case advice
  case none
}

/// One audit rule: a snapshot and a policy in, findings out. One rule per file under `Rules/`.
///
/// Each rule's doc comment says `Detects:` and `Remediation:`.
package protocol AuditRule: Sendable {
  /// The rule id, e.g. `ha.unprotected`.
  static var id: String { get }
  /// The category it scores into.
  static var category: ScoreCategory { get }
  func findings(in cluster: Cluster, policy: Policy) -> [Finding]
}

/// Score categories of the health report (the seed's section 12).
package enum ScoreCategory: String, Codable, Sendable, Hashable, CaseIterable {
  case nodeBalance = "node-balance"
  case haConfiguration = "ha-configuration"
  case storageHealth = "storage-health"
  case networkQuorum = "network-quorum"
  case disasterRecovery = "disaster-recovery"
  case resourceCapacity = "resource-capacity"

  package var title: String {
    switch self {
    case .nodeBalance: "Node Balance"
    case .haConfiguration: "HA Configuration"
    case .storageHealth: "Storage Health"
    case .networkQuorum: "Network/Quorum"
    case .disasterRecovery: "Disaster Recovery"
    case .resourceCapacity: "Resource Capacity"
    }
  }
}
