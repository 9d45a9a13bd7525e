import PVEModel
import Testing

@testable import Planning

/// Step ids follow a topological order with deterministic tie-breaks (phase, then creation).
@Suite struct StepOrderTests {
  static func draft(_ phase: StepDraft.Phase, _ title: String, after: Set<Int> = []) -> StepDraft {
    StepDraft(
      phase: phase, kind: .advice, title: title, reasons: [], dependencies: after)
  }

  @Test func creationOrderIsKeptWhenItIsAlreadyTopological() {
    let steps = StepDraft.steps(from: [
      Self.draft(.volumes, "a"), Self.draft(.rebalance, "b", after: [0]),
      Self.draft(.haResources, "c", after: [1]),
    ])
    #expect(steps.map(\.title) == ["a", "b", "c"])
    #expect(steps.map(\.id) == ["s01", "s02", "s03"])
    #expect(steps[2].after == ["s02"])
  }

  @Test func otherwiseKahnOrdersByPhaseAndDependencies() {
    // d2 (phase volumes) waits for d0 (phase backup): it must come after it, while d1 (phase
    // rebalance) and d3 (volumes) are free and go by phase.
    let steps = StepDraft.steps(from: [
      Self.draft(.backup, "backup"), Self.draft(.rebalance, "move"),
      Self.draft(.volumes, "late volume", after: [0]), Self.draft(.volumes, "volume"),
    ])
    #expect(steps.map(\.title) == ["volume", "move", "backup", "late volume"])
    let backup = steps.first { $0.title == "backup" }?.id
    #expect(steps.last?.after == [backup].compactMap { $0 })
  }

  @Test func idsWidenPastNinetyNineSteps() {
    let steps = StepDraft.steps(from: (0..<120).map { Self.draft(.advice, "\($0)") })
    #expect(steps.first?.id == "s001")
    #expect(steps.last?.id == "s120")
  }
}
