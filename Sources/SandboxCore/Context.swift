/// What a command sees: the state, the node it runs on, the clock and the HA delay.
struct Context {
  let state: ClusterState
  let node: String
  let now: Double
  let haDelay: Double
  /// Where a command notes the slow work it is about to do (`--command-delay`).
  let slow = SlowWorkNote()

  /// The PVE major version of this node's CLI.
  var major: Int { state.major(of: node) }

  /// `cluster not ready - no quorum?` unless `/cluster/status` says quorate (a single node counts).
  func checkQuorum() throws(CommandFailure) {
    let cluster = state.list("/cluster/status").first { $0["type"]?.stringValue == "cluster" }
    if let cluster, cluster["quorate"]?.boolValue == false {
      throw CommandFailure("cluster not ready - no quorum?")
    }
  }
}

extension Outcome {
  /// Lines on stdout, exit 0.
  static func lines(_ lines: [String]) -> Outcome {
    Outcome(stdout: lines.isEmpty ? "" : lines.joined(separator: "\n") + "\n")
  }
}
