import ArgumentParser
import Foundation
import PVEModel
import Playbook
import Runbook

/// `pvemend runbook SNAPSHOT [--playbook FILE] [--format markdown|html|json] [--out FILE]`: the
/// disaster-recovery runbook of the cluster, from data.
///
/// The CLI is the I/O edge: it reads the snapshot, the playbook and restore-test journals (and the plans they ran);
/// `Runbook` does the rest.
struct RunbookCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "runbook",
    abstract:
      "The disaster-recovery runbook: per failure, what stops, what HA recovers, what to restore by hand and how.",
    discussion: """
      One section per failure: each online node (played out as 'pvemend rehearse' does), each shared storage server (every NFS/CIFS/PBS pool with that server: every running guest with a volume there stops, and HA cannot help), and the ingress (the guests the playbook's critical entries call a reverse proxy, ingress or load balancer, or tagged 'ingress'). For each: what stops, what HA recovers by itself and where, what it does not and why, and what must be brought back by hand, in order: DNS, DHCP, the ingress (from the purpose of the playbook's critical entries, else the tags dns, dhcp, ingress), then the playbook's levels, then VMID.

      For each guest brought back by hand, the exact commands: when its volumes survive (shared storage), its config moved to a survivor with room (vCPUs, memory under capacity.memory_reserve after HA's recoveries) and started; when they are lost, its newest backup that survives the failure (not on the failed node's local storage, not on the failed server), restored over its original VMID onto a storage with room — 'qmrestore ARCHIVE VMID --storage S' or 'pct restore VMID ARCHIVE --storage S', after moving its old config aside to /root (qmrestore refuses a VMID whose config sits on another node, and --force would try to destroy volumes on storage that is gone), or with '--force 1' over a broken guest whose storage is intact (the ingress scenario); HA-managed guests are set to 'disabled' first and 'started' at the end. The backup's age is measured at the snapshot's collectedAt. Guests with no backup, or whose every backup is lost with the failure, are said so loudly. Measured restore and boot times come from restore-test journals (--restore-tests); without them every time is 'untested'.

      Nothing is run: the commands are for a person to read and run. The same snapshot, playbook and journals always give the same bytes.

      Exit codes:
        0   the runbook was written
        2   bad input: the snapshot, playbook, a restore-test journal or the plan it ran cannot be read or decoded, or --out cannot be written
        64  bad command line
      """)

  enum Format: String, CaseIterable, ExpressibleByArgument {
    case markdown, html, json
  }

  @Argument(help: "The snapshot file (pvemend-snapshot/1 JSON), or '-' for standard input.")
  var snapshot: String

  @Option(
    help: ArgumentHelp(
      "A playbook (YAML): critical levels and purposes (the restore order), capacity.memory_reserve.",
      discussion:
        "Its critical entries' purposes name the DNS, DHCP and ingress guests (words 'DNS', 'DHCP', 'reverse proxy', 'ingress', 'load balancer'); without a playbook the built-in default policy is used.",
      valueName: "file"))
  var playbook: String?

  @Option(
    help: ArgumentHelp(
      "Output format: markdown, html or json.",
      discussion:
        "html is one self-contained page (inline CSS, no script, nothing fetched), printable; json is the Runbook document (format pvemend-runbook/1)."
    ))
  var format: Format = .markdown

  @Option(
    name: .customLong("restore-tests"), parsing: .upToNextOption,
    help: ArgumentHelp(
      "Journals of executed restore-test plans (PLAN.journal.jsonl): measured restore and boot times.",
      discussion:
        "The same journals 'pvemend audit --restore-tests' reads; each is read with the plan it ran (its run-start's plan path, or the journal's name without .journal.jsonl). The newest test per guest wins. Without them every restore time is 'untested'.",
      valueName: "journal"))
  var restoreTests: [String] = []

  @Option(
    help: ArgumentHelp(
      "Write to this file instead of standard output.",
      discussion: "The file is replaced; a path that cannot be written is bad input (exit 2).",
      valueName: "file"))
  var out: String?

  func run() throws {
    let book: Runbook
    do {
      let input = try ClusterInput.load(snapshot: snapshot, playbook: playbook)
      let records = try RestoreTestJournals.records(restoreTests)
      book = Runbook(cluster: input.cluster, policy: input.policy, records: records)
    } catch {
      CLIFiles.standardError("pvemend runbook: \(error)\n")
      throw ExitCode(ExitStatus.badInput)
    }
    let text: String
    switch format {
    case .markdown: text = RunbookMarkdownView.render(book)
    case .html: text = RunbookHTMLView.render(book)
    case .json: text = book.json()
    }
    guard let out else {
      CLIFiles.standardOutput(text)
      return
    }
    do {
      try Data(text.utf8).write(to: URL(fileURLWithPath: out))
    } catch {
      CLIFiles.standardError(
        "pvemend runbook: \(out): cannot write the runbook (\(error.localizedDescription)); check the path\n"
      )
      throw ExitCode(ExitStatus.badInput)
    }
  }
}
