/// Benchmark: collect (not written yet).
func benchCollect(_ args: [String]) async throws {
  print("collect benchmark: not implemented yet")
}
