#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// The process environment and account, read in one place.
package enum Environment {
  /// The value of an environment variable, nil when unset or empty.
  package static func value(_ name: String) -> String? {
    guard let raw = getenv(name) else { return nil }
    let value = String(cString: raw)
    return value.isEmpty ? nil : value
  }

  /// The home directory: `$HOME`, else the account's.
  package static var home: String {
    if let home = value("HOME") { return home }
    if let entry = getpwuid(getuid()), let dir = entry.pointee.pw_dir {
      return String(cString: dir)
    }
    return "/root"
  }

  /// The local account name.
  package static var userName: String {
    if let entry = getpwuid(getuid()), let name = entry.pointee.pw_name {
      return String(cString: name)
    }
    return value("USER") ?? "root"
  }
}
