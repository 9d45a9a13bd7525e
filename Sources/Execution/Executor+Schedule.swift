import PVEModel
import Planning
import Transport

/// How one step ended, as the scheduler sees it.
struct StepResult: Sendable {
  var id: String
  var outcome: StepOutcome
  var detail: String?
  var duration: Double
  var connectionFailure: Bool
}

/// What the scheduling loop produced.
struct ScheduleOutcome: Sendable {
  var results: [String: StepResult] = [:]
  var blocked: [String: String] = [:]
  var declined: [String: StepOutcome] = [:]
  var notStarted: [String] = []
  var interrupted = false
  /// The user answered quit at `--step`.
  var quit = false
}

extension Executor {
  /// Starts steps as the scheduler allows, collects their results, stops starting new ones after a
  /// failure or Ctrl-C and lets running ones finish.
  func schedule(
    plan: Plan, check: PlanCheck, transport: any Transport, options: ExecutionOptions,
    run: RunJournal, resume: ResumeState? = nil
  ) async -> ScheduleOutcome {
    let toRun = check.toRun.map(\.id)
    let verifyOnly = Set(check.entries.filter { $0.status == .verifyOnly }.map(\.step.id))
    let byID = Dictionary(plan.steps.map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
    var scheduler = StepScheduler(
      plan: plan.steps, toRun: toRun, parallel: options.askEachStep ? 1 : options.parallel)
    var outcome = ScheduleOutcome()
    var ask = options.askEachStep
    var stopping = false
    var announced = false
    var started = 0
    let total = toRun.count
    // Nodes whose step ended `unknown`: their other steps do not start; other nodes go on.
    var unknownNodes = Set<String>()

    await withTaskGroup(of: StepResult.self) { group in
      var running = 0
      while true {
        if interruption.isTriggered && !announced {
          announced = true
          observer.handle(
            .stopping(
              reason: running == 0
                ? "interrupted: no new step starts"
                : "interrupted: letting \(running) running step\(running == 1 ? "" : "s") finish "
                  + "their commands; no new step starts"))
        }
        var progressed = false
        if !stopping && !interruption.isTriggered {
          for id in scheduler.startable() {
            guard let step = byID[id] else { continue }
            if !unknownNodes.isDisjoint(with: StepScheduler.nodes(of: step)) {
              scheduler.finish(id, .unusable)
              outcome.declined[id] = .notStarted
              progressed = true
              continue
            }
            if ask {
              switch await confirmation.confirmStep(step, index: started + 1, total: total) {
              case .run: break
              case .all: ask = false
              case .skip:
                scheduler.finish(id, .unusable)
                outcome.declined[id] = .declined
                progressed = true
                continue
              case .quit:
                scheduler.finish(id, .unusable)
                outcome.declined[id] = .notStarted
                outcome.quit = true
                stopping = true
                progressed = true
                continue
              }
            }
            started += 1
            let index = started
            let verify = verifyOnly.contains(id)
            let pending = verify ? resume?.steps[id]?.pending : nil
            group.addTask {
              await self.runStep(
                step, verifyOnly: verify, index: index, total: total, transport: transport,
                options: options, run: run, pending: pending)
            }
            running += 1
          }
        }
        if running == 0 {
          if progressed { continue }
          break
        }
        guard let result = await group.next() else { break }
        running -= 1
        outcome.results[result.id] = result
        scheduler.finish(result.id, result.outcome.isUsable ? .usable : .unusable)
        if result.outcome == .unknown, let step = byID[result.id] {
          // Independent steps on other nodes go on; this node's wait for --resume.
          unknownNodes.formUnion(StepScheduler.nodes(of: step))
        } else if !result.outcome.isUsable && result.outcome != .declined {
          stopping = true
        }
      }
    }
    let remaining = scheduler.settleRemaining()
    outcome.blocked = scheduler.blocked
    outcome.notStarted = remaining
    outcome.interrupted = interruption.isTriggered || outcome.quit
    return outcome
  }
}

extension StepScheduler {
  /// After the run stopped: marks pending steps with a failed dependency as blocked and returns the
  /// others (not started), in plan order.
  mutating func settleRemaining() -> [String] {
    var notStarted: [String] = []
    for id in pending {
      guard let step = steps.first(where: { $0.id == id }) else { continue }
      if let bad = step.after.first(where: { finished[$0] == .unusable || blockedStep($0) }) {
        markBlocked(id, by: bad)
      } else {
        notStarted.append(id)
      }
    }
    for id in pending { drop(id, .unusable) }
    return notStarted
  }
}
