/// Benchmark: apply (not written yet).
func benchApply(_ args: [String]) async throws {
  print("apply benchmark: not implemented yet")
}
