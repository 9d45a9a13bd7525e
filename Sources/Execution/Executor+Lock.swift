import Foundation

/// Who runs pvemend: written into the cluster lock's holder file.
package struct LockOwner: Sendable, Hashable {
  package var user: String
  package var host: String
  package var pid: String

  package init(user: String, host: String, pid: String) {
    self.user = user
    self.host = host
    self.pid = pid
  }

  /// This process: `$USER` (else `$LOGNAME`, else the uid), the host name, the pid.
  package static var current: LockOwner {
    let env = ProcessInfo.processInfo.environment
    return LockOwner(
      user: env["USER"] ?? env["LOGNAME"] ?? "uid \(getuid())",
      host: ProcessInfo.processInfo.hostName,
      pid: String(ProcessInfo.processInfo.processIdentifier))
  }
}

extension Executor {
  /// Takes the cluster lock for this run (journal `lock` entry, observer event) and starts renewing
  /// it; a lost lock stops new steps as Ctrl-C does.
  func takeLock(_ lock: ClusterLock, run: RunJournal, planDigest: String) async -> Result<
    ClusterLockLease, ExecutionError
  > {
    let holder = LockHolder(
      run: run.run, planDigest: planDigest, user: lock.owner.user, host: lock.owner.host,
      pid: lock.owner.pid, started: clock.timestamp(), node: lock.node)
    switch await lock.acquire(holder) {
    case .acquired(let lease, let broken):
      lockEvent(.acquired(path: lock.path, node: lock.node, broken: broken), run: run)
      let observer = self.observer
      let interruption = self.interruption
      lease.startRenewing { event in
        Executor.lockEvent(event, run: run, observer: observer)
        if case .lost = event { interruption.trigger() }
      }
      return .success(lease)
    case .refused(let refusal):
      var entry = run.entry(.lock)
      entry.status = "refused"
      entry.node = lock.node
      entry.detail = refusal.description
      run.append(entry)
      return .failure(.locked(refusal))
    case .failed(let failure):
      var entry = run.entry(.lock)
      entry.status = "failed"
      entry.node = lock.node
      entry.detail = failure.description
      run.append(entry)
      return .failure(.lockFailed(failure))
    }
  }

  func lockEvent(_ event: LockEvent, run: RunJournal) {
    Executor.lockEvent(event, run: run, observer: observer)
  }
}

extension Executor {
  /// Journals a lock event and tells the observer.
  static func lockEvent(_ event: LockEvent, run: RunJournal, observer: any ExecutionObserver) {
    var entry = run.entry(.lock)
    entry.status = event.word
    entry.detail = event.message
    if case .acquired(_, let node, _) = event { entry.node = node }
    run.append(entry)
    observer.handle(.lock(event))
  }
}
