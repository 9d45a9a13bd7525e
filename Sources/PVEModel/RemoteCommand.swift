import Foundation

/// A command for one node: an argv array, never a pre-joined string.
///
/// `mutating` says whether it changes the cluster; a dry run refuses every mutating command.
package struct RemoteCommand: Codable, Sendable, Hashable {
  /// The node it must run on (`qm`/`pct` act on the local node's guests only).
  package var node: String
  package var argv: [String]
  package var mutating: Bool

  package init(node: String, argv: [String], mutating: Bool) {
    self.node = node
    self.argv = argv
    self.mutating = mutating
  }

  /// A read-only `pvesh get <path> --output-format json`.
  package static func pveshGet(_ path: String, on node: String) -> RemoteCommand {
    RemoteCommand(
      node: node, argv: ["pvesh", "get", path, "--output-format", "json"], mutating: false)
  }

  /// A read-only `pvesh get <path> --content <type> --output-format json` (a storage listing).
  package static func pveshGet(_ path: String, content: String, on node: String) -> RemoteCommand {
    RemoteCommand(
      node: node, argv: ["pvesh", "get", path, "--content", content, "--output-format", "json"],
      mutating: false)
  }

  /// The argv as one shell word list: the only way a command becomes text.
  package var shellLine: String { ShellQuoting.join(argv) }
}

/// POSIX shell quoting, the one place argv becomes text (scripts, SSH exec strings, displays).
package enum ShellQuoting {
  /// Characters that never need quoting.
  static let safe = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_./:=,+@%")

  /// Quotes one word: unchanged when it is plain, otherwise in single quotes with `'` as `'\''`.
  ///
  /// A word holding a scalar `DisplayText.isUnsafe` names (control, bidi, zero-width: never in a
  /// Proxmox ID, but possible in a comment from a playbook) is written in bash's ANSI-C quoting
  /// instead, `$'…'` with each byte of those scalars as `\xHH`, so the exact word reaches the node
  /// (root's shell on Proxmox VE and every exported script are bash) while no raw control or bidi
  /// character reaches a terminal, a script or a review page.
  package static func quote(_ word: String) -> String {
    if !word.isEmpty && word.allSatisfy({ safe.contains($0) }) { return word }
    if word.unicodeScalars.contains(where: DisplayText.isUnsafe) { return ansiC(word) }
    return "'" + word.replacingOccurrences(of: "'", with: "'\\''") + "'"
  }

  /// `$'…'`: `\` and `'` escaped, unsafe scalars as their UTF-8 bytes in `\xHH`.
  static func ansiC(_ word: String) -> String {
    var out = "$'"
    for u in word.unicodeScalars {
      if u == "\\" || u == "'" {
        out += "\\" + String(u)
      } else if DisplayText.isUnsafe(u) {
        for byte in String(u).utf8 {
          let hex = String(byte, radix: 16, uppercase: true)
          out += "\\x" + (hex.count < 2 ? "0" : "") + hex
        }
      } else {
        out.unicodeScalars.append(u)
      }
    }
    return out + "'"
  }

  package static func join(_ argv: [String]) -> String { argv.map(quote).joined(separator: " ") }
}
