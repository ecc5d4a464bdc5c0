import TallyCore

/// A pool's `mixer_config`: how many tasks of each kind make up one task suite, and how they are
/// picked. `tally simulate` reads it from the scenario's pool, the Toloka emulator from the pool the
/// client created; both read it with ``init(mixerConfig:)`` and both build suites from it.
///
///     let mixer = Mixer(mixerConfig: ["real_tasks_count": 4, "golden_tasks_count": 1])
///     mixer.minimumRealTasks   // 4: min_real_tasks_count defaults to real_tasks_count
public struct Mixer: Sendable, Equatable {
    /// `real_tasks_count`: general tasks per suite.
    public var realTasksCount: Int
    /// `golden_tasks_count`: control tasks per suite.
    public var goldenTasksCount: Int
    /// `training_tasks_count`: training tasks per suite.
    public var trainingTasksCount: Int
    /// `min_real_tasks_count`: the fewest general tasks a suite may have; nil means `real_tasks_count`.
    public var minRealTasksCount: Int?
    /// `force_last_assignment` (default true): when fewer general tasks than
    /// `min_real_tasks_count` are left, issue them as a smaller last suite.
    public var forceLastAssignment: Bool = true
    /// `mix_tasks_in_creation_order` (default false): take general tasks in upload order rather than at random.
    public var mixTasksInCreationOrder: Bool = false
    /// `shuffle_tasks_in_task_suite` (default true): shuffle the tasks on the page.
    public var shuffleTasksInTaskSuite: Bool = true

    /// A mixer of `real` general, `golden` control and `training` training tasks per suite, with
    /// Toloka's defaults for the rest.
    public init(real: Int, golden: Int, training: Int = 0) {
        realTasksCount = real
        goldenTasksCount = golden
        trainingTasksCount = training
    }

    /// The keys of `mixer_config` that the pool engines act on.
    static let keys = ["real_tasks_count", "golden_tasks_count", "training_tasks_count", "min_real_tasks_count",
                              "force_last_assignment", "mix_tasks_in_creation_order", "shuffle_tasks_in_task_suite"]

    /// Reads Toloka's `mixer_config` object. Missing counts are 0; a missing or non-boolean flag
    /// keeps its default; other keys are ignored. (The scenario reader checks types and ranges first
    /// and reports bad values with their JSON path; the emulator takes what the client sent.)
    public init(mixerConfig o: [String: JSONValue]) {
        realTasksCount = o["real_tasks_count"]?.intValue ?? 0
        goldenTasksCount = o["golden_tasks_count"]?.intValue ?? 0
        trainingTasksCount = o["training_tasks_count"]?.intValue ?? 0
        minRealTasksCount = o["min_real_tasks_count"]?.intValue
        if let b = o["force_last_assignment"]?.boolValue { forceLastAssignment = b }
        if let b = o["mix_tasks_in_creation_order"]?.boolValue { mixTasksInCreationOrder = b }
        if let b = o["shuffle_tasks_in_task_suite"]?.boolValue { shuffleTasksInTaskSuite = b }
    }

    /// The fewest general tasks of a suite: `min_real_tasks_count`, else `real_tasks_count`.
    public var minimumRealTasks: Int { minRealTasksCount ?? realTasksCount }

    /// What makes a suite the pool's last one, so that it may have fewer general tasks than
    /// `min_real_tasks_count` when `force_last_assignment` holds. Toloka documents the flag, not
    /// the test; the two pool drivers read it differently and both readings are kept.
    public enum LastSuiteRule: Sendable {
        /// `tally simulate`: the Toloker's own search went through every open general task and found too few.
        case searchExhausted
        /// The emulator: fewer than `min_real_tasks_count` general tasks are open in the whole pool.
        case fewOpenInPool
    }

    /// Whether a suite may be issued with `found` general tasks (at most `real_tasks_count` are taken):
    /// at least one, and at least `min_real_tasks_count` (capped at `real_tasks_count`), unless the
    /// suite is the last one (`rule`, from `searchExhausted` or `openTasks`) and `force_last_assignment` holds.
    ///
    ///     let mixer = Mixer(real: 4, golden: 0)
    ///     mixer.admitsSuite(found: 2, searchExhausted: false, openTasks: 9, rule: .searchExhausted)  // false
    ///     mixer.admitsSuite(found: 2, searchExhausted: true, openTasks: 9, rule: .searchExhausted)   // true
    public func admitsSuite(found: Int, searchExhausted: Bool, openTasks: Int, rule: LastSuiteRule) -> Bool {
        guard found > 0 else { return false }
        if found >= min(realTasksCount, max(1, minimumRealTasks)) { return true }
        guard forceLastAssignment else { return false }
        switch rule {
        case .searchExhausted: return searchExhausted
        case .fewOpenInPool: return openTasks < minimumRealTasks
        }
    }

    /// Tasks of all kinds in a full suite.
    public var suiteSize: Int { realTasksCount + goldenTasksCount + trainingTasksCount }

    /// As Toloka's `mixer_config` object (`min_real_tasks_count` only when set).
    public var mixerConfig: [String: JSONValue] {
        var o: [String: JSONValue] = [
            "real_tasks_count": .int(Int64(realTasksCount)),
            "golden_tasks_count": .int(Int64(goldenTasksCount)),
            "training_tasks_count": .int(Int64(trainingTasksCount)),
            "force_last_assignment": .bool(forceLastAssignment),
            "mix_tasks_in_creation_order": .bool(mixTasksInCreationOrder),
            "shuffle_tasks_in_task_suite": .bool(shuffleTasksInTaskSuite),
        ]
        if let m = minRealTasksCount { o["min_real_tasks_count"] = .int(Int64(m)) }
        return o
    }
}
