import Testing

@Test func cliTestsBuild() { #expect(Bool(true)) }
