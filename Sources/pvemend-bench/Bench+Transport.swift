/// Benchmark: transport (not written yet).
func benchTransport(_ args: [String]) async throws {
  print("transport benchmark: not implemented yet")
}
