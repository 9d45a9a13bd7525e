/// The accepted key a mistyped one most likely meant (`max_restarts` → `max_restart`).
enum KeySuggestion {
  /// The closest of `candidates`, or nil when none is close enough to be a plausible typo.
  static func nearest(to key: String, in candidates: [String]) -> String? {
    let folded = fold(key)
    if let same = candidates.first(where: { fold($0) == folded }) { return same }
    var best: (candidate: String, distance: Int)?
    for candidate in candidates {
      let d = distance(Array(key.lowercased()), Array(candidate))
      if d <= max(2, candidate.count / 3), d < (best?.distance ?? Int.max) {
        best = (candidate, d)
      }
    }
    return best?.candidate
  }

  /// Lower case without `_` and `-`, so `maxRestart`, `max-restart` and `max_restart` meet.
  private static func fold(_ text: String) -> String {
    String(text.lowercased().filter { $0 != "_" && $0 != "-" })
  }

  /// Levenshtein distance.
  private static func distance(_ a: [Character], _ b: [Character]) -> Int {
    if a.isEmpty { return b.count }
    if b.isEmpty { return a.count }
    var previous = Array(0...b.count)
    var current = [Int](repeating: 0, count: b.count + 1)
    for i in 1...a.count {
      current[0] = i
      for j in 1...b.count {
        let cost = a[i - 1] == b[j - 1] ? 0 : 1
        current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
      }
      swap(&previous, &current)
    }
    return previous[b.count]
  }
}
