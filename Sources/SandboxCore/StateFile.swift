import Foundation

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// The shared cluster state file on disk, guarded by flock(2) on `<state>.lock`: shared for reads,
/// exclusive for every read-modify-write. Writes go to a temporary file that is renamed over the
/// state, so a reader never sees half a file.
package struct StateFile: Sendable {
  package let path: String

  package init(path: String) { self.path = path }

  /// Runs `body` holding the lock; `exclusive` for read-modify-write.
  package func withLock<T>(exclusive: Bool, _ body: () throws(CommandFailure) -> T)
    throws(CommandFailure) -> T
  {
    let lockPath = path + ".lock"
    let fd = open(lockPath, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
    guard fd >= 0 else {
      throw CommandFailure(
        "pve-standin: cannot open lock file \(lockPath): \(String(cString: strerror(errno))); check that the sandbox directory is writable"
      )
    }
    defer { close(fd) }
    while flock(fd, exclusive ? LOCK_EX : LOCK_SH) != 0 {
      if errno == EINTR { continue }
      throw CommandFailure(
        "pve-standin: cannot lock \(lockPath): \(String(cString: strerror(errno)))")
    }
    defer { _ = flock(fd, LOCK_UN) }
    return try body()
  }

  /// The file's bytes.
  package func read() throws(CommandFailure) -> [UInt8] {
    guard let data = FileManager.default.contents(atPath: path) else {
      throw CommandFailure(
        "pve-standin: cannot read state file \(path); start the sandbox with 'scripts/sandbox start --snapshot FILE --dir DIR'"
      )
    }
    return [UInt8](data)
  }

  /// Replaces the file atomically (temporary file in the same directory, then rename).
  package func write(_ bytes: [UInt8]) throws(CommandFailure) {
    let temp = path + ".tmp.\(getpid())"
    do {
      try Data(bytes).write(to: URL(fileURLWithPath: temp))
    } catch {
      throw CommandFailure("pve-standin: cannot write \(temp): \(error)")
    }
    guard rename(temp, path) == 0 else {
      let reason = String(cString: strerror(errno))
      unlink(temp)
      throw CommandFailure("pve-standin: cannot replace \(path): \(reason)")
    }
  }
}
