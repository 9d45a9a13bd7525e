import Foundation
import PVEModel

extension GuestConfigFile {
  /// Proxmox-format text for a config object in pvesh's shape (`digest` ignored), as qemu-server
  /// `write_vm_config` / pve-container `write_pct_config` would write it.
  /// `parse(render(x)).pveshConfig() == x` (modulo `digest`) for every object pvesh can print.
  ///
  /// A value the writers would refuse (a line feed in it: qemu-server's `check_type` dies on `\r`
  /// or `\n`, pve-container's writer on `\n`) or a key no reader would take back (not
  /// `[a-z][a-z_-]*\d*`) is left out rather than written, so that no value can add a line of its
  /// own. The text is UTF-8; `GuestConfigFile(pvesh:kind:file:).raw()` gives the exact bytes (a
  /// value pvesh prints with characters U+0080…U+00FF is one byte per character in the file).
  package static func render(_ config: [String: JSONValue], kind: GuestKind) -> String {
    String(decoding: GuestConfigFile(pvesh: config, kind: kind, file: "").raw(), as: UTF8.self)
  }

  /// A file holding just a main section made from a config object in pvesh's shape (`digest`
  /// ignored); `raw()` then writes it.
  package init(pvesh config: [String: JSONValue], kind: GuestKind, file: String) {
    self.init(kind: kind, file: file, main: Self.section(fromPvesh: config, kind: kind))
  }

  /// The main section for a pvesh-shaped object: `description`, container `lxc` pairs, and every
  /// other value as text (`null`, arrays and objects cannot be written and are left out).
  static func section(fromPvesh config: [String: JSONValue], kind: GuestKind) -> GuestConfigSection
  {
    var s = GuestConfigSection()
    for (key, value) in config {
      switch key {
      case "digest": continue
      case "description":
        if let d = value.stringValue { s.description = d }
      case "lxc" where kind == .lxc:
        for pair in value.arrayValue ?? [] {
          if let p = pair.arrayValue, p.count == 2, let k = p[0].stringValue,
            let v = p[1].stringValue
          {
            s.lxc.append(LXCRawKey(key: k, value: v))
          }
        }
      default:
        switch value {
        case .null, .array, .object: continue
        default: s.values[key] = value
        }
      }
    }
    return s
  }

  /// The whole file: main section, pending section, special sections and snapshots, in the order
  /// and form Proxmox's writers use. `parse(x.raw())` gives back `x` (modulo `digest`, `warnings`
  /// and what the writers themselves drop, such as an `unusedN` naming a volume still in use).
  package func raw() -> Data {
    var out: [UInt8] = []
    if kind == .qemu {
      var main = self.main
      Self.qemuWriteFixups(&main, pending: pending)
      out += Self.qemuSection(main, pending: false)
      if let pending, !pending.isEmpty {
        out += Array("\n[PENDING]\n".utf8)
        out += Self.qemuSection(pending, pending: true)
      }
      for name in special.keys.sorted(by: Self.perlLess) {
        guard let s = special[name], ["cloudinit", "fleecing"].contains(name) else { continue }
        if name == "cloudinit" && !Self.hasCloudinit(main) { continue }
        out += Array("\n[special:\(name)]\n".utf8)
        out += Self.qemuSection(s, pending: false)
      }
      for name in snapshots.keys.sorted(by: Self.perlLess) {
        guard let s = snapshots[name], Self.isWritableSectionName(name) else { continue }
        out += Array("\n[\(name)]\n".utf8)
        out += Self.qemuSection(s, pending: false)
      }
    } else {
      var main = self.main
      Self.containerWriteFixups(&main)
      out += Self.containerSection(main)
      if let pending, !pending.isEmpty {
        out += Array("\n[pve:pending]\n".utf8)
        out += Self.containerSection(pending)
      }
      for name in snapshots.keys.sorted(by: Self.perlLess) {
        guard let s = snapshots[name], Self.isWritableSectionName(name) else { continue }
        out += Array("\n[\(name)]\n".utf8)
        out += Self.containerSection(s)
      }
    }
    return Data(out)
  }

  /// Perl's `sort`: byte order.
  static func perlLess(_ a: String, _ b: String) -> Bool {
    a.utf8.lexicographicallyPrecedes(b.utf8)
  }

  /// The text of a value: integers in decimal, strings as their bytes (see `ConfigText.bytes`).
  static func text(_ value: JSONValue) -> [UInt8]? {
    switch value {
    case .string(let s): return ConfigText.bytes(of: s)
    case .int(let i): return Array(String(i).utf8)
    case .double(let d):
      if d.isFinite, d == d.rounded(), abs(d) < 1e15 { return Array(String(Int64(d)).utf8) }
      return Array("\(d)".utf8)
    case .bool(let b): return Array((b ? "1" : "0").utf8)
    case .null, .array, .object: return nil
    }
  }

  static func keyLines(_ values: [String: JSONValue], skip: Set<String>, kind: GuestKind)
    -> [UInt8]
  {
    var out: [UInt8] = []
    for key in values.keys.sorted(by: perlLess) where !skip.contains(key) {
      guard isWritableKey(key, kind: kind), let v = values[key], let t = text(v),
        !t.contains(0x0A), kind == .lxc || !t.contains(0x0D)
      else { continue }
      out += Array("\(key): ".utf8)
      out += t
      out.append(0x0A)
    }
    return out
  }

  /// A key the readers take back: `[a-z][a-z_-]*\d*` (containers: no `-`).
  static func isWritableKey(_ key: String, kind: GuestKind) -> Bool {
    let b = Array(key.utf8)
    guard let first = b.first, first >= 0x61, first <= 0x7A else { return false }
    var i = 1
    while i < b.count,
      (b[i] >= 0x61 && b[i] <= 0x7A) || b[i] == UInt8(ascii: "_")
        || (kind == .qemu && b[i] == UInt8(ascii: "-"))
    {
      i += 1
    }
    while i < b.count, b[i] >= 0x30, b[i] <= 0x39 { i += 1 }
    return i == b.count
  }

  /// A `[name]` header the readers take back as the same section.
  static func isWritableSectionName(_ name: String) -> Bool {
    ConfigParser.isSectionName(Array(name.utf8))
  }

  // MARK: QEMU (qemu-server PVE::QemuServer::write_vm_config)

  /// `cdrom` becomes `ide2`; `smp` becomes `sockets` (dropping `cores`) unless `sockets` is set;
  /// an `unusedN` naming a volume a drive uses (main or pending) is removed.
  static func qemuWriteFixups(_ s: inout GuestConfigSection, pending: GuestConfigSection?) {
    if let cdrom = s.values["cdrom"], s.values["ide2"] == nil {
      s.values["ide2"] = cdrom
      s.values["cdrom"] = nil
    }
    if let sockets = s.values["sockets"], isTrue(sockets) {
      s.values["smp"] = nil
    } else if let smp = s.values["smp"], isTrue(smp) {
      s.values["sockets"] = smp
      s.values["cores"] = nil
      s.values["smp"] = nil
    }
    var used = Set<String>()
    for section in [s, pending ?? GuestConfigSection()] {
      for (key, value) in section.values where isDriveKey(key) {
        if let file = volume(of: value, defaultKey: "file") { used.insert(file) }
      }
    }
    for (key, value) in s.values where key.hasPrefix("unused") {
      if let v = value.stringValue, used.contains(v) { s.values[key] = nil }
    }
  }

  /// qemu-server `is_valid_drivename`: ide, sata, scsi, virtio disks, efidisk0, tpmstate0.
  static func isDriveKey(_ key: String) -> Bool {
    guard
      let stem = ["ide", "sata", "scsi", "virtio", "efidisk", "tpmstate"].first(where: {
        key.hasPrefix($0)
      })
    else { return false }
    let s = ConfigSchema.schema(key, kind: .qemu)
    return s != nil && key.dropFirst(stem.count).allSatisfy { $0.isASCII && $0.isNumber }
  }

  /// The volume of a drive or mount point value: its first field (`file=`/`volume=` optional).
  static func volume(of value: JSONValue, defaultKey: String) -> String? {
    guard let s = value.stringValue else { return nil }
    for field in s.split(separator: ",") {
      if field.hasPrefix("\(defaultKey)=") { return String(field.dropFirst(defaultKey.count + 1)) }
    }
    guard let first = s.split(separator: ",").first, !first.contains("=") else { return nil }
    return String(first)
  }

  /// `PVE::QemuConfig::has_cloudinit`: a drive whose volume is a cloud-init disk.
  static func hasCloudinit(_ s: GuestConfigSection) -> Bool {
    s.values.contains { key, value in
      guard isDriveKey(key), let file = volume(of: value, defaultKey: "file") else { return false }
      return isCloudinitVolume(file)
    }
  }

  /// `drive_is_cloudinit`: `m@[:/](?:vm-\d+-)?cloudinit(?:\.(qcow2|raw|vmdk))?$@`.
  static func isCloudinitVolume(_ file: String) -> Bool {
    var name = Substring(file)
    for ext in [".qcow2", ".raw", ".vmdk"] where name.hasSuffix(ext) {
      name = name.dropLast(ext.count)
      break
    }
    guard name.hasSuffix("cloudinit") else { return false }
    var head = name.dropLast("cloudinit".count)
    if head.hasSuffix("-"), head.hasPrefix("") {
      // optional `vm-<digits>-`
      let beforeDash = head.dropLast()
      let digits = beforeDash.reversed().prefix { $0.isASCII && $0.isNumber }.count
      if digits > 0, beforeDash.dropLast(digits).hasSuffix("vm-") {
        head = beforeDash.dropLast(digits).dropLast(3)
      }
    }
    return head.hasSuffix(":") || head.hasSuffix("/")
  }

  /// `$generate_raw_config`: the description as `#` lines (a pending, empty one as `#`), then
  /// `key: value` lines sorted by key.
  static func qemuSection(_ s: GuestConfigSection, pending: Bool) -> [UInt8] {
    var out: [UInt8] = []
    if let d = s.description {
      if ConfigText.isTrue(d) {
        for line in ConfigText.perlSplitLines(d) {
          out.append(UInt8(ascii: "#"))
          out += ConfigText.encodeText(String(line))
          out.append(0x0A)
        }
      } else if pending {
        out += Array("#\n".utf8)
      }
    }
    out += keyLines(s.values, skip: ["digest", "description", "pending", "snapshots"], kind: .qemu)
    return out
  }

  // MARK: Containers (pve-container PVE::LXC::Config::write_pct_config)

  /// An `unusedN` naming a volume that `rootfs` or an `mpN` still uses is removed.
  static func containerWriteFixups(_ s: inout GuestConfigSection) {
    var used = Set<String>()
    for (key, value) in s.values where key == "rootfs" || isMountPointKey(key) {
      if let v = volume(of: value, defaultKey: "volume") { used.insert(v) }
    }
    for (key, value) in s.values where key.hasPrefix("unused") {
      if let v = value.stringValue, used.contains(v) { s.values[key] = nil }
    }
  }

  static func isMountPointKey(_ key: String) -> Bool {
    key.hasPrefix("mp") && key.count > 2
      && key.dropFirst(2).allSatisfy { $0.isASCII && $0.isNumber }
  }

  /// `$generate_raw_config`: `#` lines, `key: value` lines sorted (not `env`, `lxc`), then
  /// `lxc.environment.runtime` lines from `env`, then the `lxc.*` lines in order.
  ///
  /// A description that does not end with a newline (pvesh prints one only for a `description:`
  /// line) ends with a `description:` line instead of a `#` line, so that it reads back the same.
  static func containerSection(_ s: GuestConfigSection) -> [UInt8] {
    var out: [UInt8] = []
    let d = s.description ?? ""
    var lines = ConfigText.perlSplitLines(d)
    var last: Substring?
    if !d.hasSuffix("\n"), ConfigText.isTrue(d), let l = lines.last {
      last = l
      lines.removeLast()
    }
    for line in lines {
      out.append(UInt8(ascii: "#"))
      out += ConfigText.encodeText(String(line))
      out.append(0x0A)
    }
    if let last {
      out += Array("description: ".utf8)
      out += encodeEdges(String(last))
      out.append(0x0A)
    }
    out += keyLines(
      s.values, skip: ["digest", "description", "pending", "snapshots", "snapname", "env", "lxc"],
      kind: .lxc)
    if case .string(let env)? = s.values["env"] {
      for variable in env.split(separator: "\u{0}") where !variable.contains("\n") {
        out += Array("lxc.environment.runtime: ".utf8)
        out += ConfigText.bytes(of: String(variable))
        out.append(0x0A)
      }
    }
    for entry in s.lxc
    where entry.key != "lxc.environment.runtime" && isWritableRawKey(entry.key)
      && !entry.value.contains("\n")
    {
      out += Array("\(entry.key): ".utf8)
      out += ConfigText.bytes(of: entry.value)
      out.append(0x0A)
    }
    return out
  }

  /// `lxc\.[a-z0-9_\-\.]+`.
  static func isWritableRawKey(_ key: String) -> Bool {
    key.hasPrefix("lxc.") && key.count > 4
      && key.utf8.dropFirst(4).allSatisfy { b in
        (b >= 0x61 && b <= 0x7A) || (b >= 0x30 && b <= 0x39) || b == UInt8(ascii: "_")
          || b == UInt8(ascii: "-") || b == UInt8(ascii: ".")
      }
  }

  /// `encode_text`, with leading and trailing blanks escaped too (a `description:` line loses them).
  static func encodeEdges(_ text: String) -> [UInt8] {
    var encoded = ConfigText.encodeText(text)
    var lead = 0
    while lead < encoded.count, encoded[lead] == 0x20 { lead += 1 }
    var trail = 0
    while trail < encoded.count - lead, encoded[encoded.count - 1 - trail] == 0x20 { trail += 1 }
    let pct = Array("%20".utf8)
    encoded =
      Array(repeating: pct, count: lead).flatMap { $0 } + encoded[lead..<(encoded.count - trail)]
      + Array(repeating: pct, count: trail).flatMap { $0 }
    return encoded
  }
}
