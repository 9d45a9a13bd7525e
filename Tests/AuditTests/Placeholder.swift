import Testing

@Test func AuditTestsBuilds() { #expect(Bool(true)) }
