import PVEModel

/// Proxmox's JSON text: a fast reader of the state file and the compact, key-sorted writer that
/// `pvesh get … --output-format json` prints (Perl's `JSON->canonical`).
///
/// The state of a 1,000-guest cluster is several megabytes and every stand-in call reads it, so the
/// reader can also *skim* an object: find where each member's value lies without building it.
package enum JSONText {
  /// Parses one JSON document.
  package static func parse(_ bytes: [UInt8]) throws(JSONTextError) -> JSONValue {
    var reader = Reader(bytes: bytes)
    reader.skipSpace()
    let value = try reader.value()
    reader.skipSpace()
    guard reader.index == bytes.count else { throw reader.error("trailing characters") }
    return value
  }

  package static func parse(_ text: String) throws(JSONTextError) -> JSONValue {
    try parse(Array(text.utf8))
  }

  /// The members of the object in `bytes[range]`, each as the byte range of its value (unparsed).
  package static func skim(_ bytes: [UInt8], range: Range<Int>? = nil) throws(JSONTextError)
    -> [String: Range<Int>]
  {
    var reader = Reader(bytes: bytes, start: range?.lowerBound ?? 0)
    reader.skipSpace()
    return try reader.skimObject()
  }

  /// Parses the value in `bytes[range]` (a range from `skim`).
  package static func parse(_ bytes: [UInt8], range: Range<Int>) throws(JSONTextError) -> JSONValue
  {
    var reader = Reader(bytes: bytes, start: range.lowerBound)
    return try reader.value()
  }

  /// Compact JSON with keys in byte order, no escaped slashes: what `--output-format json` prints.
  package static func compact(_ value: JSONValue) -> String {
    var out: [UInt8] = []
    out.reserveCapacity(256)
    write(value, into: &out, indent: nil, level: 0)
    return String(decoding: out, as: UTF8.self)
  }

  /// Indented JSON with sorted keys (`--output-format json-pretty`).
  package static func pretty(_ value: JSONValue) -> String {
    var out: [UInt8] = []
    write(value, into: &out, indent: 3, level: 0)
    return String(decoding: out, as: UTF8.self)
  }

  /// Appends compact JSON to a byte buffer (the state file writer).
  package static func write(_ value: JSONValue, into out: inout [UInt8]) {
    write(value, into: &out, indent: nil, level: 0)
  }

  static func sortedKeys(_ object: [String: JSONValue]) -> [String] {
    object.keys.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
  }

  private static func write(_ value: JSONValue, into out: inout [UInt8], indent: Int?, level: Int) {
    switch value {
    case .null: out.append(contentsOf: "null".utf8)
    case .bool(let b): out.append(contentsOf: (b ? "true" : "false").utf8)
    case .int(let i): out.append(contentsOf: String(i).utf8)
    case .double(let d):
      if d.isFinite {
        out.append(contentsOf: "\(d)".utf8)
      } else {
        out.append(contentsOf: "null".utf8)
      }
    case .string(let s): writeString(s, into: &out)
    case .array(let items):
      out.append(UInt8(ascii: "["))
      for (i, item) in items.enumerated() {
        if i > 0 { out.append(UInt8(ascii: ",")) }
        newline(&out, indent: indent, level: level + 1)
        write(item, into: &out, indent: indent, level: level + 1)
      }
      if !items.isEmpty { newline(&out, indent: indent, level: level) }
      out.append(UInt8(ascii: "]"))
    case .object(let members):
      out.append(UInt8(ascii: "{"))
      for (i, key) in sortedKeys(members).enumerated() {
        if i > 0 { out.append(UInt8(ascii: ",")) }
        newline(&out, indent: indent, level: level + 1)
        writeString(key, into: &out)
        out.append(contentsOf: (indent == nil ? ":" : " : ").utf8)
        write(members[key] ?? .null, into: &out, indent: indent, level: level + 1)
      }
      if !members.isEmpty { newline(&out, indent: indent, level: level) }
      out.append(UInt8(ascii: "}"))
    }
  }

  private static func newline(_ out: inout [UInt8], indent: Int?, level: Int) {
    guard let indent else { return }
    out.append(UInt8(ascii: "\n"))
    out.append(contentsOf: repeatElement(UInt8(ascii: " "), count: indent * level))
  }

  private static let hex = Array("0123456789abcdef".utf8)

  private static func writeString(_ s: String, into out: inout [UInt8]) {
    out.append(UInt8(ascii: "\""))
    for byte in s.utf8 {
      switch byte {
      case UInt8(ascii: "\""): out.append(contentsOf: [92, 34])
      case UInt8(ascii: "\\"): out.append(contentsOf: [92, 92])
      case 0x0A: out.append(contentsOf: [92, UInt8(ascii: "n")])
      case 0x0D: out.append(contentsOf: [92, UInt8(ascii: "r")])
      case 0x09: out.append(contentsOf: [92, UInt8(ascii: "t")])
      case 0x08: out.append(contentsOf: [92, UInt8(ascii: "b")])
      case 0x0C: out.append(contentsOf: [92, UInt8(ascii: "f")])
      case 0..<0x20:
        out.append(contentsOf: Array("\\u00".utf8))
        out.append(hex[Int(byte >> 4)])
        out.append(hex[Int(byte & 0x0F)])
      default: out.append(byte)
      }
    }
    out.append(UInt8(ascii: "\""))
  }

  /// A cursor over UTF-8 bytes.
  private struct Reader {
    let bytes: [UInt8]
    var index: Int

    init(bytes: [UInt8], start: Int = 0) {
      self.bytes = bytes
      self.index = start
    }

    func error(_ what: String) -> JSONTextError { JSONTextError(offset: index, reason: what) }

    mutating func skipSpace() {
      while index < bytes.count {
        switch bytes[index] {
        case 0x20, 0x0A, 0x0D, 0x09: index += 1
        default: return
        }
      }
    }

    mutating func expect(_ byte: UInt8) throws(JSONTextError) {
      guard index < bytes.count, bytes[index] == byte else {
        throw error("expected '\(Character(Unicode.Scalar(byte)))'")
      }
      index += 1
    }

    mutating func value() throws(JSONTextError) -> JSONValue {
      guard index < bytes.count else { throw error("unexpected end of input") }
      switch bytes[index] {
      case UInt8(ascii: "{"):
        index += 1
        var members: [String: JSONValue] = [:]
        skipSpace()
        if index < bytes.count, bytes[index] == UInt8(ascii: "}") {
          index += 1
          return .object(members)
        }
        while true {
          skipSpace()
          let key = try string()
          skipSpace()
          try expect(UInt8(ascii: ":"))
          skipSpace()
          members[key] = try value()
          skipSpace()
          guard index < bytes.count else { throw error("unterminated object") }
          if bytes[index] == UInt8(ascii: ",") {
            index += 1
            continue
          }
          try expect(UInt8(ascii: "}"))
          return .object(members)
        }
      case UInt8(ascii: "["):
        index += 1
        var items: [JSONValue] = []
        skipSpace()
        if index < bytes.count, bytes[index] == UInt8(ascii: "]") {
          index += 1
          return .array(items)
        }
        while true {
          skipSpace()
          items.append(try value())
          skipSpace()
          guard index < bytes.count else { throw error("unterminated array") }
          if bytes[index] == UInt8(ascii: ",") {
            index += 1
            continue
          }
          try expect(UInt8(ascii: "]"))
          return .array(items)
        }
      case UInt8(ascii: "\""): return .string(try string())
      case UInt8(ascii: "t"): try literal("true"); return .bool(true)
      case UInt8(ascii: "f"): try literal("false"); return .bool(false)
      case UInt8(ascii: "n"): try literal("null"); return .null
      default: return try number()
      }
    }

    mutating func literal(_ word: String) throws(JSONTextError) {
      for byte in word.utf8 {
        guard index < bytes.count, bytes[index] == byte else { throw error("invalid literal") }
        index += 1
      }
    }

    mutating func number() throws(JSONTextError) -> JSONValue {
      let start = index
      var isInteger = true
      while index < bytes.count {
        let b = bytes[index]
        if (b >= 0x30 && b <= 0x39) || b == UInt8(ascii: "-") || b == UInt8(ascii: "+") {
          index += 1
        } else if b == UInt8(ascii: ".") || b == UInt8(ascii: "e") || b == UInt8(ascii: "E") {
          isInteger = false
          index += 1
        } else {
          break
        }
      }
      guard index > start else { throw error("unexpected character") }
      let text = String(decoding: bytes[start..<index], as: UTF8.self)
      if isInteger, let i = Int64(text) { return .int(i) }
      guard let d = Double(text) else { throw JSONTextError(offset: start, reason: "bad number") }
      return .double(d)
    }

    mutating func string() throws(JSONTextError) -> String {
      try expect(UInt8(ascii: "\""))
      let start = index
      // Fast path: no escapes.
      while index < bytes.count {
        let b = bytes[index]
        if b == UInt8(ascii: "\"") {
          let s = String(decoding: bytes[start..<index], as: UTF8.self)
          index += 1
          return s
        }
        if b == UInt8(ascii: "\\") { break }
        index += 1
      }
      var out = Array(bytes[start..<index])
      while index < bytes.count {
        let b = bytes[index]
        if b == UInt8(ascii: "\"") {
          index += 1
          return String(decoding: out, as: UTF8.self)
        }
        if b != UInt8(ascii: "\\") {
          out.append(b)
          index += 1
          continue
        }
        index += 1
        guard index < bytes.count else { break }
        let e = bytes[index]
        index += 1
        switch e {
        case UInt8(ascii: "n"): out.append(0x0A)
        case UInt8(ascii: "r"): out.append(0x0D)
        case UInt8(ascii: "t"): out.append(0x09)
        case UInt8(ascii: "b"): out.append(0x08)
        case UInt8(ascii: "f"): out.append(0x0C)
        case UInt8(ascii: "u"):
          var scalar = try hex4()
          if scalar >= 0xD800 && scalar < 0xDC00, index + 1 < bytes.count,
            bytes[index] == UInt8(ascii: "\\"), bytes[index + 1] == UInt8(ascii: "u")
          {
            index += 2
            let low = try hex4()
            scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low &- 0xDC00)
          }
          let character = Unicode.Scalar(scalar) ?? "\u{FFFD}"
          out.append(contentsOf: Array(String(Character(character)).utf8))
        default: out.append(e)
        }
      }
      throw error("unterminated string")
    }

    mutating func hex4() throws(JSONTextError) -> UInt32 {
      guard index + 4 <= bytes.count,
        let v = UInt32(String(decoding: bytes[index..<index + 4], as: UTF8.self), radix: 16)
      else { throw error("bad \\u escape") }
      index += 4
      return v
    }

    /// Moves past one value without building it.
    mutating func skipValue() throws(JSONTextError) {
      guard index < bytes.count else { throw error("unexpected end of input") }
      switch bytes[index] {
      case UInt8(ascii: "{"), UInt8(ascii: "["):
        var depth = 0
        while index < bytes.count {
          let b = bytes[index]
          if b == UInt8(ascii: "\"") {
            try skipString()
            continue
          }
          if b == UInt8(ascii: "{") || b == UInt8(ascii: "[") { depth += 1 }
          if b == UInt8(ascii: "}") || b == UInt8(ascii: "]") {
            depth -= 1
            if depth == 0 {
              index += 1
              return
            }
          }
          index += 1
        }
        throw error("unterminated container")
      case UInt8(ascii: "\""): try skipString()
      default:
        while index < bytes.count {
          switch bytes[index] {
          case UInt8(ascii: ","), UInt8(ascii: "}"), UInt8(ascii: "]"), 0x20, 0x0A, 0x0D, 0x09:
            return
          default: index += 1
          }
        }
      }
    }

    mutating func skipString() throws(JSONTextError) {
      index += 1
      while index < bytes.count {
        let b = bytes[index]
        if b == UInt8(ascii: "\\") {
          index += 2
          continue
        }
        index += 1
        if b == UInt8(ascii: "\"") { return }
      }
      throw error("unterminated string")
    }

    mutating func skimObject() throws(JSONTextError) -> [String: Range<Int>] {
      try expect(UInt8(ascii: "{"))
      var members: [String: Range<Int>] = [:]
      skipSpace()
      if index < bytes.count, bytes[index] == UInt8(ascii: "}") { return members }
      while true {
        skipSpace()
        let key = try string()
        skipSpace()
        try expect(UInt8(ascii: ":"))
        skipSpace()
        let start = index
        try skipValue()
        members[key] = start..<index
        skipSpace()
        guard index < bytes.count else { throw error("unterminated object") }
        if bytes[index] == UInt8(ascii: ",") {
          index += 1
          continue
        }
        try expect(UInt8(ascii: "}"))
        return members
      }
    }
  }
}

/// Where and why JSON text could not be read.
package struct JSONTextError: Error, Sendable, Hashable, CustomStringConvertible {
  package var offset: Int
  package var reason: String

  package var description: String { "invalid JSON at byte \(offset): \(reason)" }
}
