import Foundation
import Testing
import Transport

@testable import SSHTransport

/// How an argv becomes the exec string: quoting, the node-side `timeout`, the exec-size limit.
@Suite struct RemoteInvocationTests {
  @Test func plainArgvIsQuotedOnce() throws {
    let invocation = try RemoteInvocation(
      node: "pve1", argv: ["qm", "set", "101", "--description", "it's $HOME"], stdin: nil,
      timeout: nil, killAfter: .seconds(2))
    #expect(invocation.command == "qm set 101 --description 'it'\\''s $HOME'")
    #expect(invocation.clientDeadline == nil)
    #expect(invocation.stdin == nil)
  }

  @Test func timeoutWrapsTheCommandOnTheNode() throws {
    let invocation = try RemoteInvocation(
      node: "pve1", argv: ["pvesh", "get", "/version"], stdin: Data("x".utf8),
      timeout: .milliseconds(1500), killAfter: .seconds(2))
    #expect(invocation.command == "timeout -k 2s 1.5s pvesh get /version")
    #expect(invocation.clientDeadline == .milliseconds(6500))
    #expect(invocation.stdin == Data("x".utf8))
  }

  @Test func overlongCommandMovesToStdin() throws {
    let long = String(repeating: "a", count: 40_000)
    let invocation = try RemoteInvocation(
      node: "pve1", argv: ["echo", long], stdin: nil, timeout: .seconds(60), killAfter: .seconds(2))
    #expect(invocation.command == "timeout -k 2s 60s sh -s")
    #expect(invocation.stdin == Data("echo \(long)\n".utf8))
    #expect(throws: TransportError.self) {
      try RemoteInvocation(
        node: "pve1", argv: ["echo", long], stdin: Data(), timeout: nil, killAfter: .seconds(2))
    }
  }
}
