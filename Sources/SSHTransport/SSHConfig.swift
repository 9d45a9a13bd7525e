import Foundation
import PVEModel

/// The parts of an OpenSSH client config (`~/.ssh/config`) pvemend honours: `Host` blocks with
/// `HostName`, `Port`, `User`, `IdentityFile` and `UserKnownHostsFile`.
///
/// As in OpenSSH, the first value found for an option wins (`IdentityFile` accumulates), patterns
/// take `*`, `?` and `!negation`, and options before the first `Host` apply to every host. `Match`
/// blocks and `Include` are not supported and are skipped.
package struct SSHConfig: Sendable, Hashable {
  /// One `Host` block (or the leading options, with pattern `*`).
  struct Block: Sendable, Hashable {
    var patterns: [String]
    /// `Match` blocks: never applied.
    var unsupported = false
    var options: [Option] = []
  }

  /// One `keyword value` line.
  struct Option: Sendable, Hashable {
    var keyword: String
    var value: String
  }

  /// The settings for one host.
  package struct Resolved: Sendable, Hashable {
    package var hostName: String?
    package var port: Int?
    package var user: String?
    package var identityFiles: [String] = []
    package var knownHostsFile: String?
  }

  var blocks: [Block]

  package init(text: String) {
    var blocks = [Block(patterns: ["*"])]
    for raw in text.split(whereSeparator: \.isNewline) {
      let line = raw.trimmingCharacters(in: .whitespaces)
      guard !line.isEmpty, !line.hasPrefix("#") else { continue }
      let (keyword, value) = Self.split(line)
      switch keyword {
      case "host":
        blocks.append(Block(patterns: Self.words(value)))
      case "match":
        blocks.append(Block(patterns: [], unsupported: true))
      default:
        guard let last = blocks.indices.last else { continue }
        blocks[last].options.append(Option(keyword: keyword, value: Self.unquote(value)))
      }
    }
    self.blocks = blocks
  }

  /// Reads a config file; a missing or unreadable file is an empty config (as for `ssh`).
  package static func load(path: String) -> SSHConfig {
    SSHConfig(text: (try? String(contentsOfFile: path, encoding: .utf8)) ?? "")
  }

  /// The settings for `host` (the name given, before `HostName`). Paths are expanded (`~`, `%d`,
  /// `%h`, `%r`, `%u`, `%n`, `%p`, `%%`).
  package func resolve(host: String, home: String, localUser: String) -> Resolved {
    var resolved = Resolved()
    var identities: [String] = []
    var knownHosts: String?
    for block in blocks where !block.unsupported && Self.matches(block.patterns, host) {
      for option in block.options {
        switch option.keyword {
        case "hostname" where resolved.hostName == nil:
          resolved.hostName = option.value.replacingOccurrences(of: "%h", with: host)
        case "port" where resolved.port == nil:
          resolved.port = Int(option.value)
        case "user" where resolved.user == nil:
          resolved.user = option.value
        case "identityfile":
          identities.append(option.value)
        case "userknownhostsfile" where knownHosts == nil:
          knownHosts = Self.words(option.value).first
        default:
          break
        }
      }
    }
    let tokens: [Character: String] = [
      "d": home, "h": resolved.hostName ?? host, "r": resolved.user ?? "root", "u": localUser,
      "n": host, "p": String(resolved.port ?? 22), "%": "%",
    ]
    resolved.identityFiles = identities.map { Self.expand($0, home: home, tokens: tokens) }
    resolved.knownHostsFile = knownHosts.map { Self.expand($0, home: home, tokens: tokens) }
    return resolved
  }

  static func matches(_ patterns: [String], _ host: String) -> Bool {
    let name = host.lowercased()
    var positive = false
    for pattern in patterns {
      if pattern.hasPrefix("!") {
        if Glob.matches(String(pattern.dropFirst()).lowercased(), name) { return false }
      } else if Glob.matches(pattern.lowercased(), name) {
        positive = true
      }
    }
    return positive
  }

  /// `Keyword value`, `Keyword=value` or `Keyword = value`; keyword lower-cased.
  private static func split(_ line: String) -> (String, String) {
    guard let end = line.firstIndex(where: { $0 == " " || $0 == "\t" || $0 == "=" }) else {
      return (line.lowercased(), "")
    }
    var rest = line[end...].drop { $0 == " " || $0 == "\t" }
    if rest.first == "=" { rest = rest.dropFirst().drop { $0 == " " || $0 == "\t" } }
    return (line[..<end].lowercased(), String(rest).trimmingCharacters(in: .whitespaces))
  }

  private static func unquote(_ value: String) -> String {
    if value.count >= 2, value.hasPrefix("\""), value.hasSuffix("\"") {
      return String(value.dropFirst().dropLast())
    }
    return value
  }

  private static func words(_ value: String) -> [String] {
    value.split(whereSeparator: { $0 == " " || $0 == "\t" }).map { unquote(String($0)) }
  }

  static func expand(_ path: String, home: String, tokens: [Character: String]) -> String {
    var result = ""
    var escape = false
    for character in path {
      if escape {
        result += tokens[character] ?? "%\(character)"
        escape = false
      } else if character == "%" {
        escape = true
      } else {
        result.append(character)
      }
    }
    return PathExpansion.expand(result, home: home, relativeTo: nil)
  }
}
