/// SplitMix64: a tiny seeded generator whose sequence is the same on every platform and Swift
/// release (the standard library's `random(in:using:)` algorithms are not promised to stay put).
package struct SplitMix64: Sendable {
  private var state: UInt64

  package init(seed: UInt64) { state = seed }

  /// The next 64 random bits.
  package mutating func next() -> UInt64 {
    state &+= 0x9E37_79B9_7F4A_7C15
    var z = state
    z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
    z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
    return z ^ (z >> 31)
  }

  /// Uniform in `0..<n`; `n` must be positive (0 for anything else).
  package mutating func below(_ n: Int) -> Int {
    guard n > 0 else { return 0 }
    return Int(next().multipliedFullWidth(by: UInt64(n)).high)
  }

  /// Uniform in `range`.
  package mutating func int(in range: ClosedRange<Int>) -> Int {
    range.lowerBound + below(range.count)
  }

  /// Uniform in `[0, 1)`, 53 bits.
  package mutating func unit() -> Double { Double(next() >> 11) * 0x1.0p-53 }

  /// True with probability `p`.
  package mutating func chance(_ p: Double) -> Bool { unit() < p }

  /// One element of a non-empty array.
  package mutating func pick<T>(_ items: [T]) -> T { items[below(items.count)] }

  /// Hex digits from the stream (digests, repo ids, MAC suffixes).
  package mutating func hex(_ count: Int) -> String {
    let digits = Array("0123456789abcdef")
    var out = ""
    out.reserveCapacity(count)
    var bits: UInt64 = 0
    var left = 0
    for _ in 0..<count {
      if left == 0 {
        bits = next()
        left = 16
      }
      out.append(digits[Int(bits & 0xF)])
      bits >>= 4
      left -= 1
    }
    return out
  }
}
