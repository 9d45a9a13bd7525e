import Foundation
import PVEModel
import Synchronization
import Transport

/// The one-run-per-cluster lock of `apply --execute` and `undo --execute`: a directory in the cluster
/// file system's lock directory, taken the way pve-cluster's `cfs_lock` takes its locks (an atomic
/// `mkdir` in `/etc/pve/priv/lock/`), holding who runs where (docs/cluster-lock.md).
///
/// - Acquire: one remote command on the entry node makes `<directory>/pvemend` and writes the
///   holder's details into `holder` inside it. The directory exists → refused with the holder's
///   details (or, with `breakStale`, broken first when its holder stopped renewing it).
/// - Renew: the holder touches the directory every `renewInterval` seconds from the same node
///   (pmxcfs only lets the node that made a lock directory move its mtime forward, which is how the
///   HA manager keeps its `ha_manager_lock`). Its age is the node's `now - mtime`, so neither the
///   controller's clock nor clock skew matters.
/// - Release: removes `holder` and the directory, only while `holder` still names this run.
///
/// Because `holder` makes the directory non-empty, pmxcfs's own expiry (an unlock request deletes a
/// lock directory unchanged for 120 s) cannot remove it: only `--break-lock` does, and only when the
/// holder stopped renewing it for longer than `expiry`.
package struct ClusterLock: Sendable {
  /// pmxcfs's lock directory, where `cfs_lock` makes its locks (`$lockdir` in PVE/Cluster.pm).
  package static let standardDirectory = "/etc/pve/priv/lock"
  /// The lock's name in that directory.
  package static let name = "pvemend"
  /// pmxcfs's `CFS_LOCK_TIMEOUT` (memdb.c): a lock not renewed for this long has no live holder.
  package static let standardExpiry: Double = 120

  package var transport: any Transport
  /// The node the lock is taken through (and renewed from: pmxcfs refuses another node's renewal).
  package var node: String
  package var directory: String
  /// Seconds without renewal after which the holder counts as gone (`--break-lock` may break it).
  package var expiry: Double
  /// Seconds between renewals while a run holds the lock.
  package var renewInterval: Double
  /// Break a lock whose holder is gone (`--break-lock`); a live holder's lock is never broken.
  package var breakStale: Bool
  /// Who runs pvemend (the holder file's user, host, pid).
  package var owner: LockOwner

  package init(
    transport: any Transport, node: String, directory: String = ClusterLock.standardDirectory,
    expiry: Double = ClusterLock.standardExpiry, renewInterval: Double = 30,
    breakStale: Bool = false, owner: LockOwner = .current
  ) {
    self.transport = transport
    self.node = node
    self.directory = directory
    self.expiry = expiry
    self.renewInterval = renewInterval
    self.breakStale = breakStale
    self.owner = owner
  }

  /// `<directory>/pvemend`.
  package var path: String { directory + "/" + Self.name }

  /// Takes the lock for `holder`, or says who has it. One remote command; a connection failure is
  /// `.failed` (nothing else was sent).
  package func acquire(_ holder: LockHolder) async -> LockAcquisition {
    let command = RemoteCommand(
      node: node,
      argv: ["sh", "-c", Self.acquireScript, "pvemend-lock", directory, Self.name]
        + [String(Int(expiry)), breakStale ? "1" : "0"] + holder.fields.map(\.1),
      mutating: true)
    let result: CommandResult
    do {
      result = try await transport.run(command, options: RunOptions(timeout: .seconds(60)))
    } catch {
      return .failed(
        LockFailure(
          node: node, path: path, detail: "\(error)",
          connection: (error as? TransportError)?.isConnectionFailure ?? false))
    }
    let reply = LockReply.parse(result.stdoutText)
    switch reply.status {
    case "acquired":
      return .acquired(lease(holder), broken: nil)
    case "broken":
      return .acquired(lease(holder), broken: reply.holder(age: reply.age))
    case "held":
      return .refused(
        LockRefusal(
          node: node, path: path, holder: reply.holder(age: reply.age), expiry: expiry,
          breakRequested: breakStale))
    default:
      let detail = reply.detail ?? Self.sanitized(result.stderrText + result.stdoutText)
      return .failed(
        LockFailure(
          node: node, path: path,
          detail: detail.isEmpty ? "exit status \(result.exitStatus)" : detail, connection: false))
    }
  }

  private func lease(_ holder: LockHolder) -> ClusterLockLease {
    ClusterLockLease(lock: self, holder: holder)
  }

  /// Makes `$1` (the lock directory, as cfs_lock does) and `$1/$2` (the lock). `$3` expiry seconds,
  /// `$4` 1 = break a stale lock; then the holder's fields in `LockHolder.fields` order. Prints the
  /// status word first (`acquired`, `broken`, `held`, `error`), then `age=` and the holder's lines.
  package static let acquireScript = #"""
    d=$1 l=$1/$2 x=$3 b=$4; shift 4
    mkdir "$d" 2>/dev/null
    [ -d "$d" ] || { echo error; echo "detail=$d does not exist: the cluster file system is not mounted (is pve-cluster running?)"; exit 2; }
    show() { n=$(date +%s); m=$(stat -c %Y "$l" 2>/dev/null || echo "$n"); echo "age=$((n - m))"; head -c 4096 "$l/holder" 2>/dev/null; }
    take() {
      e=$(mkdir "$l" 2>&1) || return 1
      printf 'run=%s\nplan=%s\nuser=%s\nhost=%s\npid=%s\nstarted=%s\nnode=%s\n' "$@" >"$l/holder" \
        || { e2=$(rm -f "$l/holder" 2>&1; rmdir "$l" 2>&1); echo error; echo "detail=cannot write $l/holder $e2"; exit 2; }
      return 0
    }
    if take "$@"; then echo acquired; exit 0; fi
    if [ ! -d "$l" ]; then
      take "$@" && { echo acquired; exit 0; }
      [ -d "$l" ] || { echo error; echo "detail=mkdir $l: $e (without quorum /etc/pve is read-only)"; exit 2; }
    fi
    if [ "$b" = 1 ]; then
      o=$(show)
      a=$(printf '%s\n' "$o" | sed -n 's/^age=//p' | head -n 1)
      if [ "$a" -gt "$x" ]; then
        rm -f "$l/holder"; rmdir "$l" 2>/dev/null
        if take "$@"; then echo broken; printf '%s\n' "$o"; exit 0; fi
      fi
    fi
    echo held; show; exit 1
    """#

  /// `$1/$2` is renewed (mtime set to now) while `holder` names run `$3`; else prints `lost` and the
  /// holder now in place. The time is explicit, as the HA manager's `utime(0, $ctime)`: pmxcfs reads
  /// an mtime of 0 as an unlock request, so the renewal never leaves the new time to the FUSE layer.
  package static let renewScript = #"""
    l=$1/$2
    if grep -qxF "run=$3" "$l/holder" 2>/dev/null; then
      touch -c -m -d "@$(date +%s)" "$l" && { echo renewed; exit 0; }
      echo error; echo "detail=cannot touch $l"; exit 2
    fi
    echo lost; [ -d "$l" ] && { n=$(date +%s); m=$(stat -c %Y "$l"); echo "age=$((n - m))"; head -c 4096 "$l/holder" 2>/dev/null; }; exit 1
    """#

  /// Removes `$1/$2` while `holder` names run `$3`; prints `released`, or `lost` and who holds it.
  package static let releaseScript = #"""
    l=$1/$2
    if grep -qxF "run=$3" "$l/holder" 2>/dev/null; then
      rm -f "$l/holder" && rmdir "$l" && { echo released; exit 0; }
      echo error; echo "detail=cannot remove $l"; exit 2
    fi
    echo lost; [ -d "$l" ] && { n=$(date +%s); m=$(stat -c %Y "$l"); echo "age=$((n - m))"; head -c 4096 "$l/holder" 2>/dev/null; }; exit 1
    """#

  /// Text from the node (a holder file anyone with root on a node could have written) made safe for a
  /// terminal and one line by `DisplayText.oneLine` (control, bidi and zero-width characters become
  /// U+FFFD), trimmed, at most `limit` characters.
  package static func sanitized(_ text: String, limit: Int = 300) -> String {
    DisplayText.oneLine(text.trimmingCharacters(in: .whitespacesAndNewlines), limit: limit)
  }
}

/// Who holds (or wants) the lock: written into the lock's `holder` file, one `key=value` a line.
package struct LockHolder: Sendable, Hashable {
  /// The run id as the journal names it.
  package var run: String
  package var planDigest: String
  package var user: String
  /// The host pvemend runs on.
  package var host: String
  package var pid: String
  /// When the run took the lock (RFC 3339, the controller's clock).
  package var started: String
  /// The node the lock was taken through.
  package var node: String
  /// Seconds since the holder last renewed the lock (by the node's clock); nil when not read.
  package var age: Int?

  package init(
    run: String, planDigest: String, user: String, host: String, pid: String, started: String,
    node: String, age: Int? = nil
  ) {
    self.run = run
    self.planDigest = planDigest
    self.user = user
    self.host = host
    self.pid = pid
    self.started = started
    self.node = node
    self.age = age
  }

  /// The fields in the order the acquire script writes them. Values are one line each: a newline in
  /// a value could otherwise forge another field.
  var fields: [(String, String)] {
    [
      ("run", run), ("plan", planDigest), ("user", user), ("host", host), ("pid", pid),
      ("started", started), ("node", node),
    ].map { ($0.0, ClusterLock.sanitized($0.1, limit: 200)) }
  }

  /// `run R (plan sha256:…) by user@host pid N, started T through node X, renewed S s ago`; every
  /// value sanitized (the holder file is not trusted).
  package var description: String {
    func s(_ v: String) -> String { v.isEmpty ? "?" : ClusterLock.sanitized(v, limit: 120) }
    if run.isEmpty {
      return "an unknown holder (no holder file)" + (age.map { ", renewed \($0) s ago" } ?? "")
    }
    var text = "run \(s(run)) (plan \(s(planDigest))) by \(s(user))@\(s(host)) pid \(s(pid))"
    text += ", started \(s(started)) through node \(s(node))"
    if let age { text += ", renewed \(age) s ago" }
    return text
  }
}

/// What the lock scripts print: the status word, then `key=value` lines.
struct LockReply {
  var status: String
  var values: [String: String]

  var age: Int? { values["age"].flatMap { Int($0) } }
  var detail: String? { values["detail"].map { ClusterLock.sanitized($0) } }

  static func parse(_ text: String) -> LockReply {
    let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
    var values: [String: String] = [:]
    for line in lines.dropFirst() {
      guard let eq = line.firstIndex(of: "=") else { continue }
      let key = String(line[..<eq])
      // The first occurrence wins: a forged later line cannot override a field.
      if values[key] == nil { values[key] = String(line[line.index(after: eq)...]) }
    }
    return LockReply(
      status: lines.first?.trimmingCharacters(in: .whitespaces) ?? "", values: values)
  }

  /// The holder as read from the node; nil when the lock has no holder file (being taken right now,
  /// or its writer died between mkdir and write).
  func holder(age: Int?) -> LockHolder? {
    guard let run = values["run"] else {
      return age.map {
        LockHolder(
          run: "", planDigest: "", user: "", host: "", pid: "", started: "", node: "", age: $0)
      }
    }
    return LockHolder(
      run: run, planDigest: values["plan"] ?? "", user: values["user"] ?? "",
      host: values["host"] ?? "", pid: values["pid"] ?? "", started: values["started"] ?? "",
      node: values["node"] ?? "", age: age)
  }
}

/// The outcome of `ClusterLock.acquire`.
package enum LockAcquisition: Sendable {
  /// Taken; `broken` is the gone holder whose stale lock `--break-lock` removed first.
  case acquired(ClusterLockLease, broken: LockHolder?)
  /// Another run holds it.
  case refused(LockRefusal)
  /// It could not be taken or read (connection, no /etc/pve, no quorum).
  case failed(LockFailure)
}

/// Another run holds the lock. The message names the holder and ends with the fix.
package struct LockRefusal: Error, Sendable, Hashable, CustomStringConvertible {
  package var node: String
  package var path: String
  /// nil: the lock directory vanished between mkdir and reading it (a run just released it).
  package var holder: LockHolder?
  package var expiry: Double
  package var breakRequested: Bool

  package var description: String {
    let limit = Int(expiry)
    guard let holder else {
      return "cluster is locked by another pvemend run (\(path) on node \(node)); run again"
    }
    var text =
      "cluster is locked by another pvemend run: \(holder.description) (\(path) on node \(node))"
    if (holder.age ?? 0) > limit {
      text +=
        "; it was not renewed for over \(limit) s, so its holder is gone: if that run is not"
        + " running anymore, run again with --break-lock"
    } else if breakRequested {
      text +=
        "; it was renewed within \(limit) s, so its holder is alive and --break-lock does not"
        + " break it; wait for that run to finish"
    } else {
      text += "; wait for that run to finish (it releases the lock when it ends)"
    }
    return text
  }
}

/// The lock could not be taken or handled. Ends with the fix.
package struct LockFailure: Error, Sendable, Hashable, CustomStringConvertible {
  package var node: String
  package var path: String
  package var detail: String
  /// A connection or host-key failure (exit 4).
  package var connection: Bool

  package var description: String {
    "cannot take the cluster lock \(path) on node \(node): \(detail); check that /etc/pve is"
      + " mounted (pve-cluster running) and the cluster is quorate, then run again"
  }
}

/// What happened to a held lock (journal `lock` entries, progress output).
package enum LockEvent: Sendable, Hashable {
  case acquired(path: String, node: String, broken: LockHolder?)
  case renewed
  /// A renewal failed (connection, touch); the lock may still be held. `consecutive` failures so far.
  case renewalFailed(detail: String, consecutive: Int)
  /// The lock now belongs to someone else (broken as stale): nothing protects this run anymore.
  case lost(holder: LockHolder?)
  case released
  case releaseFailed(detail: String)

  /// The journal's `status` word.
  package var word: String {
    switch self {
    case .acquired(_, _, let broken): return broken == nil ? "acquired" : "broken-and-acquired"
    case .renewed: return "renewed"
    case .renewalFailed: return "renewal-failed"
    case .lost: return "lost"
    case .released: return "released"
    case .releaseFailed: return "release-failed"
    }
  }

  /// One line for people.
  package var message: String {
    switch self {
    case .acquired(let path, let node, let broken):
      return "took the cluster lock \(path) on \(node)"
        + (broken.map { "; broke the stale lock of \($0.description)" } ?? "")
    case .renewed: return "renewed the cluster lock"
    case .renewalFailed(let detail, let n):
      return
        "could not renew the cluster lock (\(n) time\(n == 1 ? "" : "s")): \(detail); retrying"
    case .lost(let holder):
      return "lost the cluster lock"
        + (holder.map { ": it is now held by \($0.description)" } ?? ": it was removed")
        + "; no new step starts"
    case .released: return "released the cluster lock"
    case .releaseFailed(let detail):
      return "could not release the cluster lock: \(detail); remove it with --break-lock after"
        + " \(Int(ClusterLock.standardExpiry)) s"
    }
  }
}

/// A held lock: renews itself in the background until released.
package final class ClusterLockLease: Sendable {
  package let lock: ClusterLock
  package let holder: LockHolder
  private let renewal = Mutex<Task<Void, Never>?>(nil)
  private let failures = Mutex(0)

  init(lock: ClusterLock, holder: LockHolder) {
    self.lock = lock
    self.holder = holder
  }

  /// Starts renewing every `lock.renewInterval` seconds (real time), reporting every failed or
  /// lost renewal (and the first success after failures) to `report`.
  package func startRenewing(_ report: @escaping @Sendable (LockEvent) -> Void) {
    let interval = lock.renewInterval
    let task = Task { [self] in
      while !Task.isCancelled {
        do {
          try await Task.sleep(for: .milliseconds(Int(interval * 1000)))
        } catch { return }
        let event = await renew()
        if Task.isCancelled { return }
        switch event {
        case .renewed:
          if failures.withLock({ n in
            defer { n = 0 }; return n > 0
          }) {
            report(event)
          }
        case .lost:
          report(event)
          return
        default:
          report(event)
        }
      }
    }
    renewal.withLock { $0 = task }
  }

  /// One renewal: touches the lock while it still names this run.
  package func renew() async -> LockEvent {
    let command = RemoteCommand(
      node: lock.node,
      argv: ["sh", "-c", ClusterLock.renewScript, "pvemend-lock", lock.directory, ClusterLock.name]
        + [holder.fields[0].1],
      mutating: true)
    do {
      let result = try await lock.transport.run(
        command, options: RunOptions(timeout: .seconds(max(10, Int(lock.renewInterval)))))
      let reply = LockReply.parse(result.stdoutText)
      switch reply.status {
      case "renewed": return .renewed
      case "lost": return .lost(holder: reply.holder(age: reply.age))
      default:
        let n = failures.withLock { n in
          n += 1
          return n
        }
        return .renewalFailed(
          detail: reply.detail ?? "exit status \(result.exitStatus)", consecutive: n)
      }
    } catch {
      let n = failures.withLock { n in
        n += 1
        return n
      }
      return .renewalFailed(detail: ClusterLock.sanitized("\(error)"), consecutive: n)
    }
  }

  /// Stops renewing and removes the lock (only while it still names this run).
  package func release() async -> LockEvent {
    let task = renewal.withLock { t in
      defer { t = nil }
      return t
    }
    task?.cancel()
    await task?.value
    let command = RemoteCommand(
      node: lock.node,
      argv: [
        "sh", "-c", ClusterLock.releaseScript, "pvemend-lock", lock.directory, ClusterLock.name,
      ] + [holder.fields[0].1],
      mutating: true)
    do {
      let result = try await lock.transport.run(command, options: RunOptions(timeout: .seconds(60)))
      let reply = LockReply.parse(result.stdoutText)
      switch reply.status {
      case "released": return .released
      case "lost": return .lost(holder: reply.holder(age: reply.age))
      default: return .releaseFailed(detail: reply.detail ?? "exit status \(result.exitStatus)")
      }
    } catch {
      return .releaseFailed(detail: ClusterLock.sanitized("\(error)"))
    }
  }
}
