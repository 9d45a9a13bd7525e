import Foundation

/// Reads SSH wire-format values (`uint32`, length-prefixed `string`) from a byte buffer.
struct SSHWireReader {
  private let bytes: [UInt8]
  private var offset = 0

  init(_ data: Data) {
    bytes = [UInt8](data)
  }

  /// The next raw bytes, nil past the end.
  mutating func take(_ count: Int) -> ArraySlice<UInt8>? {
    guard count >= 0, offset + count <= bytes.count else { return nil }
    defer { offset += count }
    return bytes[offset..<(offset + count)]
  }

  mutating func uint32() -> UInt32? {
    guard let raw = take(4) else { return nil }
    return raw.reduce(0) { $0 << 8 | UInt32($1) }
  }

  mutating func string() -> Data? {
    guard let length = uint32(), let raw = take(Int(length)) else { return nil }
    return Data(raw)
  }
}
