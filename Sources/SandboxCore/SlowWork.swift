import Foundation
import PVEModel

/// The slow part of a mutating command (`--command-delay`): a migration, a volume move, a power
/// change. The command notes it while checking; with a delay for its key the stand-in prints the
/// header lines, then a Proxmox-like progress line every 0.5 s for the delay, then applies the change
/// (the task log's remaining lines follow). Meanwhile a migration holds `lock: migrate` in the
/// guest's config (qemu-server `QemuMigrate.pm`, pve-container `LXC/Migrate.pm`) and
/// `pct move-volume` `lock: disk` (pve-container `API2/LXC.pm` `set_lock($vmid, 'disk')`);
/// `qm disk move` only takes the config file lock, so its config shows no `lock`.
struct SlowWork {
  /// `migrate`, `move-volume`, `start`, `shutdown`, `stop`.
  var key: String
  /// The guest's config path, and the lock its config holds while the work runs.
  var configPath: String
  var kind: GuestKind
  var lock: String?
  /// The task log lines printed before the progress (the command's output starts with them).
  var header: [String]
  /// The progress line at a fraction (0…1] of the work, `now` in seconds since 1970; nil prints none.
  var progress: @Sendable (_ fraction: Double, _ now: Double) -> String?
}

/// Where a command leaves its `SlowWork` for `StandIn`.
final class SlowWorkNote {
  var work: SlowWork?
}

/// Progress lines as Proxmox prints them.
enum ProgressLine {
  /// `qemu-img convert` / volume copy progress (qemu-server `qemu_img_convert`, pve-container
  /// `copy_volume`): `transferred 1.0 GiB of 8.0 GiB (12.50%)`.
  static func transfer(_ fraction: Double, of total: Int64) -> String {
    let done = Int64((Double(total) * fraction).rounded(.down))
    return
      "transferred \(bytes(done)) of \(bytes(total)) (\(String(format: "%.2f", fraction * 100))%)"
  }

  /// A live migration's RAM transfer (qemu-server `QemuMigrate::phase2`):
  /// `migration active, transferred 583.0 MiB of 4.0 GiB VM-state, 112.9 MiB/s`.
  static func migrationActive(_ fraction: Double, of total: Int64, rate: Int64) -> String {
    let done = Int64((Double(total) * fraction).rounded(.down))
    return
      "migration active, transferred \(bytes(done)) of \(bytes(total)) VM-state, \(bytes(rate))/s"
  }

  /// `PVE::Format::render_bytes($value, 1)`: one decimal, binary units.
  static func bytes(_ value: Int64) -> String {
    let units = ["B", "KiB", "MiB", "GiB", "TiB", "PiB"]
    var v = Double(value)
    var i = 0
    while v >= 1024, i < units.count - 1 {
      v /= 1024
      i += 1
    }
    return String(format: "%.1f %@", v, units[i])
  }
}
