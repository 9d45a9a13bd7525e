import ArgumentParser
import Execution
import Foundation
import Planning

/// `pvemend apply PLAN`: a dry run unless `--execute`.
struct ApplyCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "apply",
    abstract: "Check a plan against the cluster and, with --execute, run it.",
    discussion: """
      Without --execute this is a dry run: it reads the cluster (read-only commands only; the \
      transport refuses anything else), checks every step's preconditions, and prints per node the \
      exact commands it would run, the steps already satisfied (skipped) and the stale ones. A stale \
      plan is refused before anything runs.

      With --execute it prints the same summary and asks "Type 'yes' to apply N steps to cluster X"; \
      --yes skips the question (required without a terminal). Steps run in dependency order, in \
      parallel across nodes (--parallel, never two mutating steps on one node), each verified from a \
      fresh read; HA migrations are polled until the guest is on its target. The first failure stops \
      new steps; running ones finish. Ctrl-C stops after the running steps' commands; a second \
      Ctrl-C exits at once.

      One run per cluster: --execute first takes the lock /etc/pve/priv/lock/pvemend (as \
      Proxmox's cfs_lock does), renews it while it runs and releases it at the end. Another run \
      holding it refuses this one before any command (exit 3), naming who holds it; --break-lock \
      breaks only a lock not renewed for 120 s (its run is gone). Dry runs take no lock.

      On a terminal each running step has a line updated in place (elapsed time, Proxmox's latest \
      progress line, what it waits for); otherwise every event is a timestamped line.

      Long commands (disk moves, migrations) run detached on the node, so a dropped connection \
      does not stop them: pvemend re-attaches and follows their output. A node unreachable for \
      longer than --reconnect-timeout leaves its step unknown (exit 1).

      Every run appends JSON lines to PLAN.journal.jsonl (or --journal FILE). --resume JOURNAL \
      continues a stopped run: steps the journal says finished are verified, not run again, and an \
      unknown step is settled from its detached record on the node, never started twice.

      \(ExitStatus.help)
      """)

  @Argument(help: "The plan file written by 'pvemend plan'.")
  var plan: String

  @OptionGroup var run: RunOptionsGroup

  @Option(help: ArgumentHelp("Continue the run recorded in this journal.", valueName: "journal"))
  var resume: String?

  func run() async throws {
    let (decoded, data) = try PlanLoading.load(plan, command: "apply")
    let digest = PlanDigest.of(data)
    let journalPath = run.journal ?? resume ?? plan + ".journal.jsonl"
    var resumeState: ResumeState?
    if let resume {
      do {
        let entries = try JournalFile.read(path: resume)
        resumeState = try ResumeState.from(entries, planDigest: digest, file: resume)
      } catch {
        printError("pvemend apply: \(error)")
        throw ExitCode(ExitStatus.code(error.status))
      }
    }
    let code = await PlanRun.execute(
      decoded, digest: digest, planPath: plan, journalPath: journalPath, options: run,
      resume: resumeState)
    if code != 0 { throw ExitCode(code) }
  }
}
