import Foundation
import PVEModel
import Planning
import Transport

extension Executor {
  /// Runs one step: fresh read, skip if satisfied, refuse if stale, commands in order on their nodes,
  /// then verification of the effects (polling for asynchronous ones).
  func runStep(
    _ step: Step, verifyOnly: Bool, index: Int, total: Int, transport: any Transport,
    options: ExecutionOptions, run: RunJournal, pending: ResumeState.PendingCommand? = nil
  ) async -> StepResult {
    let started = clock.monotonic()
    var begin = run.entry(.stepStart)
    begin.step = step.id
    begin.kind = step.kind
    begin.title = step.title
    begin.nodes = StepScheduler.nodes(of: step).sorted()
    begin.count = step.commands.count
    begin.detail =
      pending.map {
        "settling command \($0.index) from an earlier run (\($0.directory)); never run again"
      } ?? (verifyOnly ? "verify only: its commands ran in an earlier run" : nil)
    run.append(begin)
    observer.handle(.stepStarted(step, index: index, total: total))

    func end(_ outcome: StepOutcome, _ detail: String?, connection: Bool = false) -> StepResult {
      let duration = clock.monotonic() - started
      var e = run.entry(.stepEnd)
      e.step = step.id
      e.kind = step.kind
      e.title = step.title
      e.outcome = outcome.rawValue
      e.detail = detail
      e.duration = duration
      if outcome == .succeeded {
        e.inverse = step.inverse
        e.preconditions = step.preconditions
        e.effects = step.effects
        e.wait = step.wait
        e.nodes = Set(step.commands.map(\.node)).sorted()
      }
      run.append(e)
      observer.handle(.stepFinished(step: step.id, outcome, detail: detail, duration: duration))
      return StepResult(
        id: step.id, outcome: outcome, detail: detail, duration: duration,
        connectionFailure: connection)
    }

    var firstCommand = 0
    if let pending {
      observer.handle(.reading(step: step.id))
      switch await settleDetached(
        pending, step: step, transport: transport, options: options, run: run)
      {
      case .endStep(let outcome, let detail, let connection):
        return end(outcome, detail, connection: connection)
      case .result(let result):
        if !result.succeeded {
          let how =
            result.exitSignal.map { "was killed by SIG\($0)" } ?? "exited \(result.exitStatus)"
          return end(
            .failed, "\(pending.node): command \(pending.index) (\(pending.directory)) \(how)")
        }
        firstCommand = pending.index + 1
      }
    }
    if !verifyOnly || (pending != nil && firstCommand < step.commands.count) {
      observer.handle(.reading(step: step.id))
      let cluster: Cluster
      do {
        cluster = try await readFacts(transport, step.checkFacts)
      } catch {
        return end(
          .failed, "cannot read the cluster state before the step: \(error)",
          connection: Self.isConnectionFailure(error))
      }
      // A resumed step's first commands ran: its preconditions may no longer hold; go on.
      if pending == nil && !step.effects.isEmpty
        && step.effects.allSatisfy({ $0.holds(in: cluster) })
      {
        return end(.satisfied, "its effects hold already; nothing ran")
      }
      let stale =
        pending != nil ? [] : PlanCheck.mismatches(step.preconditions, stepID: step.id, in: cluster)
      if !stale.isEmpty {
        return end(.stale, stale.joined(separator: "; ") + "; nothing ran, plan again")
      }
      for (i, command) in step.commands.enumerated() where i >= firstCommand {
        observer.handle(.commandStarted(step: step.id, command))
        var entry = run.entry(.command)
        entry.step = step.id
        entry.node = command.node
        entry.argv = command.argv
        entry.mutating = command.mutating
        entry.index = i
        entry.count = step.commands.count
        let t0 = clock.monotonic()
        let result: CommandResult
        let detached = options.detach != nil && command.mutating
        if let detach = options.detach, command.mutating {
          switch await runDetached(
            command, index: i, step: step, detach: detach, transport: transport, run: run,
            entry: &entry)
          {
          case .result(let r): result = r
          case .endStep(let outcome, let detail, let connection):
            return end(outcome, detail, connection: connection)
          }
        } else {
          do {
            result = try await transport.run(
              command, options: RunOptions(timeout: options.commandTimeout))
          } catch {
            entry.duration = clock.monotonic() - t0
            entry.hostKey = await transport.hostKeyFingerprint(node: command.node)
            entry.detail = "\(error)"
            run.append(entry)
            return end(
              .failed, "\(error)", connection: Self.isConnectionFailure(error))
          }
        }
        entry.duration =
          detached
          ? entry.duration ?? 0 : result.duration > 0 ? result.duration : clock.monotonic() - t0
        entry.hostKey = await transport.hostKeyFingerprint(node: command.node)
        entry.exitStatus = result.exitStatus
        entry.exitSignal = result.exitSignal
        entry.stdoutTail = Self.tail(result.stdout, bytes: options.tailBytes)
        entry.stderrTail = Self.tail(result.stderr, bytes: options.tailBytes)
        run.append(entry)
        for line in detached ? [] : result.stdoutText.split(separator: "\n") {
          observer.handle(
            .output(step: step.id, node: command.node, line: String(line), stderr: false))
        }
        for line in detached ? [] : result.stderrText.split(separator: "\n") {
          observer.handle(
            .output(step: step.id, node: command.node, line: String(line), stderr: true))
        }
        observer.handle(.commandFinished(step: step.id, command, result))
        if !result.succeeded {
          let how =
            result.exitSignal.map { "was killed by SIG\($0)" } ?? "exited \(result.exitStatus)"
          let why = result.stderrText.split(separator: "\n").last.map { ": \($0)" } ?? ""
          return end(
            .failed,
            "\(command.node): '\(command.shellLine)' \(how)\(why); the following commands of the "
              + "step did not run")
        }
      }
    }
    if step.effects.isEmpty && step.wait == nil { return end(.succeeded, nil) }
    return await verify(step, transport: transport, options: options, end: end)
  }

  /// Reads the cluster until the step's effects (and its wait) hold; fails on HA `error` and on timeout.
  func verify(
    _ step: Step, transport: any Transport, options: ExecutionOptions,
    end: (StepOutcome, String?, Bool) -> StepResult
  ) async -> StepResult {
    let timeout = step.wait.map { Double($0.timeoutSeconds) } ?? options.verifyTimeout
    let t0 = clock.monotonic()
    if let wait = step.wait, wait.kind == Wait.agentPing {
      return await waitForAgent(
        step, wait, timeout: timeout, transport: transport, options: options, end: end)
    }
    // The first read takes in every fact of the effects and the wait; polls only those of what is
    // still missing (in practice the asynchronous ones: placement and the CRM's state).
    var facts = step.verifyFacts
    while true {
      observer.handle(.reading(step: step.id))
      let cluster: Cluster
      do {
        cluster = try await readFacts(transport, facts)
      } catch {
        return end(
          .failed, "cannot read the cluster state to verify the step: \(error)",
          Self.isConnectionFailure(error))
      }
      let missing = Self.missing(step, in: cluster)
      if missing.isEmpty { return end(.succeeded, nil, false) }
      facts = Self.pollFacts(step, in: cluster)
      if let sid = Self.haErrorSID(step, in: cluster) {
        return end(
          .failed,
          "\(sid) is in HA state error; see 'ha-manager status' and the task log on the node, fix the "
            + "cause, then 'ha-manager set \(sid) --state disabled' to clear it", false)
      }
      let elapsed = clock.monotonic() - t0
      if interruption.isTriggered {
        return end(
          .interrupted,
          "its commands ran; not verified yet (\(missing.joined(separator: "; "))); "
            + "resume with --resume to verify it", false)
      }
      if elapsed >= timeout {
        return end(
          .failed,
          "its commands ran, but after \(Int(timeout)) s the cluster still shows "
            + "\(missing.joined(separator: "; ")); check the node's task log", false)
      }
      observer.handle(
        .waiting(step: step.id, detail: missing.joined(separator: "; "), elapsed: elapsed))
      do {
        try await clock.sleep(seconds: options.pollInterval)
      } catch {
        return end(.interrupted, "cancelled while waiting for its effects", false)
      }
    }
  }

  /// Repeats `qm agent <vmid> ping` on the wait's node until it answers (the guest agent booted),
  /// the timeout passes, or the run is interrupted.
  func waitForAgent(
    _ step: Step, _ wait: Wait, timeout: Double, transport: any Transport,
    options: ExecutionOptions, end: (StepOutcome, String?, Bool) -> StepResult
  ) async -> StepResult {
    let t0 = clock.monotonic()
    let vmid = wait.sid.split(separator: ":").last.map(String.init) ?? wait.sid
    let ping = RemoteCommand(
      node: wait.node, argv: ["qm", "agent", vmid, "ping"], mutating: true)
    var last = ""
    while true {
      do {
        let result = try await transport.run(
          ping, options: RunOptions(timeout: options.commandTimeout))
        if result.succeeded { return end(.succeeded, nil, false) }
        last =
          result.stderrText.split(separator: "\n").last.map(String.init)
          ?? "exit \(result.exitStatus)"
      } catch {
        return end(
          .failed, "\(wait.node): '\(ping.shellLine)': \(error)", Self.isConnectionFailure(error))
      }
      let elapsed = clock.monotonic() - t0
      if interruption.isTriggered {
        return end(.interrupted, "the guest agent of \(wait.sid) has not answered yet", false)
      }
      if elapsed >= timeout {
        return end(
          .failed,
          "the guest agent of \(wait.sid) did not answer '\(ping.shellLine)' within \(Int(timeout)) s (\(last))",
          false)
      }
      observer.handle(
        .waiting(step: step.id, detail: "guest agent of \(wait.sid) (\(last))", elapsed: elapsed))
      do {
        try await clock.sleep(seconds: options.pollInterval)
      } catch {
        return end(.interrupted, "cancelled while waiting for the guest agent", false)
      }
    }
  }

  /// What is not there yet: each unmet effect, and the wait (guest on its target, HA settled).
  static func missing(_ step: Step, in cluster: Cluster) -> [String] {
    var out = step.effects.filter { !$0.holds(in: cluster) }.map {
      "\($0.expectation) (\($0.observation(in: cluster)))"
    }
    if let wait = step.wait {
      let on = Condition(.guestOnNode, sid: wait.sid, node: wait.node)
      if !on.holds(in: cluster) && !step.effects.contains(on) {
        out.append("\(on.expectation) (\(on.observation(in: cluster)))")
      }
      let live = Condition.liveHAState(wait.sid, in: cluster)
      if wait.kind == "ha-state", let state = wait.state {
        if live.map({ $0 == state || ($0 == "started" && state == "enabled") }) != true {
          out.append("\(wait.sid) in HA state \(state) (HA state \(live ?? "none"))")
        }
      } else {
        let settled = Condition(.haSettled, sid: wait.sid)
        if !settled.holds(in: cluster) && !step.effects.contains(settled) {
          out.append("\(settled.expectation) (\(settled.observation(in: cluster)))")
        }
      }
    }
    return out
  }

  /// What a poll reads: the facts of the effects (and wait) that do not hold yet, and the live HA
  /// state of the step's services (an HA `error` ends the wait).
  static func pollFacts(_ step: Step, in cluster: Cluster) -> Set<ClusterFact> {
    var facts = step.effects.filter { !$0.holds(in: cluster) }.reduce(into: Set<ClusterFact>()) {
      $0.formUnion($1.facts)
    }
    if let wait = step.wait { facts.formUnion(wait.facts) }
    if step.verifyFacts.contains(.haStatus) { facts.formUnion(Condition.liveHAStateFacts) }
    return facts
  }

  /// The sid of the step's HA service when its live state is `error`.
  static func haErrorSID(_ step: Step, in cluster: Cluster) -> String? {
    var sids = step.effects.filter {
      [.haSettled, .haManaged, .guestOnNode].contains($0.kind)
    }.compactMap(\.sid)
    if let wait = step.wait { sids.insert(wait.sid, at: 0) }
    return sids.first { Condition.liveHAState($0, in: cluster) == "error" }
  }

  /// The last `bytes` of `data` as text (at a line start when possible); nil when empty.
  static func tail(_ data: Data, bytes: Int) -> String? {
    guard !data.isEmpty else { return nil }
    guard data.count > bytes else { return String(decoding: data, as: UTF8.self) }
    var slice = data.suffix(bytes)
    if let nl = slice.firstIndex(of: 0x0A), nl < slice.endIndex - 1 {
      slice = slice[slice.index(after: nl)...]
    }
    return "…" + String(decoding: slice, as: UTF8.self)
  }
}
