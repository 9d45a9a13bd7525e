import PVEModel

/// The text of a SectionConfig file (`ha/*.cfg`, `jobs.cfg`, `storage.cfg`) as pve-common's
/// `PVE::SectionConfig::write_config` writes it: a `<type>: <id>` header, then `comment` first, a
/// bare `disable` line when set, the required options sorted, the optional ones sorted, each as
/// `\t<key> <value>`, and a blank line after every section. Empty values are not written; booleans
/// are `0`/`1`. Sources and details: docs/sandbox-pmxcfs.md.
package enum SectionConfigText {
  /// One section. `values` are already encoded as the plugin's `encode_value` would (strings);
  /// only keys in `required` or `optional` are written, as write_config writes only option keys.
  static func section(
    header: String, _ values: [String: String], required: Set<String>, optional: Set<String>
  ) -> String {
    var out = header + "\n"
    var done: Set<String> = ["comment", "disable"]
    if let comment = values["comment"], !comment.isEmpty {
      out += "\tcomment \(comment)\n"
    }
    if let disable = values["disable"], disable != "0", !disable.isEmpty {
      out += "\tdisable\n"
    }
    for key in required.sorted() where !done.contains(key) {
      done.insert(key)
      if let v = values[key], !v.isEmpty { out += "\t\(key) \(v)\n" }
    }
    for key in optional.sorted() where !done.contains(key) {
      if let v = values[key], !v.isEmpty { out += "\t\(key) \(v)\n" }
    }
    return out + "\n"
  }

  /// A scalar as SectionConfig writes it: strings as they are, numbers in decimal, booleans 0/1.
  static func scalar(_ value: JSONValue) -> String? {
    switch value {
    case .bool(let b): return b ? "1" : "0"
    case .int, .double, .string: return value.stringValue
    default: return nil
    }
  }

  /// `PVE::JSONSchema::print_property_string`: the default key first (its value alone), then the
  /// other keys sorted as `key=value`.
  package static func propertyString(_ object: [String: JSONValue], defaultKey: String? = nil)
    -> String
  {
    var parts: [String] = []
    if let defaultKey, let v = object[defaultKey].flatMap(scalar) { parts.append(v) }
    for key in object.keys.sorted() where key != defaultKey {
      if let v = object[key].flatMap(scalar) { parts.append("\(key)=\(v)") }
    }
    return parts.joined(separator: ",")
  }

  /// `PVE::Tools::encode_text` (pve-common `ParseUtils.pm`): every byte outside
  /// `[\x20-\x24\x26-\x39\x3b-\x7e]` (control and high-bit bytes, `%` and `:`) as `%XX`.
  package static func encodeText(_ text: String) -> String {
    var out = ""
    for byte in text.utf8 {
      let safe =
        (0x20...0x24).contains(byte) || (0x26...0x39).contains(byte)
        || (0x3b...0x7e).contains(byte)
      if safe {
        out.unicodeScalars.append(Unicode.Scalar(byte))
      } else {
        let hex = String(byte, radix: 16, uppercase: true)
        out += "%" + (hex.count == 1 ? "0" + hex : hex)
      }
    }
    return out
  }
}
