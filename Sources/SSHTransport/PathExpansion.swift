/// `~` and relative paths, as the inventory and `~/.ssh/config` use them.
enum PathExpansion {
  /// `~` and `~/x` become the home folder; a relative path is made absolute against `base` (when
  /// given); anything else is unchanged.
  static func expand(_ path: String, home: String, relativeTo base: String?) -> String {
    if path == "~" { return home }
    if path.hasPrefix("~/") { return home + path.dropFirst() }
    if path.hasPrefix("/") { return path }
    guard let base else { return path }
    return base.hasSuffix("/") ? base + path : base + "/" + path
  }
}
