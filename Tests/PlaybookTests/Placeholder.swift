import Testing

@Test func PlaybookTestsBuilds() { #expect(Bool(true)) }
