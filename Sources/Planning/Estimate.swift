import PVEModel

/// Rough durations and downtime of moves, for ordering choices and for the plan's downtime column.
///
/// Assumes 100 MiB/s for copying volumes and memory (a 1 GbE migration network) and 20 s to shut a
/// container down and start it again. Real figures depend on the network, the disks and the guest.
enum Estimate {
  static let bytesPerSecond: Double = 100 * 1024 * 1024
  static let restartSeconds = 20

  /// Seconds to copy `bytes` (0 for nothing, at least 1 otherwise).
  static func copySeconds(_ bytes: Int64) -> Int {
    bytes <= 0 ? 0 : max(1, Int((Double(bytes) / bytesPerSecond).rounded(.up)))
  }

  /// Downtime of migrating `g` with `localBytes` of local volumes.
  static func migration(_ g: Guest, localBytes: Int64, viaHA: Bool) -> Downtime {
    let copy = copySeconds(localBytes)
    let volumes =
      copy > 0
      ? "~\(Elapsed.duration(copy)) copying \(Format.bytes(localBytes)) of local volumes" : nil
    guard g.isRunning else {
      return Downtime(
        seconds: 0,
        note: (["guest is stopped"] + [volumes].compactMap { $0 }).joined(separator: "; "))
    }
    switch g.kind {
    case .qemu:
      let memory = copySeconds(g.memory)
      let disks = copy > 0 ? " and \(Format.bytes(localBytes)) of local disks" : ""
      return Downtime(
        seconds: 0,
        note:
          "\(viaHA ? "HA live migration" : "live migration"); ~\(Elapsed.duration(memory + copy)) copying \(Format.bytes(g.memory)) of memory\(disks)"
      )
    case .lxc:
      let how =
        viaHA
        ? "HA relocate: the container stops, moves and starts again"
        : "restart migration: the container stops, moves and starts again"
      let what = copy > 0 ? " (copying \(Format.bytes(localBytes)) while it is down)" : ""
      return Downtime(seconds: restartSeconds + copy, note: how + what)
    }
  }

  /// Downtime of a running container's one outage: it stops, `volumeBytes` move to `pool`, it
  /// migrates offline (copying `localBytes` still local) and starts on `target`.
  static func foldedOutage(
    _ g: Guest, volumeBytes: Int64, pool: String, localBytes: Int64, target: String, viaHA: Bool
  ) -> Downtime {
    let copy = copySeconds(volumeBytes) + copySeconds(localBytes)
    let more = localBytes > 0 ? " and \(Format.bytes(localBytes)) migrate with it" : ""
    return Downtime(
      seconds: restartSeconds + copy,
      note:
        "one outage\(viaHA ? " through HA" : ""): the container stops while \(Format.bytes(volumeBytes)) move to \(pool)\(more), then starts on \(target)"
    )
  }

  /// Downtime of moving volumes of `g` totalling `bytes` to shared storage.
  static func volumeMove(_ g: Guest, bytes: Int64) -> Downtime {
    let copy = copySeconds(bytes)
    if g.kind == .qemu || !g.isRunning {
      let how = g.kind == .qemu && g.isRunning ? "live disk move" : "guest is stopped"
      return Downtime(
        seconds: 0, note: "\(how); ~\(Elapsed.duration(copy)) copying \(Format.bytes(bytes))")
    }
    return Downtime(
      seconds: restartSeconds + copy,
      note: "the container stops while \(Format.bytes(bytes)) are copied, then starts again")
  }

  /// A number to rank moves by: one per move, plus downtime and copy time (cheap first).
  static func moveCost(_ g: Guest, localBytes: Int64, viaHA: Bool) -> Double {
    let copy = copySeconds(localBytes)
    var cost = 1.0
    if g.isRunning {
      if g.kind == .qemu {
        cost += 0.2
      } else {
        cost += 0.5 + Double(restartSeconds + copy) / 60
      }
    }
    cost += Double(copy) / 600
    return cost
  }
}
