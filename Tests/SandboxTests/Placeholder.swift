import Testing

@Test func SandboxTestsBuilds() { #expect(Bool(true)) }
