import Testing

@Test func PVEModelTestsBuilds() { #expect(Bool(true)) }
