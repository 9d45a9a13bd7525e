/// Trimming spaces and tabs without Foundation's `trimmingCharacters` (which is slow on Linux and
/// runs for every number that arrives as a string).
extension StringProtocol {
  /// The text without leading and trailing spaces and tabs.
  var trimmingSpaces: String {
    var s = Substring(self)
    while s.first == " " || s.first == "\t" { s = s.dropFirst() }
    while s.last == " " || s.last == "\t" { s = s.dropLast() }
    return String(s)
  }
}
