/// Benchmark: audit (not written yet).
func benchAudit(_ args: [String]) async throws {
  print("audit benchmark: not implemented yet")
}
