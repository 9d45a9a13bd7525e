import Testing

@Test func ExecutionTestsBuilds() { #expect(Bool(true)) }
