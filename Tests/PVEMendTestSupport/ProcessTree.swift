import Foundation

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// The process tree from /proc, for tests that cut connections the hard way.
package enum ProcessTree {
  /// Parent → children, read from /proc/<pid>/stat.
  package static func children() -> [pid_t: [pid_t]] {
    var children: [pid_t: [pid_t]] = [:]
    let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
    for entry in entries {
      guard let pid = pid_t(entry),
        let stat = try? String(contentsOfFile: "/proc/\(entry)/stat", encoding: .utf8),
        let close = stat.lastIndex(of: ")")
      else { continue }
      let fields = stat[stat.index(after: close)...].split(separator: " ")
      guard fields.count > 1, let parent = pid_t(fields[1]) else { continue }
      children[parent, default: []].append(pid)
    }
    return children
  }

  /// The command line of a process, arguments joined by spaces.
  package static func commandLine(_ pid: pid_t) -> String {
    guard let data = FileManager.default.contents(atPath: "/proc/\(pid)/cmdline") else { return "" }
    return String(decoding: data, as: UTF8.self).replacingOccurrences(of: "\0", with: " ")
  }

  /// The per-connection sshd processes below a listening sshd (`sshd: user [priv]`,
  /// `sshd: user@notty`): not the commands they run, which a detached command outlives.
  package static func sshdSessions(listener: pid_t) -> [pid_t] {
    let tree = children()
    var result: [pid_t] = []
    var queue = [listener]
    while let next = queue.popLast() {
      for child in tree[next] ?? [] {
        if commandLine(child).hasPrefix("sshd: ") {
          result.append(child)
          queue.append(child)
        }
      }
    }
    return result
  }

  /// Kills the per-connection sshd processes below `listener` with SIGKILL: every open connection
  /// to it drops at once, the server keeps listening. Returns the PIDs killed.
  @discardableResult
  package static func killSSHDSessions(listener: pid_t) -> [pid_t] {
    let sessions = sshdSessions(listener: listener)
    for pid in sessions { _ = kill(pid, SIGKILL) }
    return sessions
  }

  /// The PID in a pid file.
  package static func pid(file: String) -> pid_t? {
    (try? String(contentsOfFile: file, encoding: .utf8)).flatMap {
      pid_t($0.trimmingCharacters(in: .whitespacesAndNewlines))
    }
  }
}

extension SSHD {
  /// The listening sshd's PID (from its pid file).
  /// sshd writes its pid file just after it starts listening: on a loaded machine a test can ask
  /// first, so this waits for the file up to 10 s.
  package var listenerPID: pid_t? {
    let file = directory.appendingPathComponent("sshd.pid").path
    for _ in 0..<100 {
      if let pid = ProcessTree.pid(file: file) { return pid }
      usleep(100_000)
    }
    return ProcessTree.pid(file: file)
  }
}
