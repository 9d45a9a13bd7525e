import Crypto
import Foundation
import PVEModel

/// One guest config file of the cluster file system, read the way Proxmox reads it (qemu-server
/// `parse_vm_config`, pve-container `parse_pct_config`): main section, pending section, special
/// sections (QEMU `[special:cloudinit]`, `[special:fleecing]`) and snapshot sections, each with its
/// description and its values typed by the config schema. See docs/pve-config-format.md.
package struct GuestConfigFile: Sendable, Hashable {
  package var kind: GuestKind
  /// The file name used in messages (normally `/etc/pve/nodes/<node>/<qemu-server|lxc>/<vmid>.conf`).
  package var file: String
  /// SHA-1 (hex) of the raw file bytes, as `parse_vm_config`/`parse_pct_config` compute it.
  package var digest: String
  package var main: GuestConfigSection
  /// `[PENDING]` (QEMU) or `[pve:pending]` (container); nil when the file has none.
  package var pending: GuestConfigSection?
  /// QEMU `[special:<name>]` sections by name (`cloudinit`, `fleecing`).
  package var special: [String: GuestConfigSection]
  /// Snapshot sections by name (`[<snapname>]`).
  package var snapshots: [String: GuestConfigSection]
  /// Lines Proxmox would warn about (and, for QEMU, skip), with Proxmox's wording.
  package var warnings: [ConfigFileError]

  package init(
    kind: GuestKind, file: String, digest: String = "", main: GuestConfigSection = .init(),
    pending: GuestConfigSection? = nil, special: [String: GuestConfigSection] = [:],
    snapshots: [String: GuestConfigSection] = [:], warnings: [ConfigFileError] = []
  ) {
    self.kind = kind
    self.file = file
    self.digest = digest
    self.main = main
    self.pending = pending
    self.special = special
    self.snapshots = snapshots
    self.warnings = warnings
  }
}

/// One section of a guest config file.
package struct GuestConfigSection: Sendable, Hashable {
  /// The description (`#` lines, decoded, and `description:`); nil when the section has none.
  package var description: String?
  /// Values typed as `check_type` types them: booleans and integers `.int`, numbers and strings
  /// `.string`; values Proxmox keeps untyped (container keys it cannot check, `[special:cloudinit]`,
  /// `args`, `delete`, `env`, `snapstate`) `.string`.
  package var values: [String: JSONValue]
  /// Container `lxc.*` raw keys, in file order.
  package var lxc: [LXCRawKey]

  package init(
    description: String? = nil, values: [String: JSONValue] = [:], lxc: [LXCRawKey] = []
  ) {
    self.description = description
    self.values = values
    self.lxc = lxc
  }

  /// No description, no values, no raw keys (Proxmox writes no header for an empty pending section).
  package var isEmpty: Bool { description == nil && values.isEmpty && lxc.isEmpty }
}

/// A container `lxc.<key>: <value>` line (pvesh shows them as `"lxc": [[key, value], ...]`).
package struct LXCRawKey: Sendable, Hashable {
  package var key: String
  package var value: String

  package init(key: String, value: String) {
    self.key = key
    self.value = value
  }
}

extension GuestConfigFile {
  /// Reads a guest config file as Proxmox does. Lines Proxmox warns about are kept in `warnings`;
  /// a file Proxmox would read but pvemend will not (a NUL byte: never written by Proxmox, a sign of
  /// a damaged file) throws, naming the file and the line.
  package static func parse(_ data: Data, kind: GuestKind, file: String) throws(ConfigFileError)
    -> GuestConfigFile
  {
    let bytes = [UInt8](data)
    if let nul = bytes.firstIndex(of: 0) {
      let line = bytes[..<nul].reduce(1) { $0 + ($1 == 0x0A ? 1 : 0) }
      throw ConfigFileError(
        file: file, line: line,
        detail:
          "contains a NUL byte, which Proxmox never writes (the file is damaged); "
          + "check it with `\(kind.cli) config <vmid>` and rewrite the setting with `\(kind.cli) set`"
      )
    }
    let digest = Insecure.SHA1.hash(data: data).map { String(format: "%02x", $0) }.joined()
    var parser = ConfigParser(kind: kind, file: file, bytes: bytes)
    parser.run()
    return GuestConfigFile(
      kind: kind, file: file, digest: digest, main: parser.main, pending: parser.pending,
      special: parser.special, snapshots: parser.snapshots, warnings: parser.warnings)
  }

  /// The object `pvesh get /nodes/<node>/<kind>/<vmid>/config --output-format json` prints
  /// (`load_current_config` with `current` 0): the main section with the pending values applied
  /// and the pending deletes removed (only values Perl holds true: `0` stays), no snapshots and no
  /// special sections, the description, the container `lxc` pairs, `digest`, and (QEMU) a set
  /// `cipassword` shown as `**********`.
  package func pveshConfig() -> [String: JSONValue] {
    var conf = main.values
    var description = main.description
    var lxc = main.lxc
    if let pending {
      for (key, value) in pending.values where key != "delete" { conf[key] = value }
      if let d = pending.description { description = d }
      for key in Self.pendingDeletes(pending.values["delete"]) {
        switch key {
        case "description": if ConfigText.isTrue(description) { description = nil }
        case "lxc" where kind == .lxc: lxc = []
        default: if let v = conf[key], Self.isTrue(v) { conf[key] = nil }
        }
      }
    }
    if conf["digest"] == nil { conf["digest"] = .string(digest) }
    if let description { conf["description"] = .string(description) }
    if !lxc.isEmpty {
      conf["lxc"] = .array(lxc.map { .array([.string($0.key), .string($0.value)]) })
    }
    if kind == .qemu, let pw = conf["cipassword"], Self.isTrue(pw) {
      conf["cipassword"] = .string("**********")
    }
    return conf
  }

  /// pve-guest-common `parse_pending_delete`: keys separated by `,`, `;` or white space, each
  /// optionally prefixed by `!` (force).
  package static func pendingDeletes(_ value: JSONValue?) -> [String] {
    guard case .string(let data)? = value, !data.isEmpty else { return [] }
    let spaced = data.map { $0 == "," || $0 == ";" ? " " : $0 }
    return String(spaced).split(whereSeparator: { $0.isASCII && $0.isWhitespace }).map { entry in
      String(entry.hasPrefix("!") ? entry.dropFirst() : entry)
    }
  }

  /// Perl's truth of a value: false for 0, "" and "0".
  static func isTrue(_ value: JSONValue) -> Bool {
    switch value {
    case .null: return false
    case .bool(let b): return b
    case .int(let i): return i != 0
    case .double(let d): return d != 0
    case .string(let s): return ConfigText.isTrue(s)
    case .array, .object: return true
    }
  }
}

/// The line-by-line reader: one struct for both kinds, each branch citing the Perl it follows.
struct ConfigParser {
  let kind: GuestKind
  let file: String
  let bytes: [UInt8]
  let vmid: String

  var main = GuestConfigSection()
  var pending: GuestConfigSection?
  var special: [String: GuestConfigSection] = [:]
  var snapshots: [String: GuestConfigSection] = [:]
  var warnings: [ConfigFileError] = []

  enum Target: Equatable {
    case main, pending, special(String), snapshot(String)
  }
  /// The section lines go to; nil inside an unknown QEMU section (its lines are skipped).
  var target: Target? = .main
  /// `$conf` in the Perl: where a finished description goes (stays on the last known section).
  var conf: Target = .main
  /// QEMU `$descr` (undef until a `#` or `description:` line); containers use "" for undef.
  var descr: String?

  init(kind: GuestKind, file: String, bytes: [UInt8]) {
    self.kind = kind
    self.file = file
    self.bytes = bytes
    self.vmid = GuestConfigPath.parse(file).map { String($0.vmid) } ?? "<vmid>"
  }

  mutating func run() {
    var start = 0
    var lineNo = 0
    while start <= bytes.count {
      let end = bytes[start...].firstIndex(of: 0x0A) ?? bytes.count
      lineNo += 1
      if start < end || end < bytes.count {
        line(start..<end, number: lineNo)
      }
      start = end + 1
    }
    if kind == .qemu {
      finishDescription()
      main.values["snapstate"] = nil
    } else {
      finishContainerDescription()
      main.values["snapstate"] = nil
    }
  }

  // MARK: Sections

  func section(_ t: Target) -> GuestConfigSection {
    switch t {
    case .main: return main
    case .pending: return pending ?? GuestConfigSection()
    case .special(let n): return special[n] ?? GuestConfigSection()
    case .snapshot(let n): return snapshots[n] ?? GuestConfigSection()
    }
  }

  mutating func update(_ t: Target, _ body: (inout GuestConfigSection) -> Void) {
    switch t {
    case .main: body(&main)
    case .pending:
      var s = pending ?? GuestConfigSection()
      body(&s)
      pending = s
    case .special(let n): body(&special[n, default: GuestConfigSection()])
    case .snapshot(let n): body(&snapshots[n, default: GuestConfigSection()])
    }
  }

  /// qemu-server `$finish_description`: trailing white space trimmed, set on `$conf`.
  mutating func finishDescription() {
    if var d = descr {
      while let last = d.unicodeScalars.last, last.properties.isWhitespace {
        d.unicodeScalars.removeLast()
      }
      update(conf) { $0.description = d }
    }
    descr = nil
  }

  /// pve-container: `$conf->{description} = $descr if $descr`.
  mutating func finishContainerDescription() {
    if ConfigText.isTrue(descr) {
      let d = descr
      update(conf) { $0.description = d }
    }
    descr = nil
  }

  mutating func warn(_ line: Int, _ message: String) {
    let fix =
      "Proxmox warns about this line too; correct or remove it with `\(kind.cli) set \(vmid)` "
      + "or by editing the file"
    warnings.append(
      ConfigFileError(
        file: file, line: line,
        detail: "vm \(vmid) - \(message); \(fix)"))
  }

  // MARK: Lines

  mutating func line(_ r: Range<Int>, number: Int) {
    if r.allSatisfy({ ConfigText.isSpace(bytes[$0]) }) { return }  // m/^\s*$/
    if kind == .qemu { qemuLine(r, number: number) } else { containerLine(r, number: number) }
  }

  /// The name inside `[...]` when the whole line is `^\[([^\]]*)\]\s*$`.
  func header(_ r: Range<Int>) -> [UInt8]? {
    guard bytes[r.lowerBound] == UInt8(ascii: "[") else { return nil }
    guard let close = bytes[(r.lowerBound + 1)..<r.upperBound].firstIndex(of: UInt8(ascii: "]"))
    else { return nil }
    guard bytes[(close + 1)..<r.upperBound].allSatisfy(ConfigText.isSpace) else { return nil }
    return Array(bytes[(r.lowerBound + 1)..<close])
  }

  /// `[a-z][a-z0-9_\-]+` with /i.
  static func isSectionName(_ n: [UInt8]) -> Bool {
    guard n.count >= 2, isAlpha(n[0]) else { return false }
    return n.dropFirst().allSatisfy {
      isAlpha($0) || ($0 >= 0x30 && $0 <= 0x39) || $0 == UInt8(ascii: "_")
        || $0 == UInt8(ascii: "-")
    }
  }

  static func isAlpha(_ b: UInt8) -> Bool { (b | 0x20) >= 0x61 && (b | 0x20) <= 0x7A }

  static func lowercased(_ n: [UInt8]) -> String {
    String(decoding: n.map { isAlpha($0) ? $0 | 0x20 : $0 }, as: UTF8.self)
  }

  func has(_ r: Range<Int>, prefix: String) -> Bool {
    let p = Array(prefix.utf8)
    return r.count >= p.count && bytes[r.lowerBound..<(r.lowerBound + p.count)].elementsEqual(p)
  }

  /// `^<prefix>\s*(.*\S)\s*$`: the trimmed rest, nil if it is all white space.
  func trimmedRest(_ r: Range<Int>, after prefix: String) -> Range<Int>? {
    guard has(r, prefix: prefix) else { return nil }
    var lo = r.lowerBound + prefix.utf8.count
    var hi = r.upperBound
    while lo < hi, ConfigText.isSpace(bytes[lo]) { lo += 1 }
    while hi > lo, ConfigText.isSpace(bytes[hi - 1]) { hi -= 1 }
    return lo < hi ? lo..<hi : nil
  }

  /// `m/snapstate:\s*(prepare|delete)\s*$/` (not anchored at the start).
  func snapstate(_ r: Range<Int>) -> String? {
    var end = r.upperBound
    while end > r.lowerBound, ConfigText.isSpace(bytes[end - 1]) { end -= 1 }
    let tail = bytes[r.lowerBound..<end]
    guard
      tail.reversed().starts(with: "eraperp".utf8) || tail.reversed().starts(with: "eteled".utf8)
    else { return nil }
    let needle = Array("snapstate:".utf8)
    var i = r.lowerBound
    while i + needle.count <= r.upperBound {
      if bytes[i..<(i + needle.count)].elementsEqual(needle) {
        var j = i + needle.count
        while j < r.upperBound, ConfigText.isSpace(bytes[j]) { j += 1 }
        var hi = r.upperBound
        while hi > j, ConfigText.isSpace(bytes[hi - 1]) { hi -= 1 }
        let word = String(decoding: bytes[j..<hi], as: UTF8.self)
        if word == "prepare" || word == "delete" { return word }
      }
      i += 1
    }
    return nil
  }

  /// `^([a-z][a-z_\-]*\d*):\s*(.+?)\s*$` (QEMU) or `^([a-z][a-z_]*\d*):\s*(.+?)\s*$` (container).
  func keyValue(_ r: Range<Int>) -> (key: String, value: Range<Int>)? {
    guard let colon = bytes[r].firstIndex(of: UInt8(ascii: ":")), colon > r.lowerBound else {
      return nil
    }
    let key = bytes[r.lowerBound..<colon]
    guard let first = key.first, first >= 0x61, first <= 0x7A else { return nil }
    var i = key.startIndex + 1
    while i < key.endIndex {
      let b = key[i]
      let ok =
        (b >= 0x61 && b <= 0x7A) || b == UInt8(ascii: "_")
        || (kind == .qemu && b == UInt8(ascii: "-"))
      if !ok { break }
      i += 1
    }
    while i < key.endIndex, key[i] >= 0x30, key[i] <= 0x39 { i += 1 }
    guard i == key.endIndex else { return nil }
    let rest = (colon + 1)..<r.upperBound
    guard !rest.isEmpty else { return nil }
    var lo = rest.lowerBound
    while lo < rest.upperBound, ConfigText.isSpace(bytes[lo]) { lo += 1 }
    if lo == rest.upperBound {
      // `\s*` gives back one character so that `.+?` matches: the value is the last blank.
      return (String(decoding: key, as: UTF8.self), (rest.upperBound - 1)..<rest.upperBound)
    }
    var hi = rest.upperBound
    while hi > lo, ConfigText.isSpace(bytes[hi - 1]) { hi -= 1 }
    return (String(decoding: key, as: UTF8.self), lo..<hi)
  }

  // MARK: QEMU (qemu-server PVE::QemuServer::parse_vm_config)

  mutating func qemuLine(_ r: Range<Int>, number: Int) {
    if let name = header(r) {
      let lower = Self.lowercased(name)
      if lower == "pending" {
        finishDescription()
        if pending != nil { warn(number, "duplicate section: pending") }
        pending = GuestConfigSection()
        target = .pending
        conf = .pending
        return
      }
      if lower == "special:cloudinit" || lower == "special:fleecing" {
        let n = String(decoding: name.dropFirst("special:".count), as: UTF8.self)
        finishDescription()
        if special[n] != nil { warn(number, "duplicate special section: \(n)") }
        special[n] = GuestConfigSection()
        target = .special(n)
        conf = .special(n)
        return
      }
      if Self.isSectionName(name) {
        let n = String(decoding: name, as: UTF8.self)
        finishDescription()
        if snapshots[n] != nil { warn(number, "duplicate snapshot section: \(n)") }
        snapshots[n] = GuestConfigSection()
        target = .snapshot(n)
        conf = .snapshot(n)
        return
      }
      finishDescription()
      target = nil
      warn(number, "skipping unknown section: '\(ConfigText.latin1(name))'")
      return
    }
    guard let target else { return }

    if bytes[r.lowerBound] == UInt8(ascii: "#") {
      descr = (descr ?? "") + ConfigText.decodeText(bytes[(r.lowerBound + 1)..<r.upperBound]) + "\n"
      return
    }
    if let v = trimmedRest(r, after: "description:") {
      descr = (descr ?? "") + ConfigText.decodeText(bytes[v])
    } else if let state = snapstate(r) {
      update(target) { $0.values["snapstate"] = .string(state) }
    } else if let v = trimmedRest(r, after: "args:") {
      let value = ConfigText.latin1(bytes[v])
      update(target) { $0.values["args"] = .string(value) }
    } else if let v = trimmedRest(r, after: "delete:") {
      if target == .pending {
        let value = ConfigText.latin1(bytes[v])
        update(target) { $0.values["delete"] = .string(value) }
      } else {
        warn(number, "property 'delete' is only allowed in [PENDING]")
      }
    } else if let (key, v) = keyValue(r) {
      let raw = ConfigText.latin1(bytes[v])
      if case .special(let n) = target, n == "cloudinit" {
        update(target) { $0.values[key] = .string(raw) }
        return
      }
      let schema: ConfigSchema.KeySchema?
      switch target {
      case .special(let n) where n == "fleecing":
        schema = key == "fleecing-images" ? .init(type: .string, hasFormat: true) : nil
      case .special:
        warn(number, "unable to parse value of '\(key)' - check_type: no schema defined")
        return
      default:
        schema = ConfigSchema.schema(key, kind: .qemu)
      }
      switch Self.checkType(key, raw, schema, stripQuotes: true) {
      case .success(let value):
        let k = key == "cdrom" ? "ide2" : key
        if k == "description", case .string(let s) = value {
          update(target) { $0.description = s }
        } else {
          update(target) { $0.values[k] = value }
        }
      case .failure(let message):
        warn(number, "unable to parse value of '\(key)' - \(message)")
      }
    } else {
      warn(number, "unable to parse config: \(ConfigText.latin1(bytes[r]))")
    }
  }

  // MARK: Containers (pve-container PVE::LXC::Config::parse_pct_config)

  mutating func containerLine(_ r: Range<Int>, number: Int) {
    if let name = header(r) {
      if Self.lowercased(name) == "pve:pending" {
        finishContainerDescription()
        pending = GuestConfigSection()
        target = .pending
        conf = .pending
        return
      }
      if Self.isSectionName(name) {
        let n = String(decoding: name, as: UTF8.self)
        finishContainerDescription()
        snapshots[n] = GuestConfigSection()
        target = .snapshot(n)
        conf = .snapshot(n)
        return
      }
    }
    let target = self.target ?? .main

    if bytes[r.lowerBound] == UInt8(ascii: "#") {
      descr = (descr ?? "") + ConfigText.decodeText(bytes[(r.lowerBound + 1)..<r.upperBound]) + "\n"
      return
    }
    if let (key, v) = rawKey(r) {
      let value = ConfigText.latin1(bytes[v])
      let validity = rawKeyValidity(key, number: number)
      if key == "lxc.environment.runtime" {
        update(target) { s in
          if case .string(let env)? = s.values["env"] {
            s.values["env"] = .string(env + "\u{0}" + value)
          } else {
            s.values["env"] = .string(value)
          }
        }
      } else if validity == nil {
        update(target) { $0.lxc.append(LXCRawKey(key: key, value: value)) }
      } else if let message = validity, !message.isEmpty {
        warn(number, "\(key): \(message)")
      } else {
        warn(number, "unable to parse config: \(ConfigText.latin1(bytes[r]))")
      }
    } else if let v = trimmedRest(r, after: "description:") {
      descr = (descr ?? "") + ConfigText.decodeText(bytes[v])
    } else if let state = snapstate(r) {
      update(target) { $0.values["snapstate"] = .string(state) }
    } else if let v = trimmedRest(r, after: "delete:") {
      if target == .pending {
        let value = ConfigText.latin1(bytes[v])
        update(target) { $0.values["delete"] = .string(value) }
      } else {
        warn(number, "property 'delete' is only allowed in [pve:pending]")
      }
    } else if let (key, v) = keyValue(r) {
      let raw = ConfigText.latin1(bytes[v])
      var value = JSONValue.string(raw)
      switch Self.checkType(key, raw, ConfigSchema.schema(key, kind: .lxc), stripQuotes: false) {
      case .success(let typed): value = typed
      case .failure(let message): warn(number, "unable to parse value of '\(key)' - \(message)")
      }
      // parse_pct_config keeps the value even when check_type failed.
      if key == "description", case .string(let s) = value {
        update(target) { $0.description = s }
      } else {
        update(target) { $0.values[key] = value }
      }
    } else {
      warn(number, "unable to parse config: \(ConfigText.latin1(bytes[r]))")
    }
  }

  /// `^(lxc\.[a-z0-9_\-\.]+)(:|\s*=)\s*(.*?)\s*$`.
  func rawKey(_ r: Range<Int>) -> (key: String, value: Range<Int>)? {
    guard has(r, prefix: "lxc.") else { return nil }
    var i = r.lowerBound + 4
    while i < r.upperBound {
      let b = bytes[i]
      let ok =
        (b >= 0x61 && b <= 0x7A) || (b >= 0x30 && b <= 0x39) || b == UInt8(ascii: "_")
        || b == UInt8(ascii: "-") || b == UInt8(ascii: ".")
      if !ok { break }
      i += 1
    }
    guard i > r.lowerBound + 4 else { return nil }
    let key = String(decoding: bytes[r.lowerBound..<i], as: UTF8.self)
    var j = i
    if j < r.upperBound, bytes[j] == UInt8(ascii: ":") {
      j += 1
    } else {
      while j < r.upperBound, ConfigText.isSpace(bytes[j]) { j += 1 }
      guard j < r.upperBound, bytes[j] == UInt8(ascii: "=") else { return nil }
      j += 1
    }
    while j < r.upperBound, ConfigText.isSpace(bytes[j]) { j += 1 }
    var hi = r.upperBound
    while hi > j, ConfigText.isSpace(bytes[hi - 1]) { hi -= 1 }
    return (key, j..<hi)
  }

  /// pve-container `is_valid_lxc_conf_key`: nil = accepted (perhaps with a warning), a message =
  /// refused with it, "" = unknown (refused as unparsable).
  mutating func rawKeyValidity(_ key: String, number: Int) -> String? {
    if key.hasPrefix("lxc.limit.") {
      warn(number, "\(key): lxc.limit.* was renamed to lxc.prlimit.*")
      return nil
    }
    if let new = ConfigSchema.lxcDeprecatedRawKeys[key] {
      warn(number, "\(key) is deprecated and was renamed to \(new)")
      return nil
    }
    if let known = ConfigSchema.lxcRawKeys[key] { return known }
    if key.hasPrefix("lxc.cgroup.") {
      warn(number, "\(key) is deprecated, this will be a hard error in the future!")
      return nil
    }
    if key.hasPrefix("lxc.cgroup2.") || key.hasPrefix("lxc.prlimit.") || key.hasPrefix("lxc.net.") {
      return nil
    }
    return ""
  }

  // MARK: check_type

  /// qemu-server `PVE::QemuServer::check_type` / pve-container `PVE::LXC::Config::check_type`.
  /// Formats (`check_format`) are not checked: see docs/pve-config-format.md.
  static func checkType(
    _ key: String, _ value: String, _ schema: ConfigSchema.KeySchema?, stripQuotes: Bool
  ) -> Result<JSONValue, CheckFailure> {
    guard let schema else { return .failure(CheckFailure("unknown setting '\(key)'")) }
    if value.utf8.contains(where: { $0 == 0x0A || $0 == 0x0D }) {
      return .failure(CheckFailure("property contains a line feed"))
    }
    let ascii = value.utf8
    let allDigits = !ascii.isEmpty && ascii.allSatisfy { $0 >= 0x30 && $0 <= 0x39 }
    switch schema.type {
    case .boolean:
      let lower = value.lowercased()
      if value == "1" || ["on", "yes", "true"].contains(lower) { return .success(.int(1)) }
      if value == "0" || ["off", "no", "false"].contains(lower) { return .success(.int(0)) }
      return .failure(CheckFailure("type check ('boolean') failed - got '\(value)'"))
    case .integer:
      guard allDigits else {
        return .failure(CheckFailure("type check ('integer') failed - got '\(value)'"))
      }
      if let i = Int64(value) { return .success(.int(i)) }
      return .success(.double(Double(value) ?? 0))
    case .number:
      let parts = value.split(separator: ".", omittingEmptySubsequences: false)
      let ok =
        (parts.count == 1 || parts.count == 2)
        && parts.allSatisfy { p in !p.isEmpty && p.utf8.allSatisfy { $0 >= 0x30 && $0 <= 0x39 } }
      return ok
        ? .success(.string(value))
        : .failure(CheckFailure("type check ('number') failed - got '\(value)'"))
    case .string:
      if stripQuotes, !schema.hasFormat, value.utf8.count >= 2, value.hasPrefix("\""),
        value.hasSuffix("\"")
      {
        return .success(.string(String(value.dropFirst().dropLast())))
      }
      return .success(.string(value))
    }
  }

  struct CheckFailure: Error {
    var message: String
    init(_ message: String) { self.message = message }
  }
}

extension ConfigParser.CheckFailure: CustomStringConvertible {
  var description: String { message }
}
