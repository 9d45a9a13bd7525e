import Foundation

/// A strict JSON (RFC 8259) reader that builds `JSONValue`s directly, several times faster than
/// `JSONDecoder` into `JSONValue`, and that says where a document broke: the JSON path
/// (`$.api["/cluster/resources"][3].vmid`), line and column.
///
/// Numbers follow `JSONDecoder`'s reading of `JSONValue`: a number that is an exact integer within
/// `Int64` (`8192`, `1.0`, `1e2`) is `.int`, any other is `.double`.
package struct JSONParser {
  /// Where and why the text is not JSON.
  package struct Failure: Error, Sendable, Equatable {
    /// JSONPath-like location of the value being read.
    package var path: String
    /// What went wrong, with line and column.
    package var message: String
  }

  /// Parses one JSON document (surrounding whitespace allowed).
  package static func parse(_ data: Data) throws(Failure) -> JSONValue {
    let result: Result<JSONValue, Failure> = data.withUnsafeBytes { raw in
      var parser = JSONParser(bytes: raw.bindMemory(to: UInt8.self))
      do {
        parser.skipWhitespace()
        let value = try parser.value(depth: 0)
        parser.skipWhitespace()
        if parser.index < parser.bytes.count {
          throw parser.failure("unexpected text after the end of the document")
        }
        return .success(value)
      } catch let failure as Failure {
        return .failure(failure)
      } catch {
        return .failure(Failure(path: "$", message: "\(error)"))
      }
    }
    return try result.get()
  }

  private enum Component {
    case key(String)
    case index(Int)
  }

  private static let maxDepth = 512

  private let bytes: UnsafeBufferPointer<UInt8>
  private var index = 0
  private var path: [Component] = []

  private init(bytes: UnsafeBufferPointer<UInt8>) {
    self.bytes = bytes
  }

  // MARK: Values

  private mutating func value(depth: Int) throws(Failure) -> JSONValue {
    guard index < bytes.count else { throw failure("unexpected end of the document") }
    switch bytes[index] {
    case UInt8(ascii: "{"): return try object(depth: depth + 1)
    case UInt8(ascii: "["): return try array(depth: depth + 1)
    case UInt8(ascii: "\""): return .string(try string())
    case UInt8(ascii: "t"):
      try literal("true")
      return .bool(true)
    case UInt8(ascii: "f"):
      try literal("false")
      return .bool(false)
    case UInt8(ascii: "n"):
      try literal("null")
      return .null
    case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
      return try number()
    default:
      throw failure("unexpected character \(describe(bytes[index]))")
    }
  }

  private mutating func object(depth: Int) throws(Failure) -> JSONValue {
    guard depth <= Self.maxDepth else { throw failure("nesting deeper than \(Self.maxDepth)") }
    index += 1  // {
    // Pairs first, then one dictionary of the right size (no rehashing while it grows); a
    // repeated key keeps its last value.
    var out: [(String, JSONValue)] = []
    skipWhitespace()
    if peek(UInt8(ascii: "}")) {
      index += 1
      return .object([:])
    }
    while true {
      skipWhitespace()
      guard peek(UInt8(ascii: "\"")) else { throw failure("expected a quoted key") }
      let key = try string()
      skipWhitespace()
      guard peek(UInt8(ascii: ":")) else { throw failure("expected ':' after key \"\(key)\"") }
      index += 1
      skipWhitespace()
      path.append(.key(key))
      out.append((key, try value(depth: depth)))
      skipWhitespace()
      // The key stays on the path until its value is closed: "1x" is reported at that key.
      guard index < bytes.count else {
        throw failure("unexpected end of the document in an object")
      }
      if bytes[index] == UInt8(ascii: ",") {
        index += 1
        path.removeLast()
        continue
      }
      if bytes[index] == UInt8(ascii: "}") {
        index += 1
        path.removeLast()
        return .object(Dictionary(out, uniquingKeysWith: { _, last in last }))
      }
      throw failure("expected ',' or '}' after a value, found \(describe(bytes[index]))")
    }
  }

  private mutating func array(depth: Int) throws(Failure) -> JSONValue {
    guard depth <= Self.maxDepth else { throw failure("nesting deeper than \(Self.maxDepth)") }
    index += 1  // [
    var out: [JSONValue] = []
    skipWhitespace()
    if peek(UInt8(ascii: "]")) {
      index += 1
      return .array(out)
    }
    path.append(.index(0))
    while true {
      skipWhitespace()
      path[path.count - 1] = .index(out.count)
      out.append(try value(depth: depth))
      skipWhitespace()
      guard index < bytes.count else { throw failure("unexpected end of the document in an array") }
      if bytes[index] == UInt8(ascii: ",") {
        index += 1
        continue
      }
      if bytes[index] == UInt8(ascii: "]") {
        index += 1
        path.removeLast()
        return .array(out)
      }
      throw failure("expected ',' or ']' after a value, found \(describe(bytes[index]))")
    }
  }

  private mutating func literal(_ word: StaticString) throws(Failure) {
    let count = word.utf8CodeUnitCount
    guard index + count <= bytes.count else { throw failure("unexpected end of the document") }
    let expected = UnsafeBufferPointer(start: word.utf8Start, count: count)
    for k in 0..<count where bytes[index + k] != expected[k] {
      throw failure("unexpected character \(describe(bytes[index]))")
    }
    index += count
  }

  // MARK: Strings

  private mutating func string() throws(Failure) -> String {
    index += 1  // opening quote
    let start = index
    // Fast path: no escapes.
    while index < bytes.count {
      let b = bytes[index]
      if b == UInt8(ascii: "\"") {
        let text = String(
          decoding: UnsafeBufferPointer(rebasing: bytes[start..<index]), as: UTF8.self)
        index += 1
        return text
      }
      if b == UInt8(ascii: "\\") { break }
      if b < 0x20 { throw failure("control character \(describe(b)) in a string") }
      index += 1
    }
    var scalars: [UInt8] = Array(UnsafeBufferPointer(rebasing: bytes[start..<index]))
    while index < bytes.count {
      let b = bytes[index]
      if b == UInt8(ascii: "\"") {
        index += 1
        return String(decoding: scalars, as: UTF8.self)
      }
      if b < 0x20 { throw failure("control character \(describe(b)) in a string") }
      if b != UInt8(ascii: "\\") {
        scalars.append(b)
        index += 1
        continue
      }
      index += 1
      guard index < bytes.count else { break }
      let e = bytes[index]
      index += 1
      switch e {
      case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): scalars.append(e)
      case UInt8(ascii: "b"): scalars.append(0x08)
      case UInt8(ascii: "f"): scalars.append(0x0C)
      case UInt8(ascii: "n"): scalars.append(0x0A)
      case UInt8(ascii: "r"): scalars.append(0x0D)
      case UInt8(ascii: "t"): scalars.append(0x09)
      case UInt8(ascii: "u"):
        var code = try hex4()
        if (0xD800...0xDBFF).contains(code) {
          // A high surrogate must be followed by an escaped low surrogate.
          guard index + 1 < bytes.count, bytes[index] == UInt8(ascii: "\\"),
            bytes[index + 1] == UInt8(ascii: "u")
          else { throw failure("lone surrogate \\u\(String(code, radix: 16)) in a string") }
          index += 2
          let low = try hex4()
          guard (0xDC00...0xDFFF).contains(low) else {
            throw failure("invalid surrogate pair in a string")
          }
          code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00)
        } else if (0xDC00...0xDFFF).contains(code) {
          throw failure("lone surrogate \\u\(String(code, radix: 16)) in a string")
        }
        guard let scalar = Unicode.Scalar(code) else { throw failure("invalid \\u escape") }
        UTF8.encode(scalar) { scalars.append($0) }
      default:
        throw failure("invalid escape \\\(describe(e)) in a string")
      }
    }
    throw failure("unterminated string")
  }

  private mutating func hex4() throws(Failure) -> UInt32 {
    guard index + 4 <= bytes.count else { throw failure("unexpected end of a \\u escape") }
    var v: UInt32 = 0
    for _ in 0..<4 {
      let b = bytes[index]
      let digit: UInt32
      switch b {
      case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = UInt32(b - UInt8(ascii: "0"))
      case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = UInt32(b - UInt8(ascii: "a") + 10)
      case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = UInt32(b - UInt8(ascii: "A") + 10)
      default: throw failure("invalid hex digit \(describe(b)) in a \\u escape")
      }
      v = v * 16 + digit
      index += 1
    }
    return v
  }

  // MARK: Numbers

  private mutating func number() throws(Failure) -> JSONValue {
    let start = index
    var negative = false
    if bytes[index] == UInt8(ascii: "-") {
      negative = true
      index += 1
    }
    guard index < bytes.count, isDigit(bytes[index]) else { throw failure("invalid number") }
    // Integer part: no leading zeros.
    var magnitude: UInt64 = 0
    var overflow = false
    if bytes[index] == UInt8(ascii: "0") {
      index += 1
      if index < bytes.count, isDigit(bytes[index]) {
        throw failure("invalid number: leading zero")
      }
    } else {
      while index < bytes.count, isDigit(bytes[index]) {
        let (m, o1) = magnitude.multipliedReportingOverflow(by: 10)
        let (s, o2) = m.addingReportingOverflow(UInt64(bytes[index] - UInt8(ascii: "0")))
        overflow = overflow || o1 || o2
        magnitude = s
        index += 1
      }
    }
    var integral = true
    if index < bytes.count, bytes[index] == UInt8(ascii: ".") {
      integral = false
      index += 1
      guard index < bytes.count, isDigit(bytes[index]) else {
        throw failure("invalid number: no digit after '.'")
      }
      while index < bytes.count, isDigit(bytes[index]) { index += 1 }
    }
    if index < bytes.count, bytes[index] == UInt8(ascii: "e") || bytes[index] == UInt8(ascii: "E") {
      integral = false
      index += 1
      if index < bytes.count, bytes[index] == UInt8(ascii: "+") || bytes[index] == UInt8(ascii: "-")
      {
        index += 1
      }
      guard index < bytes.count, isDigit(bytes[index]) else {
        throw failure("invalid number: no digit in the exponent")
      }
      while index < bytes.count, isDigit(bytes[index]) { index += 1 }
    }
    if integral, !overflow {
      if !negative, magnitude <= UInt64(Int64.max) { return .int(Int64(magnitude)) }
      if negative, magnitude <= UInt64(Int64.max) + 1 {
        return .int(magnitude == UInt64(Int64.max) + 1 ? Int64.min : -Int64(magnitude))
      }
    }
    let text = String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<index]), as: UTF8.self)
    guard let d = Double(text), d.isFinite else {
      throw failure("number \(text) is out of range")
    }
    // An exact integer in range reads as an integer, as JSONDecoder reads it.
    if d == d.rounded(), d >= -9_223_372_036_854_775_808, d < 9_223_372_036_854_775_808 {
      return .int(Int64(d))
    }
    return .double(d)
  }

  // MARK: Helpers

  private func isDigit(_ b: UInt8) -> Bool { b >= UInt8(ascii: "0") && b <= UInt8(ascii: "9") }

  private func peek(_ b: UInt8) -> Bool { index < bytes.count && bytes[index] == b }

  private mutating func skipWhitespace() {
    while index < bytes.count {
      switch bytes[index] {
      case 0x20, 0x09, 0x0A, 0x0D: index += 1
      default: return
      }
    }
  }

  private func describe(_ b: UInt8) -> String {
    if b >= 0x20, b < 0x7F { return "'\(Character(Unicode.Scalar(b)))'" }
    return "0x" + String(b, radix: 16, uppercase: true)
  }

  private func failure(_ message: String) -> Failure {
    var line = 1
    var column = 1
    for k in 0..<min(index, bytes.count) {
      if bytes[k] == 0x0A {
        line += 1
        column = 1
      } else {
        column += 1
      }
    }
    var text = "$"
    for c in path {
      switch c {
      case .index(let i): text += "[\(i)]"
      case .key(let k):
        if k.isEmpty || k.contains(where: { $0 == "/" || $0 == "." || $0 == " " || $0 == "\"" }) {
          text += "[\"\(k)\"]"
        } else {
          text += ".\(k)"
        }
      }
    }
    return Failure(path: text, message: "\(message) at line \(line), column \(column)")
  }
}
