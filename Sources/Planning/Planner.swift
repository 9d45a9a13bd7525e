import Audit
import PVEModel
import Playbook

/// Turns findings and a policy into an ordered plan. Pure: no I/O, no clock, no randomness.
package enum Planner {
  /// The tool name and version written into plans.
  package static let tool = "pvemend 0.1.0"
}
