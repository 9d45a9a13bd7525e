import Foundation
import PVEConfig
import PVEModel
import Testing

/// Inputs Proxmox never writes but a damaged or hand-edited file can hold: each is read the way
/// Proxmox reads it (with the same warnings, naming file and line), or refused with file and line.
@Suite struct HostileInputTests {
  static let vm = "/etc/pve/nodes/pve1/qemu-server/101.conf"
  static let ct = "/etc/pve/nodes/pve1/lxc/105.conf"

  static func parse(_ bytes: [UInt8], _ kind: GuestKind = .qemu) throws(ConfigFileError)
    -> GuestConfigFile
  {
    try GuestConfigFile.parse(Data(bytes), kind: kind, file: kind == .qemu ? vm : ct)
  }

  static func parse(_ text: String, _ kind: GuestKind = .qemu) throws(ConfigFileError)
    -> GuestConfigFile
  {
    try parse(Array(text.utf8), kind)
  }

  @Test func oneMebibyteLine() throws {
    let long = String(repeating: "a", count: 1 << 20)
    let file = try Self.parse("cores: 2\nargs: -append \(long)\n#\(long)\nname: x\n")
    #expect(file.main.values["args"] == .string("-append \(long)"))
    #expect(file.main.description == long)
    #expect(file.main.values["cores"] == .int(2) && file.main.values["name"] == .string("x"))
    let ct = try Self.parse("lxc.mount.entry: \(long)\nhostname: h\n", .lxc)
    #expect(ct.main.lxc.first?.value == long)
  }

  /// There are no comments after values: a `#` inside a value is part of it.
  @Test func hashInsideValues() throws {
    let file = try Self.parse(
      "name: web\ntags: a#b\nnet0: virtio=BC:24:11:AA:BB:CC,bridge=vmbr0 # lan\n")
    #expect(file.main.values["tags"] == .string("a#b"))
    #expect(file.main.values["net0"] == .string("virtio=BC:24:11:AA:BB:CC,bridge=vmbr0 # lan"))
    #expect(file.main.description == nil)
    // Only a `#` at the very start of a line is a description line.
    let indented = try Self.parse(" #not a description\nname: web\n")
    #expect(indented.main.description == nil)
    #expect(indented.warnings.map(\.line) == [1])
  }

  /// QEMU skips keys it does not know and values that fail the type check; containers keep them
  /// (pve-container warns but stores the raw value). Both warn, naming the file and the line.
  @Test func unknownKeysAndBadValues() throws {
    let text = "cores: four\nfoo: bar\nnet32: virtio\nnet01: virtio\nname: ok\nonboot: yes\n"
    let vm = try Self.parse(text)
    #expect(vm.main.values == ["name": .string("ok"), "onboot": .int(1)])
    #expect(vm.warnings.map(\.line) == [1, 2, 3, 4])
    #expect(vm.warnings.allSatisfy { $0.file == Self.vm })
    #expect(
      vm.warnings[0].description.hasPrefix(
        "\(Self.vm):1: vm 101 - unable to parse value of 'cores' - type check ('integer') failed - got 'four'"
      ))
    #expect(vm.warnings[1].detail.contains("unknown setting 'foo'"))
    #expect(vm.warnings[0].detail.hasSuffix("or by editing the file"))

    let ct = try Self.parse(text, .lxc)
    #expect(ct.main.values["cores"] == .string("four"))
    #expect(ct.main.values["foo"] == .string("bar"))
    #expect(ct.main.values["onboot"] == .int(1))
    #expect(ct.pveshConfig()["foo"] == .string("bar"))
    #expect(ct.warnings.map(\.line) == [1, 2, 3, 4, 5])  // `name` is a QEMU key only
  }

  @Test func crlfLineEnds() throws {
    let lf = "#note\ncores: 2\nname: web\n\n[PENDING]\nmemory: 2048\n"
    let crlf = lf.replacingOccurrences(of: "\n", with: "\r\n")
    let a = try Self.parse(lf)
    let b = try Self.parse(crlf)
    #expect(a.main.values == b.main.values)
    #expect(a.pending == b.pending)
    #expect(b.main.description == "note")  // trailing white space trimmed (qemu-server)
    #expect(b.warnings.isEmpty)
    // Containers keep the carriage return of a `#` line, as pve-container does.
    let ct = try Self.parse("#note\r\nhostname: h\r\n", .lxc)
    #expect(ct.main.description == "note\r\n")
    #expect(ct.main.values["hostname"] == .string("h"))
  }

  @Test func noFinalNewline() throws {
    let a = try Self.parse("cores: 2\nname: web")
    let b = try Self.parse("cores: 2\nname: web\n")
    #expect(a.main == b.main)
    #expect(a.digest != b.digest)
  }

  @Test func nulByteIsRefused() throws {
    #expect(throws: ConfigFileError.self) { try Self.parse(Array("cores: 2\nname: a\0b\n".utf8)) }
    do {
      _ = try Self.parse(Array("cores: 2\n\nname: a\0b\n".utf8), .lxc)
      Issue.record("a NUL byte was accepted")
    } catch {
      #expect(error.file == Self.ct)
      #expect(error.line == 3)
      #expect(error.description.hasPrefix("\(Self.ct):3: contains a NUL byte"))
      #expect(error.detail.hasSuffix("`pct set`"))
    }
  }

  /// Values are bytes (pmxcfs does not decode); pvesh prints each byte as one character.
  /// Descriptions are decoded as UTF-8, bad sequences becoming U+FFFD.
  @Test func invalidUTF8() throws {
    let bytes: [UInt8] =
      Array("#caf".utf8) + [0xC3] + Array("\nname: a".utf8) + [0xFF, 0xFE] + [0x0A]
    let file = try Self.parse(bytes)
    #expect(file.main.description == "caf\u{FFFD}")
    #expect(file.main.values["name"] == .string("a\u{FF}\u{FE}"))
    // And back: the same bytes.
    #expect([UInt8](file.raw()) == Array("#caf%EF%BF%BD\nname: a".utf8) + [0xFF, 0xFE, 0x0A])
    // Valid UTF-8 in a value is printed by pvesh as its bytes, too.
    let ct = try Self.parse("lxc.apparmor.raw: café\n", .lxc)
    #expect(ct.main.lxc.first?.value == "caf\u{C3}\u{A9}")
    #expect(Array(ct.raw()) == Array("lxc.apparmor.raw: café\n".utf8))
  }

  @Test func duplicateKeyLastWins() throws {
    let file = try Self.parse("cores: 2\ncores: 4\n")
    #expect(file.main.values["cores"] == .int(4))
    let ct = try Self.parse("lxc.mount.entry: a\nlxc.mount.entry: b\n", .lxc)
    #expect(ct.main.lxc.map(\.value) == ["a", "b"])
  }

  @Test func duplicateSectionStartsOver() throws {
    let file = try Self.parse("cores: 1\n\n[snap]\ncores: 2\nname: x\n\n[snap]\ncores: 3\n")
    #expect(file.snapshots["snap"]?.values == ["cores": .int(3)])
    #expect(file.warnings.map(\.line) == [7])
  }

  /// `[]` is an unknown section for qemu-server (its lines skipped) and an unparsable line for
  /// pve-container (the lines after it stay in the section before).
  @Test func sectionWithoutName() throws {
    let text = "cores: 1\n\n[]\ncores: 2\nname: x\n"
    let vm = try Self.parse(text)
    #expect(vm.main.values == ["cores": .int(1)])
    #expect(vm.warnings.map(\.line) == [3])
    #expect(vm.warnings[0].detail.contains("skipping unknown section: ''"))
    let ct = try Self.parse(text, .lxc)
    #expect(ct.main.values == ["cores": .int(2), "name": .string("x")])
    #expect(ct.warnings.map(\.line) == [3, 5])  // `name` is unknown to containers, and kept
    // One letter is not a snapshot name either (`[a-z][a-z0-9_-]+`).
    #expect(try Self.parse("cores: 1\n[a]\ncores: 2\n").main.values["cores"] == .int(1))
  }

  @Test func emptyFile() throws {
    for kind in GuestKind.allCases {
      let file = try Self.parse("", kind)
      #expect(file.pveshConfig() == ["digest": .string("da39a3ee5e6b4b0d3255bfef95601890afd80709")])
      #expect(file.warnings.isEmpty)
      #expect(file.raw().isEmpty)
    }
  }

  /// Proxmox spellings: `cdrom` is `ide2`; unquoted strings without a format; `delete` only in
  /// the pending section; pending header names per kind.
  @Test func proxmoxQuirks() throws {
    let vm = try Self.parse(
      "cdrom: none,media=cdrom\nciuser: \"debian\"\nname: \"web\"\ndelete: name\n[pending]\ndelete: x\n"
    )
    #expect(vm.main.values["ide2"] == .string("none,media=cdrom"))
    #expect(vm.main.values["ciuser"] == .string("debian"))
    #expect(vm.main.values["name"] == .string("\"web\""))
    #expect(vm.warnings.map(\.line) == [4])
    #expect(vm.pending?.values["delete"] == .string("x"))
    // In a container, [PENDING] is a snapshot called PENDING; the pending section is [pve:pending].
    let ct = try Self.parse(
      "hostname: a\n[PENDING]\nhostname: b\n[pve:pending]\nhostname: c\n", .lxc)
    #expect(ct.snapshots["PENDING"]?.values["hostname"] == .string("b"))
    #expect(ct.pveshConfig()["hostname"] == .string("c"))
    // Booleans in their other spellings, white space around values.
    let b = try Self.parse("onboot:   Yes  \t\nnuma:off\n")
    #expect(b.main.values == ["onboot": .int(1), "numa": .int(0)])
  }

  /// `snapstate` lines are recognised anywhere in a line, and dropped from the main section.
  @Test func snapstate() throws {
    let file = try Self.parse("name: a\nsnapstate: prepare\n\n[s1]\nsnapstate: delete\n")
    #expect(file.main.values["snapstate"] == nil)
    #expect(file.snapshots["s1"]?.values["snapstate"] == .string("delete"))
  }

  /// Container raw keys: refused ones (with Proxmox's message), deprecated ones, `=` as separator.
  @Test func containerRawKeys() throws {
    let ct = try Self.parse(
      "lxc.rootfs.path: /x\nlxc.aa_profile = unconfined\nlxc.bogus: 1\nlxc.net.0.type: veth\n", .lxc
    )
    #expect(ct.main.lxc.map(\.key) == ["lxc.aa_profile", "lxc.net.0.type"])
    #expect(ct.main.lxc.first?.value == "unconfined")
    #expect(ct.warnings.map(\.line) == [1, 2, 3])
    #expect(ct.warnings[0].detail.contains("lxc.rootfs.path is auto generated from rootfs"))
  }

  /// No value, key or raw key can add a line of its own to a written file.
  @Test func renderCannotInjectLines() throws {
    for kind in GuestKind.allCases {
      let text = GuestConfigFile.render(
        [
          "name": .string("x\nlxc.hook.pre-start: /bin/evil"),
          "hostname": .string("a\ncores: 99"),
          "tags": .string("a\rcores: 99"),
          "cores: 99\nfoo": .string("1"),
          "Memory": .int(1),
          "memory": .int(512),
          "description": .string("line\n[PENDING]\ncores: 99"),
          "lxc": .array([
            .array([.string("lxc.apparmor.profile"), .string("x\ncores: 99")]),
            .array([.string("lxc.a: b\ncores"), .string("99")]),
          ]),
        ], kind: kind)
      let file = try GuestConfigFile.parse(Data(text.utf8), kind: kind, file: "x.conf")
      #expect(file.pveshConfig()["cores"] == nil, "\(kind): \(text)")
      #expect(file.pending == nil && file.snapshots.isEmpty, "\(kind): \(text)")
      // A carriage return stays inside its line; pve-container warns and keeps the value.
      #expect(file.warnings.map(\.line) == (kind == .qemu ? [] : [5]), "\(kind): \(file.warnings)")
      #expect(file.pveshConfig()["memory"] == (kind == .qemu ? .string("512") : .int(512)))
      #expect(file.pveshConfig()["description"] == .string("line\n[PENDING]\ncores: 99"))
    }
    // A container value may hold a carriage return (pve-container reads it back as it is).
    let ct = GuestConfigFile.render(["hostname": .string("a\rb")], kind: .lxc)
    #expect(ct == "hostname: a\rb\n")
    #expect(GuestConfigFile.render(["name": .string("a\rb")], kind: .qemu) == "")
  }

  /// Snapshot and special section names that would not read back are not written.
  @Test func rawSkipsUnreadableSections() {
    var file = GuestConfigFile(kind: .qemu, file: "x.conf")
    file.main.values["cores"] = .int(1)
    file.snapshots["ok-1"] = GuestConfigSection(values: ["cores": .int(2)])
    file.snapshots["bad]\ncores: 9\n[x"] = GuestConfigSection(values: ["cores": .int(3)])
    file.special["evil"] = GuestConfigSection(values: ["cores": .int(4)])
    #expect(String(decoding: file.raw(), as: UTF8.self) == "cores: 1\n\n[ok-1]\ncores: 2\n")
  }
}
