import Foundation
import Testing
@testable import TallyQualityControl

/// SplitMix64 (Steele, Lea, Flood 2014): a tiny seeded generator for Monte-Carlo tests.
struct SplitMix64: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
    /// Uniform in [0, 1).
    mutating func uniform() -> Double { Double(next() >> 11) * 0x1p-53 }
}

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
