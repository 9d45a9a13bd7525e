import PVEModel

/// A step before it has its id: dependencies point at other drafts by index.
struct StepDraft: Sendable {
  /// Execution phase; ties in the topological order break by phase, then by creation order.
  enum Phase: Int, Sendable, Comparable {
    case volumes = 0, keepApart, rebalance, spread, haGroups, haResources, haRules, backup, advice

    static func < (a: Phase, b: Phase) -> Bool { a.rawValue < b.rawValue }
  }

  var phase: Phase
  var kind: StepKind
  var title: String
  var reasons: [String]
  /// Indexes of drafts that must run first.
  var dependencies: Set<Int> = []
  var commands: [RemoteCommand] = []
  var preconditions: [Condition] = []
  var effects: [Condition] = []
  var downtime = Downtime(seconds: 0, note: nil)
  var figures: [NodeFigures] = []
  var figuresAfter: [NodeFigures]?
  var wait: Wait?
  var inverse: [RemoteCommand] = []
  var detail: String?
  /// Set when a later draft took this one's commands into its own outage (a container's volume
  /// move folded into its migration): the draft is left out and whatever waited for it waits for
  /// that one.
  var absorbedInto: Int?
  /// Set when a later phase found the step unneeded (a migration that later moves made
  /// redundant): left out of the plan.
  var dropped = false
}

extension StepDraft {
  /// Orders drafts topologically (Kahn), ties broken by phase then creation order, and gives them
  /// ids `s01`, `s02`, … in that order.
  static func steps(from all: [StepDraft]) -> [Step] {
    let drafts = live(all)
    // Drafts are made phase by phase, each waiting only for earlier ones: then creation order is
    // already the topological order with the tie-breaks, and Kahn's algorithm is not needed.
    let ordered = drafts.indices.allSatisfy { i in
      (i == 0 || drafts[i - 1].phase <= drafts[i].phase)
        && drafts[i].dependencies.allSatisfy { $0 < i }
    }
    let order = ordered ? Array(drafts.indices) : kahn(drafts)
    return number(drafts, order)
  }

  /// The drafts that were not absorbed, renumbered, with every dependency on an absorbed draft
  /// pointing at the draft that absorbed it.
  static func live(_ all: [StepDraft]) -> [StepDraft] {
    guard all.contains(where: { $0.absorbedInto != nil || $0.dropped }) else { return all }
    func owner(_ i: Int) -> Int {
      var i = i
      var seen = Set<Int>()
      while let next = all[i].absorbedInto, seen.insert(i).inserted { i = next }
      return i
    }
    var newIndex: [Int: Int] = [:]
    for i in all.indices where all[i].absorbedInto == nil && !all[i].dropped {
      newIndex[i] = newIndex.count
    }
    return all.indices.compactMap { i -> StepDraft? in
      guard all[i].absorbedInto == nil, !all[i].dropped, let me = newIndex[i] else { return nil }
      var d = all[i]
      d.dependencies = Set(d.dependencies.compactMap { newIndex[owner($0)] }.filter { $0 != me })
      return d
    }
  }

  /// Kahn's algorithm, ties broken by phase, then creation order.
  private static func kahn(_ drafts: [StepDraft]) -> [Int] {
    var indegree = Array(repeating: 0, count: drafts.count)
    var dependents = Array(repeating: [Int](), count: drafts.count)
    for (i, d) in drafts.enumerated() {
      for dep in d.dependencies where dep != i && drafts.indices.contains(dep) {
        indegree[i] += 1
        dependents[dep].append(i)
      }
    }
    func key(_ i: Int) -> (Int, Int) { (drafts[i].phase.rawValue, i) }
    var ready = drafts.indices.filter { indegree[$0] == 0 }.sorted { key($0) < key($1) }
    var order: [Int] = []
    while !ready.isEmpty {
      let next = ready.removeFirst()
      order.append(next)
      for d in dependents[next] {
        indegree[d] -= 1
        if indegree[d] == 0 {
          let at = ready.firstIndex { key($0) > key(d) } ?? ready.endIndex
          ready.insert(d, at: at)
        }
      }
    }
    // A cycle cannot arise (dependencies always point at earlier drafts); keep any leftovers anyway.
    if order.count < drafts.count {
      let seen = Set(order)
      order += drafts.indices.filter { !seen.contains($0) }
    }
    return order
  }

  /// Gives the drafts ids `s01`, `s02`, … in `order` and turns them into steps.
  private static func number(_ drafts: [StepDraft], _ order: [Int]) -> [Step] {
    let width = max(2, String(drafts.count).count)
    var idOf: [Int: String] = [:]
    for (position, i) in order.enumerated() {
      let n = String(position + 1)
      idOf[i] = "s" + String(repeating: "0", count: max(0, width - n.count)) + n
    }
    return order.map { i in
      let d = drafts[i]
      let after = d.dependencies.filter { $0 != i }.compactMap { idOf[$0] }.sorted()
      return Step(
        id: idOf[i] ?? "s00", kind: d.kind, title: d.title, reasons: d.reasons, after: after,
        commands: d.commands, preconditions: d.preconditions, effects: d.effects,
        downtime: d.downtime, figures: d.figures, wait: d.wait, inverse: d.inverse,
        detail: d.detail, figuresAfter: d.figuresAfter)
    }
  }
}
