import Foundation
import PVEModel

/// A file a fault test creates to let a remote command go on: the command's shell blocks until the
/// file exists (at most 120 s), so the test cuts connections while the command surely runs, however
/// loaded the machine is, instead of racing a `sleep`.
package enum GateFile {
  /// The shell fragment that waits for `path` (its counter, `gate_ticks`, leaves a caller's
  /// loop variables alone).
  package static func wait(_ path: String) -> String {
    "gate_ticks=0; while [ ! -e \(ShellQuoting.quote(path)) ] && [ $gate_ticks -lt 1200 ]; do sleep 0.1; gate_ticks=$((gate_ticks+1)); done"
  }

  /// Opens the gate at `path`.
  package static func open(_ path: String) {
    _ = FileManager.default.createFile(atPath: path, contents: Data())
  }
}
