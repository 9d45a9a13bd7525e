import PVEModel

/// Words shared by the markdown and HTML views.
extension Runbook {
  /// The order rule in one line.
  static let orderRule =
    "DNS, DHCP, the ingress, then the playbook's levels (critical, high, medium, low, then guests it does not name), then VMID"

  /// `failure of node proxmox`.
  static func heading(_ s: Scenario) -> String {
    switch s.kind {
    case .node: "If \(s.title) fails"
    case .storageServer: "If \(s.title) fails"
    case .ingress: "If \(s.title) breaks"
    }
  }

  /// `DNS · critical: DNS (primary)`.
  static func label(_ r: Restore) -> String {
    var parts: [String] = []
    if let role = r.role { parts.append(role.rawValue) }
    if let level = r.level {
      parts.append(r.purpose.map { "\(level): \($0)" } ?? level)
    } else if let purpose = r.purpose {
      parts.append(purpose)
    }
    if r.haManaged { parts.append("HA-managed") }
    return parts.joined(separator: " · ")
  }

  /// How, in one line.
  static func how(_ r: Restore) -> String {
    switch r.method {
    case .moveConfig:
      "its volumes survive: start it on \(r.node ?? "?") (\(r.vcpus) vCPU, \(ByteSize.binary(r.memory)))"
    case .restoreBackup:
      "restore its newest surviving backup onto \(r.node ?? "?"), storage \(r.storage ?? "?") (\(r.vcpus) vCPU, \(ByteSize.binary(r.memory)), \(ByteSize.binary(r.diskSize)) of volumes)"
    case .none: r.problem ?? "cannot be brought back"
    }
  }

  /// A backup's age at the snapshot: `3 d 4 h`, or `just before the snapshot` under a minute.
  static func age(_ seconds: Int64) -> String {
    seconds < 60 ? "just before the snapshot" : Elapsed.age(seconds)
  }

  /// `pbs:backup/ct/133/… (2 d 8 h old, 1.0 GiB, PBS verified ok)`.
  static func archiveLine(_ a: Archive) -> String {
    var facts: [String] = []
    facts.append(
      a.ageSeconds.map { "\(Runbook.age($0)) old at the snapshot" } ?? "age unknown")
    facts.append(ByteSize.binary(a.size))
    if a.pbs { facts.append("PBS, verification \(a.verification ?? "none")") }
    return facts.joined(separator: ", ")
  }

  /// `restore 4 min 2 s + boot 31 s = 4 min 33 s (tested 2025-11-08T03:00:00Z)`, or `untested`.
  static func measuredLine(_ m: Measured?) -> String {
    guard let m else { return "untested" }
    switch m.verdict {
    case .passed:
      var parts: [String] = []
      if let r = m.restoreSeconds { parts.append("restore \(Elapsed.duration(r))") }
      if let b = m.bootSeconds { parts.append("boot \(Elapsed.duration(b))") }
      let total =
        (m.restoreSeconds != nil && m.bootSeconds != nil)
        ? " = \(Elapsed.duration((m.restoreSeconds ?? 0) + (m.bootSeconds ?? 0)))" : ""
      return "\(parts.joined(separator: " + "))\(total) (restore test \(m.testedAt))"
    case .failed:
      return "the last restore test FAILED (\(m.testedAt)): \(m.detail ?? "no detail")"
    case .incomplete:
      return "the last restore test did not finish (\(m.testedAt)); untested"
    }
  }

  /// The shell line of a command, for display.
  static func shell(_ c: RemoteCommand) -> String { DisplayText.sanitize(c.shellLine) }
}
