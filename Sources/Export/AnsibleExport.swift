import PVEModel
import Planning

/// The plan as an Ansible playbook: one `ansible.builtin.command` task per command, with `argv`,
/// delegated to the command's node, in plan order.
///
/// The play runs on `localhost` and delegates every task to a node, so the inventory only has to list
/// the nodes by their Proxmox names (with `ansible_host` where DNS does not know them). Every argv item
/// is tagged `!unsafe`, so Ansible never templates a hostile guest name; task names are stripped of
/// template braces. HA migrations get an `until` task that polls `ha-manager status`.
package enum AnsibleExport {
  package static func render(_ plan: Plan, digest: String) -> String {
    let c: (String) -> String = { DisplayText.oneLine($0, limit: .max) }
    var o: [String] = []
    o.append("# pvemend plan for cluster \(c(plan.cluster)): REVIEW BEFORE RUNNING.")
    o.append("#")
    o.append("# Plan digest: \(c(digest)) (SHA-256 of the plan file's bytes)")
    o.append("# Plan date:   \(c(plan.createdAt)) (when its snapshot was collected)")
    o.append(
      "# Made by:     \(c(plan.tool)) with playbook \(c(plan.playbook.name)) (\(c(plan.playbook.path)))"
    )
    o.append("#")
    o.append("# Inventory: every node under its Proxmox name, for example inventory.ini:")
    o.append("#   [pvemend_nodes]")
    for n in PlanExport.nodes(plan) { o.append("#   \(c(n)) ansible_user=root") }
    o.append("# Review:  ansible-playbook -i inventory.ini THIS_FILE --list-tasks")
    o.append("# Run:     ansible-playbook -i inventory.ini THIS_FILE")
    o.append("# Tasks run one at a time in plan order; the play stops at the first failure.")
    o.append(
      "# 'pvemend apply' also refuses a stale plan and skips done steps; this playbook does not.")
    o.append("- name: \(quote(name("pvemend plan for cluster \(plan.cluster) (\(digest))")))")
    o.append("  hosts: localhost")
    o.append("  gather_facts: false")
    o.append("  any_errors_fatal: true")
    o.append("  tasks:")
    var tasks = 0
    for step in plan.steps {
      if step.kind != .advice, step.commands.isEmpty, let wait = step.wait,
        wait.kind == Wait.agentPing, let vmid = PlanExport.agentVMID(wait)
      {
        // A restore test's guest agent wait: `qm agent VMID ping` until it answers.
        let delay = 5
        o.append("    - name: \(quote(name("\(step.id) \(step.title)")))")
        o.append("      ansible.builtin.command:")
        o.append("        argv:")
        for arg in ["qm", "agent", "\(vmid)", "ping"] {
          o.append("          - !unsafe \(quote(arg))")
        }
        o.append("      delegate_to: !unsafe \(quote(wait.node))")
        o.append("      register: pvemend_agent_ping")
        o.append("      changed_when: false")
        o.append("      until: pvemend_agent_ping.rc == 0")
        o.append("      retries: \(max(1, (wait.timeoutSeconds + delay - 1) / delay))")
        o.append("      delay: \(delay)")
        tasks += 1
        continue
      }
      if step.kind == .advice || step.commands.isEmpty {
        o.append("    - name: \(quote(name("\(step.id) advice: \(step.title)")))")
        o.append("      ansible.builtin.debug:")
        o.append(
          "        msg: !unsafe \(quote(DisplayText.sanitize(step.detail ?? step.title, keepNewlines: true)))"
        )
        tasks += 1
        continue
      }
      for (i, command) in step.commands.enumerated() {
        let part = step.commands.count > 1 ? " [\(i + 1)/\(step.commands.count)]" : ""
        o.append("    - name: \(quote(name("\(step.id) \(step.title)\(part)")))")
        o.append("      ansible.builtin.command:")
        o.append("        argv:")
        for arg in command.argv { o.append("          - !unsafe \(quote(arg))") }
        o.append("      delegate_to: !unsafe \(quote(command.node))")
        o.append("      changed_when: \(command.mutating ? "true" : "false")")
        tasks += 1
      }
      if let wait = step.wait {
        let node = step.commands.first?.node ?? wait.node
        let states = wait.kind == "ha-state" ? wait.state.map { [$0] } : nil
        o.append(
          "    - name: \(quote(name("\(step.id) wait until \(wait.sid) is \(states?.first ?? "settled") on \(wait.node)")))"
        )
        if let pattern = settledPattern(sid: wait.sid, node: wait.node, states: states) {
          let delay = 5
          o.append("      ansible.builtin.command:")
          o.append("        argv:")
          o.append("          - ha-manager")
          o.append("          - status")
          o.append("      delegate_to: !unsafe \(quote(node))")
          o.append("      register: pvemend_ha_status")
          o.append("      changed_when: false")
          o.append("      until: \(quote("pvemend_ha_status.stdout is regex('\(pattern)')"))")
          o.append("      retries: \(max(1, (wait.timeoutSeconds + delay - 1) / delay))")
          o.append("      delay: \(delay)")
        } else {
          o.append("      ansible.builtin.fail:")
          o.append(
            "        msg: \(quote("unexpected characters in sid or node name; wait for the HA migration by hand"))"
          )
        }
        tasks += 1
      }
    }
    if tasks == 0 {
      o.append("    - name: nothing to do")
      o.append("      ansible.builtin.debug:")
      o.append("        msg: the plan has no steps")
    }
    return o.joined(separator: "\n") + "\n"
  }

  /// A regex matching `service <sid> (<node>, started|stopped|disabled|ignored)` in `ha-manager
  /// status`, with no backslashes (brackets instead) so that YAML and Jinja leave it alone; nil for
  /// names outside `[A-Za-z0-9:._-]`.
  static func settledPattern(sid: String, node: String, states: [String]? = nil) -> String? {
    func literal(_ s: String) -> String? {
      var out = ""
      for ch in s {
        guard ch.isASCII, ch.isLetter || ch.isNumber || ":_-.".contains(ch) else { return nil }
        out += ch == "." ? "[.]" : String(ch)
      }
      return out
    }
    let wanted = states ?? ["started", "stopped", "disabled", "ignored"]
    let alternatives = wanted.compactMap(literal)
    guard let s = literal(sid), let n = literal(node), alternatives.count == wanted.count else {
      return nil
    }
    return "(?m)^service \(s) [(]\(n), (\(alternatives.joined(separator: "|")))[)]$"
  }

  /// A task name: one line, no template braces.
  static func name(_ text: String) -> String {
    String(
      DisplayText.oneLine(text, limit: .max).map { ch in ch == "{" ? "(" : ch == "}" ? ")" : ch })
  }

  /// A YAML double-quoted scalar: the exact value, with every character `DisplayText.isUnsafe`
  /// names written as a YAML escape (`\n`, `\x1b`, `\u202e`), so none reaches the file raw.
  static func quote(_ text: String) -> String {
    var out = "\""
    for scalar in text.unicodeScalars {
      switch scalar {
      case "\"": out += "\\\""
      case "\\": out += "\\\\"
      case "\n": out += "\\n"
      case "\t": out += "\\t"
      case "\r": out += "\\r"
      default:
        if scalar.value <= 0xFF && DisplayText.isUnsafe(scalar) {
          let hex = String(scalar.value, radix: 16)
          out += "\\x" + (hex.count < 2 ? "0" : "") + hex
        } else if DisplayText.isUnsafe(scalar) {
          let hex = String(scalar.value, radix: 16)
          let width = scalar.value <= 0xFFFF ? 4 : 8
          out +=
            (width == 4 ? "\\u" : "\\U") + String(repeating: "0", count: width - hex.count) + hex
        } else {
          out.unicodeScalars.append(scalar)
        }
      }
    }
    return out + "\""
  }
}
