import Foundation
import PVEModel
import Planning
import Transport

/// How a detached command ended for the step: a result to judge like any command's, or an end of
/// the step (unknown, interrupted, failed) already journalled.
enum DetachedCommandOutcome: Sendable {
  case result(CommandResult)
  case endStep(StepOutcome, String, connection: Bool = false)
}

extension Executor {
  /// The detached-run id of a journal run: its name made path-safe.
  static func detachedRun(_ run: RunJournal) -> String {
    DetachedID.component(run.run) + "-" + run.token
  }

  /// Runs one mutating command detached: journals `command-launch` (with its folder) BEFORE
  /// sending it, streams its output lines to the observer as they arrive, follows it across
  /// connection losses, and on Ctrl-C stops following (the command runs on, detached).
  func runDetached(
    _ command: RemoteCommand, index: Int, step: Step, detach: DetachOptions,
    transport: any Transport, run: RunJournal, entry: inout JournalEntry
  ) async -> DetachedCommandOutcome {
    let detached = DetachedExecution(
      transport: transport, root: detach.root,
      reconnectTimeout: .milliseconds(Int64(detach.reconnectTimeout * 1000)))
    let id = DetachedID(run: Self.detachedRun(run), command: "\(step.id).\(index)")
    var launch = run.entry(.commandLaunch)
    launch.step = step.id
    launch.node = command.node
    launch.argv = command.argv
    launch.mutating = true
    launch.index = index
    launch.count = step.commands.count
    launch.detached = detached.directory(id)
    run.append(launch)
    entry.detached = detached.directory(id)
    let stop: @Sendable () -> Bool = { [interruption] in interruption.isTriggered }
    return await follow(
      step: step, command: command, entry: &entry, run: run, detached: detached
    ) { output in
      do {
        return .success(try await detached.start(command, id: id, output: output, stop: stop))
      } catch {
        return .failure(
          error as? DetachedError
            ?? .launchFailed(node: command.node, directory: "", detail: "\(error)"))
      }
    }
  }

  /// Settles a command an earlier run launched but never saw end: reads its status on the node
  /// (and the Proxmox task's state when the wrapper left none), re-attaches when it still runs,
  /// launches it only if the node says it never started. Never runs it a second time.
  func settleDetached(
    _ pending: ResumeState.PendingCommand, step: Step, transport: any Transport,
    options: ExecutionOptions, run: RunJournal
  ) async -> DetachedCommandOutcome {
    guard step.commands.indices.contains(pending.index) else {
      return .endStep(
        .failed,
        "the journal names command \(pending.index) of step \(step.id), "
          + "which the plan does not have; was the plan changed?")
    }
    let command = step.commands[pending.index]
    var parts = pending.directory.split(separator: "/", omittingEmptySubsequences: false)
      .map(String.init)
    guard parts.count >= 3 else {
      return .endStep(.failed, "bad detached folder '\(pending.directory)' in the journal")
    }
    let id = DetachedID(run: parts[parts.count - 2], command: parts[parts.count - 1])
    parts.removeLast(2)
    let detached = DetachedExecution(
      transport: transport, root: parts.joined(separator: "/"),
      reconnectTimeout: .milliseconds(
        Int64((options.detach?.reconnectTimeout ?? 300) * 1000)))
    var entry = run.entry(.command)
    entry.step = step.id
    entry.node = command.node
    entry.argv = command.argv
    entry.mutating = command.mutating
    entry.index = pending.index
    entry.count = step.commands.count
    entry.detached = pending.directory

    let state: (status: DetachedStatus, upid: String?, logBytes: Int)
    do {
      state = try await detached.status(node: command.node, id: id)
    } catch {
      entry.detail = "cannot read the status of \(pending.directory): \(error)"
      entry.unknown = true
      run.append(entry)
      return .endStep(.unknown, entry.detail ?? "")
    }
    switch state.status {
    case .finished(let status, let signal):
      entry.exitStatus = status
      entry.exitSignal = signal
      entry.detail = nil
      if let upid = state.upid { entry.upids = [upid] }
      run.append(entry)
      return .result(
        CommandResult(stdout: Data(), stderr: Data(), exitStatus: status, exitSignal: signal))
    case .running, .neverStarted:
      // Still running: follow it to its end. Never started: the node has no folder, so it never
      // ran; launching it now is its first run (the node's mkdir still refuses a second).
      let neverStarted = state.status == .neverStarted
      if neverStarted {
        var launch = run.entry(.commandLaunch)
        launch.step = step.id
        launch.node = command.node
        launch.argv = command.argv
        launch.mutating = true
        launch.index = pending.index
        launch.count = step.commands.count
        launch.detached = pending.directory
        launch.detail = "the node has no folder for it: it never started; starting it now"
        run.append(launch)
      }
      let stop: @Sendable () -> Bool = { [interruption] in interruption.isTriggered }
      return await follow(
        step: step, command: command, entry: &entry, run: run, detached: detached
      ) { output in
        do {
          return .success(
            neverStarted
              ? try await detached.start(command, id: id, output: output, stop: stop)
              : try await detached.attach(node: command.node, id: id, output: output, stop: stop))
        } catch {
          return .failure(
            error as? DetachedError
              ?? .launchFailed(node: command.node, directory: "", detail: "\(error)"))
        }
      }
    case .lost(let pid):
      var detail =
        "\(command.node): the command in \(pending.directory) (pid \(pid.map(String.init) ?? "-")) "
        + "ended without writing its status"
      if let upid = state.upid,
        let task = try? await detached.taskStatus(node: command.node, upid: upid), !task.isEmpty
      {
        entry.upids = [upid]
        if task["status"] == "stopped", task["exitstatus"] == "OK" {
          entry.exitStatus = 0  // settled from the Proxmox task: stopped, OK
          run.append(entry)
          return .result(CommandResult(stdout: Data(), stderr: Data(), exitStatus: 0))
        }
        detail +=
          "; Proxmox task \(upid) is \(task["status"] ?? "?") (\(task["exitstatus"] ?? "-"))"
      }
      entry.detail = detail + "; check the node's task log and the guest's lock"
      entry.unknown = true
      run.append(entry)
      return .endStep(.unknown, entry.detail ?? detail)
    }
  }

  /// Follows a detached command (streaming its lines to the observer), stops following on Ctrl-C,
  /// and turns its end into a result or a journalled end of the step.
  private func follow(
    step: Step, command: RemoteCommand, entry: inout JournalEntry, run: RunJournal,
    detached: DetachedExecution,
    _ body:
      @escaping @Sendable (@escaping RunOptions.Output) async -> Result<
        DetachedResult, DetachedError
      >
  ) async -> DetachedCommandOutcome {
    let lines = LineStream { line, stderr in
      self.observer.handle(.output(step: step.id, node: command.node, line: line, stderr: stderr))
    }
    let t0 = clock.monotonic()
    let interruption = self.interruption
    let outcome: Result<DetachedResult, DetachedError> = await withTaskGroup(
      of: Result<DetachedResult, DetachedError>?.self
    ) { group in
      group.addTask {
        await body { data, stderr in lines.receive(data, stderr: stderr) }
      }
      group.addTask {
        while !interruption.isTriggered && !Task.isCancelled {
          try? await Task.sleep(for: .milliseconds(200))
        }
        return nil
      }
      var result: Result<DetachedResult, DetachedError>?
      while let next = await group.next() {
        if let next {
          result = next
          group.cancelAll()
        } else if interruption.isTriggered {
          group.cancelAll()  // stop following; the command runs on
        }
      }
      return result ?? .failure(.detached(node: command.node, directory: entry.detached ?? ""))
    }
    lines.flush()
    entry.duration = clock.monotonic() - t0
    entry.hostKey = await transport.hostKeyFingerprint(node: command.node)
    switch outcome {
    case .success(let result):
      entry.upids = result.upids.isEmpty ? nil : result.upids
      entry.reattached = result.reattachments.isEmpty ? nil : result.reattachments.map(\.sinceLoss)
      entry.remoteCommands = result.remoteCommands
      return .result(result.commandResult)
    case .failure(.lost(let node, let dir, let upid?)):
      // The wrapper died without a status, but Proxmox logged a task: its state decides.
      let task = (try? await detached.taskStatus(node: node, upid: upid)) ?? [:]
      entry.upids = [upid]
      if task["status"] == "stopped", task["exitstatus"] == "OK" {
        entry.exitStatus = 0  // the wrapper in `dir` left no status; the task says stopped, OK
        return .result(CommandResult(stdout: Data(), stderr: Data(), exitStatus: 0))
      }
      entry.detail =
        "\(DetachedError.lost(node: node, directory: dir, upid: upid)) (task state: "
        + "\(task["status"] ?? "unreadable") \(task["exitstatus"] ?? ""))"
      entry.unknown = true
      run.append(entry)
      return .endStep(.unknown, entry.detail ?? "")
    case .failure(let error):
      entry.detail = "\(error)"
      entry.unknown = error.outcomeUnknown ? true : nil
      run.append(entry)
      switch error {
      case .detached:
        return .endStep(
          .interrupted,
          "interrupted: \(error); its effect is not verified")
      case .transport(let transportError, _) where !transportError.isTransient:
        // Host key, authentication: exit 4 as for a plain command.
        return .endStep(
          .failed, "\(error)", connection: transportError.isConnectionFailure)
      default:
        return .endStep(error.outcomeUnknown ? .unknown : .failed, "\(error)")
      }
    }
  }
}

/// Splits streamed bytes into lines for the observer (each stream separately); thread-safe.
final class LineStream: @unchecked Sendable {
  private let lock = NSLock()
  private var pending: [Bool: Data] = [:]
  private let emit: @Sendable (String, Bool) -> Void

  init(emit: @escaping @Sendable (String, Bool) -> Void) { self.emit = emit }

  func receive(_ data: Data, stderr: Bool) {
    var lines: [String] = []
    lock.withLock {
      var buffer = pending[stderr, default: Data()]
      buffer.append(data)
      while let nl = buffer.firstIndex(of: 0x0A) {
        lines.append(String(decoding: buffer[buffer.startIndex..<nl], as: UTF8.self))
        buffer.removeSubrange(buffer.startIndex...nl)
      }
      pending[stderr] = buffer
    }
    for line in lines {
      // Progress lines rewritten with \r show their latest state.
      let shown = line.split(separator: "\r").last.map(String.init) ?? line
      emit(shown, stderr)
    }
  }

  func flush() {
    let rest = lock.withLock {
      defer { pending = [:] }
      return pending
    }
    for (stderr, data) in rest.sorted(by: { !$0.key && $1.key }) where !data.isEmpty {
      emit(String(decoding: data, as: UTF8.self), stderr)
    }
  }
}
