/// Byte-level helpers that reproduce the Perl the Proxmox parsers use (byte strings, `\s`, `split`).
enum ConfigText {
  /// Perl's `\s` on a byte string: space, \t, \n, \v, \f, \r.
  static func isSpace(_ b: UInt8) -> Bool {
    b == 0x20 || (b >= 0x09 && b <= 0x0D)
  }

  /// The bytes of a value as Perl holds them, as pvesh's JSON encoder (`utf8 => 1`) sees them: each
  /// byte one character (U+0000…U+00FF). pmxcfs hands the file over undecoded.
  static func latin1<C: Collection>(_ bytes: C) -> String where C.Element == UInt8 {
    if bytes.allSatisfy({ $0 < 0x80 }) { return String(decoding: bytes, as: UTF8.self) }
    var s = String.UnicodeScalarView()
    for b in bytes { s.append(Unicode.Scalar(b)) }
    return String(s)
  }

  /// The file bytes of a value: the inverse of `latin1` when every character is U+0000…U+00FF
  /// (always so for a value read from a file), else UTF-8 (a value Proxmox could not have printed).
  static func bytes(of value: String) -> [UInt8] {
    let scalars = value.unicodeScalars
    if scalars.allSatisfy({ $0.value < 0x100 }) { return scalars.map { UInt8($0.value) } }
    return Array(value.utf8)
  }

  /// `PVE::Tools::decode_text` (pve-common ParseUtils): `uri_unescape`, then UTF-8 decoding
  /// (malformed sequences become U+FFFD).
  static func decodeText<C: Collection>(_ bytes: C) -> String where C.Element == UInt8 {
    var out: [UInt8] = []
    out.reserveCapacity(bytes.count)
    var i = bytes.startIndex
    while i != bytes.endIndex {
      let b = bytes[i]
      if b == UInt8(ascii: "%") {
        let j = bytes.index(after: i)
        if j != bytes.endIndex, let hi = hex(bytes[j]) {
          let k = bytes.index(after: j)
          if k != bytes.endIndex, let lo = hex(bytes[k]) {
            out.append(hi << 4 | lo)
            i = bytes.index(after: k)
            continue
          }
        }
      }
      out.append(b)
      i = bytes.index(after: i)
    }
    return String(decoding: out, as: UTF8.self)
  }

  /// `PVE::Tools::encode_text`: UTF-8, then `%XX` for every byte outside
  /// `\x20-\x24 \x26-\x39 \x3b-\x7e` (control and high bytes, `%` and `:`).
  static func encodeText(_ text: String) -> [UInt8] {
    var out: [UInt8] = []
    out.reserveCapacity(text.utf8.count)
    let digits = Array("0123456789ABCDEF".utf8)
    for b in text.utf8 {
      let safe = (0x20...0x24).contains(b) || (0x26...0x39).contains(b) || (0x3B...0x7E).contains(b)
      if safe {
        out.append(b)
      } else {
        out.append(UInt8(ascii: "%"))
        out.append(digits[Int(b >> 4)])
        out.append(digits[Int(b & 0x0F)])
      }
    }
    return out
  }

  private static func hex(_ b: UInt8) -> UInt8? {
    switch b {
    case UInt8(ascii: "0")...UInt8(ascii: "9"): return b - UInt8(ascii: "0")
    case UInt8(ascii: "a")...UInt8(ascii: "f"): return b - UInt8(ascii: "a") + 10
    case UInt8(ascii: "A")...UInt8(ascii: "F"): return b - UInt8(ascii: "A") + 10
    default: return nil
    }
  }

  /// Perl `split(/\n/, $s)`: fields between newlines, trailing empty fields dropped.
  static func perlSplitLines(_ s: String) -> [Substring] {
    var parts = s.split(separator: "\n", omittingEmptySubsequences: false)
    while let last = parts.last, last.isEmpty { parts.removeLast() }
    return parts
  }

  /// Perl's truth of a config value: false for "", "0" and the number 0.
  static func isTrue(_ value: String?) -> Bool {
    guard let value else { return false }
    return !(value.isEmpty || value == "0")
  }
}
