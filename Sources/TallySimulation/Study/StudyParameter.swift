import Foundation
import TallyQualityControl

/// A scenario setting a study can vary (`tally study --vary NAME=VALUES`).
///
/// | name | what it sets |
/// |---|---|
/// | `overlap` | `pool.defaults.default_overlap_for_new_tasks` |
/// | `real_per_suite` | `pool.mixer_config.real_tasks_count` |
/// | `golden_per_suite` | `pool.mixer_config.golden_tasks_count` |
/// | `training_per_suite` | `pool.mixer_config.training_tasks_count` |
/// | `reward` | `pool.reward_per_assignment` (USD) |
/// | `history_size` | `history_size` of every GOLDEN_SET / MAJORITY_VOTE / ASSIGNMENT_SUBMIT_TIME collector |
/// | `golden_threshold` | the value of every GOLDEN_SET condition on a `*_rate` key (percent) |
/// | `fast_threshold` | `fast_submit_threshold_seconds` of every ASSIGNMENT_SUBMIT_TIME collector |
/// | `golden_tasks` | `tasks.golden_count` |
/// | `tasks` | `tasks.count` |
/// | `arrivals_per_hour` | `crowd.arrivals_per_hour` |
/// | `max_overlap` | `pool.dynamic_overlap_config.max_overlap` (adds dynamic overlap if absent, EPS 0.9) |
/// | `min_confidence` | `pool.dynamic_overlap_config.min_confidence` (needs dynamic overlap) |
/// | `spammer_share` | the share of every spam type, scaled so their total is this fraction of arrivals |
public enum StudyParameter: String, Sendable, CaseIterable {
    case overlap
    case realPerSuite = "real_per_suite"
    case goldenPerSuite = "golden_per_suite"
    case trainingPerSuite = "training_per_suite"
    case reward
    case historySize = "history_size"
    case goldenThreshold = "golden_threshold"
    case fastThreshold = "fast_threshold"
    case goldenTasks = "golden_tasks"
    case tasks
    case arrivalsPerHour = "arrivals_per_hour"
    case maxOverlap = "max_overlap"
    case minConfidence = "min_confidence"
    case spammerShare = "spammer_share"

    /// Whether values must be whole numbers.
    public var isInteger: Bool {
        switch self {
        case .reward, .goldenThreshold, .arrivalsPerHour, .minConfidence, .spammerShare: return false
        default: return true
        }
    }

    /// Sets this parameter of `scenario` to `value`.
    /// - Throws: ``ScenarioError`` (path `--vary NAME`) when the value is out of range or the scenario lacks what it varies.
    public func apply(_ value: Double, to s: inout Scenario) throws(ScenarioError) {
        let path = "--vary \(rawValue)"
        func int(_ range: ClosedRange<Int>) throws(ScenarioError) -> Int {
            guard value == value.rounded(), range.contains(Int(value)) else {
                throw ScenarioError(.invalidValue, path: path, "expected an integer from \(range.lowerBound) to \(range.upperBound), got \(scenarioNumber(value))")
            }
            return Int(value)
        }
        func number(_ range: ClosedRange<Double>) throws(ScenarioError) -> Double {
            guard range.contains(value) else { throw ScenarioError(.invalidValue, path: path, "expected a number from \(scenarioNumber(range.lowerBound)) to \(scenarioNumber(range.upperBound)), got \(scenarioNumber(value))") }
            return value
        }
        switch self {
        case .overlap:
            s.pool.overlap = try int(1...30000)
            if let d = s.pool.dynamicOverlap, d.maxOverlap < s.pool.overlap { s.pool.dynamicOverlap?.maxOverlap = s.pool.overlap }
        case .realPerSuite: s.pool.mixer.realTasksCount = try int(1...500)
        case .goldenPerSuite: s.pool.mixer.goldenTasksCount = try int(0...500)
        case .trainingPerSuite: s.pool.mixer.trainingTasksCount = try int(0...500)
        case .reward: s.pool.rewardPerAssignment = try number(0...1000)
        case .historySize:
            let h = try int(1...Int(Int32.max))
            var touched = false
            for i in s.pool.qualityControl.configs.indices where [.goldenSet, .majorityVote, .assignmentSubmitTime].contains(s.pool.qualityControl.configs[i].collector.kind) {
                s.pool.qualityControl.configs[i].collector.historySize = h
                touched = true
            }
            if !touched { throw ScenarioError(.invalidValue, path: path, "the scenario's pool has no GOLDEN_SET, MAJORITY_VOTE or ASSIGNMENT_SUBMIT_TIME collector") }
        case .goldenThreshold:
            let v = try number(0...100)
            var touched = false
            for i in s.pool.qualityControl.configs.indices where s.pool.qualityControl.configs[i].collector.kind == .goldenSet {
                for r in s.pool.qualityControl.configs[i].rules.indices {
                    for c in s.pool.qualityControl.configs[i].rules[r].conditions.indices where s.pool.qualityControl.configs[i].rules[r].conditions[c].key.rawValue.hasSuffix("_rate") {
                        s.pool.qualityControl.configs[i].rules[r].conditions[c].value = .number(v)
                        touched = true
                    }
                }
            }
            if !touched { throw ScenarioError(.invalidValue, path: path, "the scenario's pool has no GOLDEN_SET condition on a rate") }
        case .fastThreshold:
            let v = try int(0...Int(Int32.max))
            var touched = false
            for i in s.pool.qualityControl.configs.indices where s.pool.qualityControl.configs[i].collector.kind == .assignmentSubmitTime {
                s.pool.qualityControl.configs[i].collector.fastSubmitThresholdSeconds = v
                touched = true
            }
            if !touched { throw ScenarioError(.invalidValue, path: path, "the scenario's pool has no ASSIGNMENT_SUBMIT_TIME collector") }
        case .goldenTasks: s.tasks.goldenCount = try int(0...10_000_000)
        case .tasks: s.tasks.count = try int(1...100_000_000)
        case .arrivalsPerHour: s.crowd.arrivalsPerHour = try number(1e-6...1e9)
        case .maxOverlap:
            let m = try int(1...30000)
            s.pool.dynamicOverlap = .init(maxOverlap: max(m, s.pool.overlap), minConfidence: s.pool.dynamicOverlap?.minConfidence ?? 0.9)
        case .minConfidence:
            let c = try number(0...1)
            guard s.pool.dynamicOverlap != nil else { throw ScenarioError(.invalidValue, path: path, "the scenario's pool has no dynamic_overlap_config; vary max_overlap too") }
            s.pool.dynamicOverlap?.minConfidence = c
        case .spammerShare:
            let target = try number(0...1)
            let spam = s.crowd.types.filter { $0.model.isSpammer }.map(\.share).reduce(0, +)
            let honest = s.crowd.types.filter { !$0.model.isSpammer }.map(\.share).reduce(0, +)
            guard spam > 0, honest > 0 || target == 1 else { throw ScenarioError(.invalidValue, path: path, "the scenario needs both spam and honest worker types") }
            for i in s.crowd.types.indices {
                s.crowd.types[i].share = s.crowd.types[i].model.isSpammer ? s.crowd.types[i].share / spam * target : s.crowd.types[i].share / max(honest, 1e-300) * (1 - target)
            }
        }
    }

    /// Parses `NAME=VALUES`: `VALUES` is `a..b` (integers a to b), `a..b:step`, or a comma list `x,y,z`.
    /// - Throws: ``ScenarioError`` naming the option.
    public static func parse(_ text: String) throws(ScenarioError) -> (StudyParameter, [Double]) {
        guard let eq = text.firstIndex(of: "=") else {
            throw ScenarioError(.invalidValue, path: "--vary", "expected NAME=VALUES such as overlap=1..5, got \"\(text)\"")
        }
        let name = String(text[..<eq]), spec = String(text[text.index(after: eq)...])
        guard let p = StudyParameter(rawValue: name) else {
            throw ScenarioError(.invalidValue, path: "--vary", "unknown parameter \"\(name)\"; expected one of \(allCases.map(\.rawValue).joined(separator: ", "))")
        }
        var values: [Double] = []
        if let range = spec.range(of: "..") {
            var upperText = String(spec[range.upperBound...]), step = 1.0
            if let colon = upperText.firstIndex(of: ":") {
                guard let s = Double(upperText[upperText.index(after: colon)...]), s > 0 else {
                    throw ScenarioError(.invalidValue, path: "--vary \(name)", "expected a positive step after ':', got \"\(spec)\"")
                }
                step = s
                upperText = String(upperText[..<colon])
            }
            guard let a = Double(spec[..<range.lowerBound]), let b = Double(upperText), a <= b else {
                throw ScenarioError(.invalidValue, path: "--vary \(name)", "expected a range a..b with a <= b, got \"\(spec)\"")
            }
            var i = 0
            while true {
                let v = a + Double(i) * step
                if v > b + 1e-9 * max(1, abs(b)) { break }
                values.append(v)
                i += 1
                if values.count > 10_000 { throw ScenarioError(.invalidValue, path: "--vary \(name)", "more than 10000 values") }
            }
        } else {
            for part in spec.split(separator: ",", omittingEmptySubsequences: false) {
                guard let v = Double(part.trimmingCharacters(in: .whitespaces)) else {
                    throw ScenarioError(.invalidValue, path: "--vary \(name)", "expected numbers separated by commas or a range a..b, got \"\(spec)\"")
                }
                values.append(v)
            }
        }
        guard !values.isEmpty else { throw ScenarioError(.invalidValue, path: "--vary \(name)", "no values") }
        return (p, values)
    }
}

/// Every combination of the varied parameters' values, first parameter slowest.
public func studyGrid(_ vary: [(StudyParameter, [Double])]) -> [[Double]] {
    var grid: [[Double]] = [[]]
    for (_, values) in vary {
        grid = grid.flatMap { point in values.map { point + [$0] } }
    }
    return grid
}
