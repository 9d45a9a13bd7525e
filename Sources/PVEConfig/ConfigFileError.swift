/// A guest config file pvemend refuses to read, or (in `GuestConfigFile.warnings`) a line Proxmox
/// itself would warn about and skip. Names the file and the 1-based line; the detail ends with the fix.
package struct ConfigFileError: Error, Sendable, Hashable, CustomStringConvertible {
  /// The file as given to `GuestConfigFile.parse` (normally its `/etc/pve/...` path).
  package var file: String
  /// 1-based line number; 0 when the problem is the whole file.
  package var line: Int
  /// What is wrong and how to fix it.
  package var detail: String

  package init(file: String, line: Int, detail: String) {
    self.file = file
    self.line = line
    self.detail = detail
  }

  package var description: String {
    line > 0 ? "\(file):\(line): \(detail)" : "\(file): \(detail)"
  }
}
