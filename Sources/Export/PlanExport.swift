import PVEModel
import Planning

/// The export formats of `pvemend export`.
package enum ExportFormat: String, Sendable, Hashable, CaseIterable {
  /// A bash script, itself a dry run unless run with `--execute`.
  case sh
  /// An Ansible playbook, one `ansible.builtin.command` task per command.
  case ansible
  /// A change-request document.
  case markdown

  /// The file extension for `--out` defaults.
  package var fileExtension: String {
    switch self {
    case .sh: "sh"
    case .ansible: "yml"
    case .markdown: "md"
    }
  }
}

/// Renders a plan for people and tools outside pvemend. Pure: the plan and its digest in, text out.
///
/// `digest` identifies the plan in every header; `pvemend export` passes `sha256:<hex>` of the plan
/// file's bytes (the same digest `apply` writes to the journal), so a script can be traced to the
/// reviewed plan file.
package enum PlanExport {
  package static func render(_ plan: Plan, format: ExportFormat, digest: String) -> String {
    switch format {
    case .sh: ShellScriptExport.render(plan, digest: digest)
    case .ansible: AnsibleExport.render(plan, digest: digest)
    case .markdown: MarkdownExport.render(plan, digest: digest)
    }
  }

  /// `2 min`, `45 s`, `none`.
  /// The VMID of a guest agent wait (`vm:99901` → 99901); nil for anything but `vm:<digits>`.
  static func agentVMID(_ wait: Wait) -> Int? {
    guard wait.sid.hasPrefix("vm:") else { return nil }
    let digits = wait.sid.dropFirst(3)
    guard !digits.isEmpty, digits.allSatisfy({ $0.isASCII && $0.isNumber }) else { return nil }
    return Int(digits)
  }

  static func downtime(_ seconds: Int) -> String {
    if seconds <= 0 { return "none" }
    if seconds < 120 { return "\(seconds) s" }
    return "\(seconds / 60) min"
  }

  /// `ct:110 not HA-managed; …` for a condition list.
  static func conditions(_ list: [Condition]) -> String {
    list.isEmpty ? "-" : list.map(\.expectation).joined(separator: "; ")
  }

  /// The inverse commands as shell lines with their nodes.
  static func inverse(_ step: Step) -> [String] {
    step.inverse.map { "\($0.shellLine)   (on \($0.node))" }
  }

  /// The nodes a plan names, sorted.
  static func nodes(_ plan: Plan) -> [String] {
    var set = Set<String>()
    for s in plan.steps {
      for c in s.commands + s.inverse { set.insert(c.node) }
    }
    return set.sorted()
  }
}
