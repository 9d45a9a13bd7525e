import Foundation

/// What a private key file holds, read without decrypting it: its algorithm (to refuse RSA up
/// front, which libssh2 1.10 cannot use against OpenSSH ≥ 8.8) and whether it needs a passphrase.
package struct IdentityKey: Sendable, Hashable {
  /// The key algorithm.
  package enum Kind: String, Sendable, Hashable {
    case ed25519, ecdsa, rsa, dsa, unknown
  }

  package var path: String
  package var kind: Kind
  /// Encrypted with a passphrase.
  package var encrypted: Bool

  package init(path: String, kind: Kind, encrypted: Bool) {
    self.path = path
    self.kind = kind
    self.encrypted = encrypted
  }

  /// Inspects a key file; nil when it does not exist or cannot be read.
  package static func inspect(path: String) -> IdentityKey? {
    guard let data = FileManager.default.contents(atPath: path) else { return nil }
    var key = inspect(text: String(decoding: data, as: UTF8.self), path: path)
    if key.kind == .unknown, let pub = FileManager.default.contents(atPath: path + ".pub") {
      key.kind = kind(ofPublicKeyLine: String(decoding: pub, as: UTF8.self))
    }
    return key
  }

  /// Inspects key file text (OpenSSH `openssh-key-v1`, PEM, or PKCS#8).
  package static func inspect(text: String, path: String) -> IdentityKey {
    let lines = text.split(whereSeparator: \.isNewline).map {
      $0.trimmingCharacters(in: .whitespaces)
    }
    guard let begin = lines.first(where: { $0.hasPrefix("-----BEGIN ") }) else {
      return IdentityKey(path: path, kind: .unknown, encrypted: false)
    }
    let label = begin.dropFirst("-----BEGIN ".count).replacingOccurrences(of: "-----", with: "")
    let body = Data(
      base64Encoded: lines.filter { !$0.hasPrefix("-----") && !$0.contains(":") }.joined())
    let headerEncrypted = lines.contains { $0.hasPrefix("Proc-Type:") && $0.contains("ENCRYPTED") }
    switch label {
    case "OPENSSH PRIVATE KEY":
      guard let body else { return IdentityKey(path: path, kind: .unknown, encrypted: false) }
      return openSSH(body, path: path)
    case "RSA PRIVATE KEY": return IdentityKey(path: path, kind: .rsa, encrypted: headerEncrypted)
    case "EC PRIVATE KEY": return IdentityKey(path: path, kind: .ecdsa, encrypted: headerEncrypted)
    case "DSA PRIVATE KEY": return IdentityKey(path: path, kind: .dsa, encrypted: headerEncrypted)
    case "PRIVATE KEY":
      return IdentityKey(path: path, kind: body.map(pkcs8Kind) ?? .unknown, encrypted: false)
    case "ENCRYPTED PRIVATE KEY": return IdentityKey(path: path, kind: .unknown, encrypted: true)
    default: return IdentityKey(path: path, kind: .unknown, encrypted: false)
    }
  }

  /// The algorithm named by an `ssh-… AAAA… comment` public key line.
  package static func kind(ofPublicKeyLine line: String) -> Kind {
    kind(ofKeyType: line.split(separator: " ").first.map(String.init) ?? "")
  }

  /// The algorithm of an SSH key type name (`ssh-ed25519`, `ecdsa-sha2-nistp256`, `ssh-rsa`, …).
  package static func kind(ofKeyType type: String) -> Kind {
    switch type {
    case "ssh-ed25519": return .ed25519
    case "ssh-rsa": return .rsa
    case "ssh-dss": return .dsa
    default: return type.hasPrefix("ecdsa-sha2-") ? .ecdsa : .unknown
    }
  }

  /// `openssh-key-v1\0`, string cipher, string kdf, string kdf options, uint32 count, string
  /// public key (whose first string is the key type).
  private static func openSSH(_ body: Data, path: String) -> IdentityKey {
    let magic = Data("openssh-key-v1\0".utf8)
    guard body.starts(with: magic) else {
      return IdentityKey(path: path, kind: .unknown, encrypted: false)
    }
    var reader = SSHWireReader(body.dropFirst(magic.count))
    guard let cipher = reader.string(), reader.string() != nil, reader.string() != nil,
      reader.uint32() != nil, let publicKey = reader.string()
    else { return IdentityKey(path: path, kind: .unknown, encrypted: false) }
    let type = KnownHosts.keyType(ofBlob: publicKey) ?? ""
    return IdentityKey(
      path: path, kind: kind(ofKeyType: type),
      encrypted: String(decoding: cipher, as: UTF8.self) != "none")
  }

  /// Finds the algorithm OID inside a PKCS#8 `PrivateKeyInfo`.
  private static func pkcs8Kind(_ der: Data) -> Kind {
    let oids: [(Kind, [UInt8])] = [
      (.rsa, [0x06, 0x09, 0x2A, 0x86, 0x48, 0x86, 0xF7, 0x0D, 0x01, 0x01, 0x01]),
      (.ecdsa, [0x06, 0x07, 0x2A, 0x86, 0x48, 0xCE, 0x3D, 0x02, 0x01]),
      (.ed25519, [0x06, 0x03, 0x2B, 0x65, 0x70]),
      (.dsa, [0x06, 0x07, 0x2A, 0x86, 0x48, 0xCE, 0x38, 0x04, 0x01]),
    ]
    let bytes = [UInt8](der.prefix(64))
    for (kind, oid) in oids where bytes.count >= oid.count {
      for start in 0...(bytes.count - oid.count)
      where Array(bytes[start..<(start + oid.count)]) == oid {
        return kind
      }
    }
    return .unknown
  }
}
