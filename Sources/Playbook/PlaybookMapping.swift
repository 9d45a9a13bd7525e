/// A decoded YAML mapping whose keys were checked against the accepted ones.
struct PlaybookMapping {
  let owner: PlaybookNode
  let entries: [(key: String, keyLine: Int, value: PlaybookNode)]

  /// The value of `key`, nil when absent or null (then the default applies).
  subscript(_ key: String) -> PlaybookNode? {
    guard let value = entries.first(where: { $0.key == key })?.value, !value.isNull else {
      return nil
    }
    return value
  }

  /// Whether the key is present with a non-null value.
  func has(_ key: String) -> Bool { self[key] != nil }

  /// The value of a key that must be present.
  func required(_ key: String, example: String) throws(PlaybookError) -> PlaybookNode {
    guard let value = self[key] else {
      throw owner.error("\(owner.place) needs '\(key)'; example: \(key): \(example)")
    }
    return value
  }
}
