import Testing

@Test func SSHTransportTestsBuilds() { #expect(Bool(true)) }
