import Foundation
import Planning
import Testing

@Test func scratchPrintHomelab() throws {
  for c in Inputs.cases {
    let o = try Inputs.outcome(c)
    print(PlanTextView.render(o.plan))
  }
}
