import Foundation
import PVEModel
import Planning
import Transport

/// Applies a plan: a dry run unless told to execute.
///
/// The flow is Terraform's saved-plan apply with Ansible's step mode: read the cluster, check every
/// step (stale → refuse before anything runs; satisfied → skip), ask once, then run steps in dependency
/// order (parallel across nodes within limits), verifying each step's effects from a fresh read and
/// polling where Proxmox is asynchronous. Every run is journalled. In a dry run the transport is wrapped
/// in `DryRunTransport` *before* anything, including the cluster read, can use it.
package struct Executor: Sendable {
  /// Reads the cluster through the transport it is given (the dry-run guard in a dry run).
  package typealias ReadCluster = @Sendable (any Transport) async throws -> Cluster
  /// Reads the cluster with at least `facts` fresh (`FactReader`): what the executor calls.
  package typealias ReadFacts =
    @Sendable (any Transport, _ facts: Set<ClusterFact>) async throws -> Cluster

  let transport: any Transport
  let readFacts: ReadFacts
  let clock: any ExecutionClock
  let journal: any JournalSink
  let observer: any ExecutionObserver
  let confirmation: any Confirmation
  let interruption: Interruption
  /// The one-run-per-cluster lock an execute run takes before any other command (nil: none).
  let lock: ClusterLock?

  package init(
    transport: any Transport, readCluster: @escaping ReadCluster, clock: any ExecutionClock,
    journal: any JournalSink, observer: any ExecutionObserver = SilentObserver(),
    confirmation: any Confirmation, interruption: Interruption = Interruption(),
    lock: ClusterLock? = nil
  ) {
    self.init(
      transport: transport, readFacts: { t, _ in try await readCluster(t) }, clock: clock,
      journal: journal, observer: observer, confirmation: confirmation,
      interruption: interruption, lock: lock)
  }

  /// An executor that reads only the facts each check needs (`FactReader.read`).
  package init(
    transport: any Transport, readFacts: @escaping ReadFacts, clock: any ExecutionClock,
    journal: any JournalSink, observer: any ExecutionObserver = SilentObserver(),
    confirmation: any Confirmation, interruption: Interruption = Interruption(),
    lock: ClusterLock? = nil
  ) {
    self.transport = transport
    self.readFacts = readFacts
    self.clock = clock
    self.journal = journal
    self.observer = observer
    self.confirmation = confirmation
    self.interruption = interruption
    self.lock = lock
  }

  /// Runs (or dry-runs) `plan`. Never throws: refusals and failures are in the report, with its exit
  /// code. `planDigest` identifies the plan in the journal (SHA-256 of the plan file's bytes).
  package func apply(
    _ plan: Plan, planDigest: String, planPath: String? = nil, options: ExecutionOptions,
    resume: ResumeState? = nil
  ) async -> ExecutionReport {
    let mode = options.mode
    let transport: any Transport =
      mode == .dryRun ? DryRunTransport(self.transport) : self.transport
    let run = RunJournal(
      journal: journal, clock: clock,
      run: "\(clock.timestamp())/\(mode.rawValue)/\(journal.runCount + 1)")
    var start = run.entry(.runStart)
    start.mode = mode
    start.planDigest = planDigest
    start.planPath = planPath
    start.tool = plan.tool
    start.cluster = plan.cluster
    start.pveMajor = plan.pveMajor
    start.haPlacement = plan.haPlacement
    run.append(start)

    var lines = plan.steps.map {
      ExecutionReport.StepLine(
        id: $0.id, kind: $0.kind, title: $0.title,
        nodes: Set($0.commands.map(\.node)).sorted(), outcome: .notStarted, detail: nil,
        duration: 0)
    }
    var report = ExecutionReport(
      mode: mode, cluster: plan.cluster, planDigest: planDigest, steps: lines, refusal: nil,
      connectionFailure: false, interrupted: false, commandsByNode: [:])

    var lease: ClusterLockLease?
    func finish(_ report: ExecutionReport, notStarted: [String] = []) async -> ExecutionReport {
      if let lease { lockEvent(await lease.release(), run: run) }
      var end = run.entry(.runEnd)
      end.mode = mode
      end.exitCode = report.status.rawValue
      end.outcome =
        report.refusal != nil
        ? "refused"
        : report.status == .success
          ? "succeeded"
          : report.interrupted
            && report.status == .interrupted ? "interrupted" : "failed"
      end.detail = report.refusal?.description
      var counts: [String: Int] = [:]
      for (k, v) in report.counts { counts[k.rawValue] = v }
      end.counts = counts
      end.notStarted = notStarted.isEmpty ? nil : notStarted
      run.append(end)
      observer.handle(.runFinished(report))
      return report
    }

    // 0. One run per cluster: the lock is the first command an execute run sends.
    if mode == .execute, let lock {
      switch await takeLock(lock, run: run, planDigest: planDigest) {
      case .success(let held): lease = held
      case .failure(let refusal):
        report.refusal = refusal
        return await finish(report)
      }
    }

    // 1. Read and check.
    observer.handle(.reading(step: nil))
    let cluster: Cluster
    do {
      cluster = try await readFacts(transport, plan.checkFacts)
    } catch {
      report.refusal = .readFailed(detail: "\(error)", connection: Self.isConnectionFailure(error))
      return await finish(report)
    }
    let check: PlanCheck
    do {
      check = try PlanCheck.check(plan, in: cluster, resume: resume)
    } catch {
      report.refusal = error
      return await finish(report)
    }
    for e in check.entries {
      var c = run.entry(.check)
      c.step = e.step.id
      c.status = e.status.word
      if case .stale(let m) = e.status { c.detail = m.joined(separator: "; ") }
      run.append(c)
    }
    observer.handle(.checked(check))
    for (i, e) in check.entries.enumerated() {
      switch e.status {
      case .satisfied: lines[i].outcome = .satisfied
      case .done: lines[i].outcome = .done
      case .advice: lines[i].outcome = .advice
      case .stale(let m):
        lines[i].outcome = .stale
        lines[i].detail = m.joined(separator: "; ")
      case .ready, .verifyOnly: lines[i].outcome = mode == .dryRun ? .wouldRun : .notStarted
      }
    }
    report.steps = lines
    if check.isStale {
      report.refusal = .stale(check.staleMessages)
      return await finish(report)
    }
    if mode == .dryRun {
      var byNode: [String: [PlannedCommand]] = [:]
      for e in check.entries where e.status == .ready {
        for c in e.step.commands {
          byNode[c.node, default: []].append(PlannedCommand(step: e.step.id, command: c))
        }
      }
      report.commandsByNode = byNode
      return await finish(report)
    }
    let toRun = check.toRun
    if toRun.isEmpty { return await finish(report) }

    // 2. Confirm.
    guard await confirmation.confirmRun(cluster: plan.cluster, steps: toRun.count) else {
      report.refusal = .notConfirmed
      return await finish(report)
    }

    // 3. Run.
    observer.handle(.runStarted(total: toRun.count))
    let outcome = await schedule(
      plan: plan, check: check, transport: transport, options: options, run: run,
      resume: resume)
    for (i, line) in lines.enumerated() {
      if let r = outcome.results[line.id] {
        lines[i].outcome = r.outcome
        lines[i].detail = r.detail
        lines[i].duration = r.duration
      } else if let dependency = outcome.blocked[line.id] {
        lines[i].outcome = .blocked
        lines[i].detail = "not run: step \(dependency) did not succeed"
      } else if let r = outcome.declined[line.id] {
        lines[i].outcome = r
      }
    }
    report.steps = lines
    report.connectionFailure = outcome.results.values.contains { $0.connectionFailure }
    report.interrupted = outcome.interrupted
    return await finish(report, notStarted: outcome.notStarted)
  }

  static func isConnectionFailure(_ error: any Error) -> Bool {
    (error as? TransportError)?.isConnectionFailure ?? false
  }
}

/// Appends entries of one run to the journal.
struct RunJournal: Sendable {
  let journal: any JournalSink
  let clock: any ExecutionClock
  let run: String
  /// Makes this run's detached-command folders unique even when two runs start in the same second
  /// with the same journal count (their ids are in the journal, so nothing needs to re-derive them).
  let token = String(UUID().uuidString.prefix(8)).lowercased()

  func entry(_ event: JournalEntry.Event) -> JournalEntry {
    JournalEntry(event: event, time: clock.timestamp(), run: run)
  }

  func append(_ entry: JournalEntry) { journal.append(entry) }
}
