import Transport

/// How mutating commands run detached (`apply --execute`, `undo --execute`).
package struct DetachOptions: Sendable, Hashable {
  /// The folder on each node holding `<run>/<command>/` (argv, pid, log, status).
  package var root: String
  /// Seconds to keep reconnecting to a node that dropped before its steps become `unknown`.
  package var reconnectTimeout: Double

  package init(root: String = DetachedExecution.defaultRoot, reconnectTimeout: Double = 300) {
    self.root = root
    self.reconnectTimeout = reconnectTimeout
  }
}
