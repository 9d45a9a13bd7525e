import PVEModel

/// A guest config object (pvesh's shape) as the text of its file under `/etc/pve`.
///
/// Provisional until PVEConfig's `GuestConfigFile.render` lands: the description as `#` lines
/// first, then `key: value` lines sorted by key (qemu-server `write_vm_config`), `digest` left out.
enum GuestConfigText {
  static func render(_ config: [String: JSONValue], kind: GuestKind) -> String {
    var text = ""
    if let description = config["description"]?.stringValue {
      for line in description.split(separator: "\n", omittingEmptySubsequences: false) {
        text += "#" + line + "\n"
      }
    }
    for key in config.keys.sorted() where key != "digest" && key != "description" {
      if let v = config[key].flatMap(SectionConfigText.scalar) { text += "\(key): \(v)\n" }
    }
    return text
  }
}
