/// One phase of the planner: it reads the findings and the policy from the state, drafts steps
/// and changes the simulated cluster only through `PlanState`'s named mutators (`add`,
/// `addMigration`, `markUnresolved`, the simulation's own mutators). `Planner.phases` lists them
/// in the order they run, as `Auditor` lists its rules.
protocol PlanPhase: Sendable {
  func run(_ s: inout PlanState)
}
