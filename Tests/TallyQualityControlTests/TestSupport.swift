import Foundation
import Testing
@testable import TallyQualityControl

let day = 86_400.0

/// A single-config, single-rule quality control.
func single(_ collector: Collector, _ conditions: [Condition], _ action: Action = ban()) -> QualityControl {
    QualityControl(configs: [.init(collector, rules: [.init(conditions, action)])])
}

/// A restriction (default: this pool for 3 days).
func ban(_ duration: Int? = 3, _ unit: Restriction.DurationUnit = .days, scope: Restriction.Scope = .pool) -> Action {
    .restriction(Restriction(scope: scope, duration: duration, unit: unit, privateComment: "bad quality"))
}

/// A submission carrying control answers in order.
func submit(_ time: Double, _ worker: Int32 = 0, duration: Double = .nan, _ control: Bool...) -> AssignmentEvent {
    .submitted(time: time, worker: worker, duration: duration, control: AnswerOutcomes(control))
}

/// The notebook's golden rule: ban for 3 days at ≤ 80 % correct once there is ≥ 1 control answer, window 10.
let notebookRule = single(.goldenSet(historySize: 10), [
    Condition(.goldenSetCorrectAnswersRate, .lte, 80.0),
    Condition(.goldenSetAnswersCount, .gte, 1),
])

/// Feeds `events` to a fresh engine for `qc`.
func run(_ qc: QualityControl, _ events: [AssignmentEvent]) throws -> QualityControlEngine {
    var engine = try QualityControlEngine(qc)
    engine.process(events)
    return engine
}
