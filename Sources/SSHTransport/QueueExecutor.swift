import Dispatch

/// A serial executor on a private dispatch queue. Each node's connection runs on one, so blocking
/// libssh2 and `poll` calls never occupy Swift's cooperative thread pool (which has one thread per
/// core and would serialise the nodes).
final class QueueExecutor: SerialExecutor, @unchecked Sendable {
  private let queue: DispatchQueue

  init(label: String) {
    queue = DispatchQueue(label: label)
  }

  func enqueue(_ job: consuming ExecutorJob) {
    let job = UnownedJob(job)
    queue.async {
      job.runSynchronously(on: self.asUnownedSerialExecutor())
    }
  }

  func asUnownedSerialExecutor() -> UnownedSerialExecutor {
    UnownedSerialExecutor(ordinary: self)
  }
}
