import Crypto
import Foundation
import PVEModel

/// An OpenSSH known_hosts file, parsed by pvemend itself: libssh2 1.10 ignores `@revoked` and
/// `@cert-authority` markers, falls back from `[host]:port` to `host`, and negotiates ECDSA even
/// when only an ed25519 key is on file.
///
/// Understands plain and hashed (`|1|salt|hash`) host fields, comma lists, `*`/`?` wildcards,
/// `!` negation, `[host]:port` names, `@revoked` (refuse) and `@cert-authority` (ignored: pvemend
/// does not verify host certificates).
package struct KnownHosts: Sendable, Hashable {
  /// One key line.
  package struct Entry: Sendable, Hashable {
    /// A marker before the host field.
    package enum Marker: String, Sendable, Hashable {
      case revoked = "@revoked"
      case certAuthority = "@cert-authority"
    }

    /// The host field.
    package enum Hosts: Sendable, Hashable {
      /// Comma-separated patterns (`pve1,10.0.0.11`, `[pve1]:2222`, `*.lan`, `!bad.lan`).
      case patterns([String])
      /// `|1|base64(salt)|base64(HMAC-SHA1(salt, name))`.
      case hashed(salt: Data, hash: Data)
    }

    package var marker: Marker?
    package var hosts: Hosts
    package var keyType: String
    /// The public key blob (base64-decoded).
    package var key: Data
    /// 1-based line number in the file.
    package var line: Int

    /// Whether this entry names `name` (`host` or `[host]:port`, lower case).
    package func matches(_ name: String) -> Bool {
      switch hosts {
      case .hashed(let salt, let hash):
        let code = HMAC<Insecure.SHA1>.authenticationCode(
          for: Data(name.utf8), using: SymmetricKey(data: salt))
        return Data(code) == hash
      case .patterns(let patterns):
        var positive = false
        for pattern in patterns {
          if pattern.hasPrefix("!") {
            if Glob.matches(String(pattern.dropFirst()).lowercased(), name) { return false }
          } else if Glob.matches(pattern.lowercased(), name) {
            positive = true
          }
        }
        return positive
      }
    }
  }

  /// What the file says about a server's key.
  package enum Verdict: Sendable, Hashable {
    /// A plain entry for this host lists exactly this key.
    case known
    /// A `@revoked` entry lists this key.
    case revoked
    /// The host is listed, but with other keys.
    case changed
    /// The host is not listed at all.
    case unknown
  }

  package var entries: [Entry]

  package init(entries: [Entry] = []) {
    self.entries = entries
  }

  /// Parses known_hosts text. Lines that are blank, comments or malformed are skipped, as OpenSSH
  /// does.
  package init(text: String) {
    var entries: [Entry] = []
    var number = 0
    for raw in text.split(separator: "\n", omittingEmptySubsequences: false) {
      number += 1
      let fields = raw.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
      guard let first = fields.first, !first.hasPrefix("#") else { continue }
      var rest = fields[...]
      var marker: Entry.Marker?
      if first.hasPrefix("@") {
        guard let known = Entry.Marker(rawValue: first) else { continue }
        marker = known
        rest = rest.dropFirst()
      }
      guard rest.count >= 3 else { continue }
      let hostField = rest[rest.startIndex]
      let keyType = rest[rest.startIndex + 1]
      guard let key = Data(base64Encoded: rest[rest.startIndex + 2]) else { continue }
      let hosts: Entry.Hosts
      if hostField.hasPrefix("|1|") {
        let parts = hostField.split(separator: "|", omittingEmptySubsequences: false)
        guard parts.count == 4, let salt = Data(base64Encoded: String(parts[2])),
          let hash = Data(base64Encoded: String(parts[3]))
        else { continue }
        hosts = .hashed(salt: salt, hash: hash)
      } else {
        hosts = .patterns(hostField.split(separator: ",").map(String.init))
      }
      entries.append(Entry(marker: marker, hosts: hosts, keyType: keyType, key: key, line: number))
    }
    self.entries = entries
  }

  /// Reads a known_hosts file; a missing file is an empty one.
  package static func load(path: String) throws -> KnownHosts {
    guard FileManager.default.fileExists(atPath: path) else { return KnownHosts() }
    let data = try Data(contentsOf: URL(fileURLWithPath: path))
    return KnownHosts(text: String(decoding: data, as: UTF8.self))
  }

  /// `host` for port 22, `[host]:port` otherwise (lower case), as OpenSSH looks hosts up.
  package static func hostName(_ host: String, port: Int) -> String {
    port == 22 ? host.lowercased() : "[\(host.lowercased())]:\(port)"
  }

  /// The entries (of any marker) that name this host.
  package func entries(forHost host: String, port: Int) -> [Entry] {
    let name = Self.hostName(host, port: port)
    return entries.filter { $0.matches(name) }
  }

  /// The key types on file for this host, in file order, without duplicates; `@cert-authority`
  /// lines are left out. Used as libssh2's host-key method preference.
  package func keyTypes(forHost host: String, port: Int) -> [String] {
    var seen: [String] = []
    for entry in entries(forHost: host, port: port)
    where entry.marker != .certAuthority && !seen.contains(entry.keyType) {
      seen.append(entry.keyType)
    }
    return seen
  }

  /// Checks a server key against the file.
  package func verdict(host: String, port: Int, key: Data) -> Verdict {
    let matching = entries(forHost: host, port: port)
    if matching.contains(where: { $0.marker == .revoked && $0.key == key }) { return .revoked }
    let plain = matching.filter { $0.marker == nil }
    if plain.contains(where: { $0.key == key }) { return .known }
    return plain.isEmpty ? .unknown : .changed
  }

  /// The line OpenSSH would write for a first-seen key.
  package static func line(host: String, port: Int, keyType: String, key: Data) -> String {
    "\(hostName(host, port: port)) \(keyType) \(key.base64EncodedString())"
  }

  /// The line `ssh-keygen -H` would write: `|1|base64(salt)|base64(HMAC-SHA1(salt, name))`.
  package static func hashedLine(
    host: String, port: Int, keyType: String, key: Data,
    salt: Data = Data((0..<20).map { _ in UInt8.random(in: 0...255) })
  ) -> String {
    let code = HMAC<Insecure.SHA1>.authenticationCode(
      for: Data(hostName(host, port: port).utf8), using: SymmetricKey(data: salt))
    return
      "|1|\(salt.base64EncodedString())|\(Data(code).base64EncodedString()) \(keyType) \(key.base64EncodedString())"
  }

  /// Serialises appends from the nodes connecting in parallel.
  private static let appendLock = NSLock()

  /// Records a first-seen key (OpenSSH's `accept-new`): re-reads the file under a lock, appends
  /// the line only if the host is still not listed, and returns the verdict found before
  /// appending (`.unknown` means the key was recorded; a changed key is never recorded). The
  /// line is hashed when the file already holds hashed entries (Debian's `HashKnownHosts yes`).
  package static func recordIfNew(host: String, port: Int, keyType: String, key: Data, path: String)
    throws -> Verdict
  {
    appendLock.lock()
    defer { appendLock.unlock() }
    let file = try load(path: path)
    let verdict = file.verdict(host: host, port: port, key: key)
    if verdict == .unknown {
      let hashed = file.entries.contains {
        if case .hashed = $0.hosts { return true }
        return false
      }
      let text =
        hashed
        ? hashedLine(host: host, port: port, keyType: keyType, key: key)
        : line(host: host, port: port, keyType: keyType, key: key)
      try appendUnlocked(text, to: path)
    }
    return verdict
  }

  /// Appends a line to a known_hosts file, creating it (and its folder) when missing.
  package static func append(_ line: String, to path: String) throws {
    appendLock.lock()
    defer { appendLock.unlock() }
    try appendUnlocked(line, to: path)
  }

  private static func appendUnlocked(_ line: String, to path: String) throws {
    let url = URL(fileURLWithPath: path)
    let manager = FileManager.default
    try manager.createDirectory(
      at: url.deletingLastPathComponent(), withIntermediateDirectories: true,
      attributes: [.posixPermissions: 0o700])
    var text = line + "\n"
    if manager.fileExists(atPath: path) {
      let handle = try FileHandle(forUpdating: url)
      defer { try? handle.close() }
      let end = try handle.seekToEnd()
      if end > 0 {
        try handle.seek(toOffset: end - 1)
        if handle.readData(ofLength: 1) != Data("\n".utf8) { text = "\n" + text }
      }
      try handle.seekToEnd()
      try handle.write(contentsOf: Data(text.utf8))
    } else {
      guard
        manager.createFile(
          atPath: path, contents: Data(text.utf8), attributes: [.posixPermissions: 0o600])
      else {
        throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: path])
      }
    }
  }

  /// `SHA256:<base64 without padding>` of a key blob, as `ssh-keygen -lf` prints it.
  package static func fingerprint(of key: Data) -> String {
    let digest = Data(SHA256.hash(data: key)).base64EncodedString()
    return "SHA256:" + digest.replacingOccurrences(of: "=", with: "")
  }

  /// The key type named inside an SSH public key blob (its first string), e.g. `ssh-ed25519`.
  package static func keyType(ofBlob blob: Data) -> String? {
    var reader = SSHWireReader(blob)
    return reader.string().map { String(decoding: $0, as: UTF8.self) }
  }
}
