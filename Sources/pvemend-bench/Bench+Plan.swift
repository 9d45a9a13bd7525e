/// Benchmark: plan (not written yet).
func benchPlan(_ args: [String]) async throws {
  print("plan benchmark: not implemented yet")
}
