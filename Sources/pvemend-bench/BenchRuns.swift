import Foundation

/// A benchmark's integer options (`--nodes 64`): the value after the flag, else the fallback.
func intOption(_ args: [String], _ flag: String, _ fallback: Int) -> Int {
  guard let i = args.firstIndex(of: flag), i + 1 < args.count, let v = Int(args[i + 1]) else {
    return fallback
  }
  return v
}

/// What `body` returns and the wall seconds it takes (monotonic clock).
func timed<T>(_ body: () throws -> T) rethrows -> (value: T, seconds: Double) {
  let clock = ContinuousClock()
  let start = clock.now
  let value = try body()
  let d = start.duration(to: clock.now)
  return (value, Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18)
}

/// Run times in seconds as the reports print them: median `812.3 ms`, min and max `790.1`.
func milliseconds(_ times: [Double]) -> (median: String, min: String, max: String) {
  let sorted = times.sorted()
  guard let first = sorted.first, let last = sorted.last else { return ("-", "-", "-") }
  return (
    String(format: "%.1f ms", sorted[sorted.count / 2] * 1000),
    String(format: "%.1f", first * 1000),
    String(format: "%.1f", last * 1000)
  )
}
