/// Replays assignment events through a pool's quality-control rules and emits the actions they take.
///
/// Feed events in time order with ``process(_:)``; read ``actions`` and ask ``isRestricted(worker:at:scope:)``.
/// One engine stands for one pool: restrictions of scope `PROJECT` and `ALL_PROJECTS` are recorded
/// so a caller can apply them to other pools (see ``isRestricted(worker:at:scope:)``).
///
/// Semantics (as Toloka documents them; where its documentation is silent or a point is unverified,
/// the engine's own choice is marked *choice*):
/// * Every rule keeps its own per-worker history of its collector's events — a sliding window of
///   the last `history_size` events, or all events when the field is absent — and is checked each
///   time that history changes. A rule fires when all its conditions hold. Rules and configs are
///   independent, so one event may fire several rules; their actions are logged in config and rule order.
/// * What each collector's history holds, and when it changes:
///   - `GOLDEN_SET`: one entry per control or training answer, appended when the suite is submitted
///     (control answers in page order, then training answers). The rule is checked once per suite
///     that has such answers, after all of them are in (*choice*: Toloka's docs equate "per suite" and
///     "per control answer", which differ only for suites with several control tasks). The window
///     of `history_size` holds control and training answers together; `golden_set_*` keys count
///     the control answers inside it (*choice*).
///   - `MAJORITY_VOTE`: one entry per ``AssignmentEvent/Kind/majorityResolved(task:agreed:majoritySize:)``
///     whose `majoritySize >= answer_threshold`; others are ignored.
///   - `ASSIGNMENT_SUBMIT_TIME`: one entry per submitted suite; fast when `duration < fast_submit_threshold_seconds`
///     (strictly less: *choice*; an unknown duration is never fast).
///   - `ANSWER_COUNT`: the number of suites submitted (no window).
///   - `SKIPPED_IN_ROW_ASSIGNMENTS`: skips since the last submission; checked on each skip, reset
///     (without a check) on each submission; expiries neither count nor reset (*choice*).
///   - `ACCEPTANCE_RATE`: one entry per accept or reject event.
/// * A rate whose denominator is 0 (e.g. `golden_set_correct_answers_rate` after training answers
///   only) is undefined, and a condition on it does not hold (*choice*).
/// * When a rule restricts a Toloker, that rule's history for the Toloker is cleared (other rules
///   keep theirs), and the rule ignores the Toloker's events until the restriction ends; counting
///   then restarts from empty. So a banned Toloker cannot trigger the same rule again during its
///   ban — whether Toloka counts events that still arrive during a ban (suites taken before it,
///   majorities resolved later) is unverified; this engine does not (*choice*). Other rules do count
///   them and may fire; overlapping restrictions extend the restricted time to the latest end.
/// * A restriction made at time `t` for `d` seconds covers `t ..< t + d`: at `t + d` it is over
///   (3 `DAYS` = 259,200 s). `PERMANENT` never ends.
/// * Non-restricting actions (`SET_SKILL`, `APPROVE_ALL_ASSIGNMENTS`, …) clear nothing and fire again
///   every time the history changes while the conditions still hold.
/// * History is this pool's alone: Toloka shares windowed history across a requester's pools whose
///   rules also set `history_size` (unverified scoping); feed those pools' events to one engine to emulate that.
///
/// - Complexity: ``process(_:)`` is O(rules the event touches) and allocates only when a worker id
///   beyond the largest seen so far grows the tables, or when a rule fires.
public struct QualityControlEngine: Sendable {
    /// The rules, as given.
    public let qualityControl: QualityControl
    /// Every action taken so far, in the order taken.
    public private(set) var actions: [QualityControlAction] = []

    /// The rules, compiled; read only when a rule fires.
    private let rules: [CompiledRule]
    /// What the per-event path reads: plain values, so reading them retains nothing.
    private let hot: [HotRule]
    private let tests: [CompiledRule.Test]
    private var windows: WindowTable
    /// Bit `r` set: a submission updates rule `r` (GOLDEN_SET, ASSIGNMENT_SUBMIT_TIME, ANSWER_COUNT,
    /// SKIPPED_IN_ROW). Bit sets, not arrays, so that the per-event loop touches no reference.
    private let submissionRules: RuleSet
    private let skippedRules: RuleSet
    private let acceptanceRules: RuleSet
    private let majorityRules: RuleSet
    /// Per worker × scope (pool, project, all projects): the latest-ending restriction's start and end.
    private var restrictionStart: [Double] = []
    private var restrictionEnd: [Double] = []
    private var workerCapacity = 0

    /// An engine for `qualityControl`.
    ///
    /// - Parameter ignoringUnsupported: skip configs whose collector is not emulated (`CAPTCHA`,
    ///   `ASSIGNMENTS_ASSESSMENT`, `USERS_ASSESSMENT`, `INCOME`, `TRAINING`) instead of failing.
    /// - Throws: ``QualityControlError`` naming the config, e.g. `configs[2].collector_config.type`,
    ///   for unsupported collectors, for more than 64 rules of emulated collectors, and for rules
    ///   built in code that the JSON reader would reject.
    public init(_ qualityControl: QualityControl, ignoringUnsupported: Bool = false) throws(QualityControlError) {
        self.qualityControl = qualityControl
        var rules: [CompiledRule] = []
        for (i, config) in qualityControl.configs.enumerated() {
            let kind = config.collector.kind
            guard kind.isEmulated else {
                if ignoringUnsupported { continue }
                let emulated = Collector.Kind.allCases.filter(\.isEmulated).map(\.rawValue).joined(separator: ", ")
                throw QualityControlError(.unsupported, path: "configs[\(i)].collector_config.type", "\(kind.rawValue) is not emulated; the engine runs \(emulated) (pass ignoringUnsupported to skip it)")
            }
            for (j, rule) in config.rules.enumerated() {
                rules.append(try CompiledRule(config.collector, rule, config: i, rule: j))
            }
        }
        self.rules = rules
        var tests: [CompiledRule.Test] = []
        var hot: [HotRule] = []
        for r in rules {
            hot.append(HotRule(kind: r.kind, fastThreshold: r.fastThreshold, answerThreshold: r.answerThreshold, first: tests.count, end: tests.count + r.conditions.count))
            tests += r.conditions
        }
        self.hot = hot
        self.tests = tests
        windows = WindowTable(capacities: rules.map(\.historySize))
        guard rules.count <= RuleSet.capacity else {
            throw QualityControlError(.unsupported, path: "configs", "\(rules.count) rules; the engine runs at most \(RuleSet.capacity)")
        }
        func indices(_ kinds: Collector.Kind...) -> RuleSet { RuleSet(rules.indices.filter { kinds.contains(rules[$0].kind) }) }
        submissionRules = indices(.goldenSet, .assignmentSubmitTime, .answerCount, .skippedInRowAssignments)
        skippedRules = indices(.skippedInRowAssignments)
        acceptanceRules = indices(.acceptanceRate)
        majorityRules = indices(.majorityVote)
    }

    /// Makes room for worker ids below `workers` up front, so that ``process(_:)`` never allocates for a new worker.
    package mutating func reserveWorkers(_ workers: Int) {
        guard workers > workerCapacity else { return }
        windows.grow(to: workers)
        restrictionStart.append(contentsOf: repeatElement(.infinity, count: 3 * workers - restrictionStart.count))
        restrictionEnd.append(contentsOf: repeatElement(-.infinity, count: 3 * workers - restrictionEnd.count))
        workerCapacity = workers
    }

    /// Asks the CPU to fetch the state ``process(_:)`` will read for `worker`, so a caller that knows
    /// its next events early can overlap the memory latency with other work. A hint: it changes nothing.
    package func prefetch(worker: Int32) {
        let w = Int(worker)
        guard w >= 0, w < workerCapacity else { return }
        windows.prefetch(w)
        restrictionStart.withUnsafeBufferPointer { prefetchLine($0.baseAddress! + 3 &* w) }
        restrictionEnd.withUnsafeBufferPointer { prefetchLine($0.baseAddress! + 3 &* w) }
    }

    /// Applies one event; returns how many actions it caused (the last ones in ``actions``).
    ///
    /// - Precondition: `event.worker >= 0`. Events should come in time order.
    @discardableResult
    public mutating func process(_ event: AssignmentEvent) -> Int {
        let w = Int(event.worker)
        precondition(w >= 0, "worker ids are non-negative")
        if w >= workerCapacity { reserveWorkers(max(w + 1, workerCapacity * 2, 64)) }
        let before = actions.count
        let t = event.time
        switch event.kind {
        case .submitted(let s):
            let hasAnswers = s.control.count > 0 || s.training.count > 0
            for r in submissionRules where t >= windows.pausedUntil[w &* hot.count &+ r] {
                let counts: SIMD4<Int32>
                switch hot[r].kind {
                case .goldenSet:
                    guard hasAnswers else { continue }
                    for i in 0..<Int(s.control.count) { windows.push(w, r, s.control[i] ? 1 : 0) }
                    for i in 0..<Int(s.training.count) { windows.push(w, r, s.training[i] ? 3 : 2) }
                    counts = windows.counts[w &* hot.count &+ r]
                case .assignmentSubmitTime:
                    counts = windows.push(w, r, s.duration < hot[r].fastThreshold ? 1 : 0)
                case .answerCount:
                    counts = windows.push(w, r, 0)
                default:  // skipped in a row: a submission ends the run
                    windows.clear(w, r)
                    continue
                }
                check(r, w, t, counts)
            }
        case .skipped:
            for r in skippedRules where t >= windows.pausedUntil[w &* hot.count &+ r] {
                check(r, w, t, windows.push(w, r, 0))
            }
        case .accepted, .rejected:
            let code = event.kind == .accepted ? 1 : 0
            for r in acceptanceRules where t >= windows.pausedUntil[w &* hot.count &+ r] {
                check(r, w, t, windows.push(w, r, code))
            }
        case .majorityResolved(_, let agreed, let size):
            for r in majorityRules where t >= windows.pausedUntil[w &* hot.count &+ r] && size >= hot[r].answerThreshold {
                check(r, w, t, windows.push(w, r, agreed ? 1 : 0))
            }
        case .expired:
            break
        }
        return actions.count - before
    }

    /// Applies events in order; returns how many actions they caused.
    @discardableResult
    public mutating func process<S: Sequence>(_ events: S) -> Int where S.Element == AssignmentEvent {
        var n = 0
        for e in events { n += process(e) }
        return n
    }

    /// Whether `worker` is barred, at `time`, from work in `scope`.
    ///
    /// `.pool` (this pool) is barred by any restriction; `.project` (the project's other pools) by
    /// `PROJECT` and `ALL_PROJECTS` ones; `.allProjects` (other projects) only by `ALL_PROJECTS`.
    /// Answers are exact for times not earlier than the last processed event (the engine keeps the
    /// latest-ending restriction per scope; the full history is in ``actions``).
    public func isRestricted(worker: Int32, at time: Double, scope: Restriction.Scope = .pool) -> Bool {
        restrictionEnd(worker: worker, at: time, scope: scope) != nil
    }

    /// When the restriction barring `worker` from `scope` at `time` ends (`.infinity` if permanent), or nil if none does.
    public func restrictionEnd(worker: Int32, at time: Double, scope: Restriction.Scope = .pool) -> Double? {
        let w = Int(worker)
        guard w >= 0, w < workerCapacity else { return nil }
        var end: Double?
        for s in scope.index...2 {
            let i = 3 * w + s
            if restrictionStart[i] <= time, time < restrictionEnd[i] { end = max(end ?? -.infinity, restrictionEnd[i]) }
        }
        return end
    }

    /// The entries in a rule's window for `worker`, oldest first, as codes (bit 0: correct / fast /
    /// agreed / accepted; bit 1: a training answer). Empty for rules without `history_size`.
    func window(rule: Int, worker: Int32) -> [Int] { windows.window(Int(worker), rule) }

    // MARK: - Rule checks

    @inline(__always)
    private mutating func check(_ r: Int, _ w: Int, _ t: Double) {
        check(r, w, t, windows.counts[w &* hot.count &+ r])
    }

    @inline(__always)
    private mutating func check(_ r: Int, _ w: Int, _ t: Double, _ counts: SIMD4<Int32>) {
        let rule = hot[r]
        var k = rule.first
        while k < rule.end {
            let test = tests[k]
            guard let v = CompiledRule.statistic(rule.kind, test.key, counts), test.op.holds(v, test.value) else { return }
            k &+= 1
        }
        fire(r, w, t, counts)
    }

    private mutating func fire(_ r: Int, _ w: Int, _ t: Double, _ counts: SIMD4<Int32>) {
        let rule = rules[r]
        let values = rule.conditions.map { QualityControlAction.Observation($0.key, CompiledRule.statistic(rule.kind, $0.key, counts) ?? .nan) }
        var record = QualityControlAction(time: t, worker: Int32(w), config: rule.config, rule: rule.rule, action: rule.action, values: values)
        switch rule.action {
        case .restriction(let restriction), .legacyRestriction(let restriction):
            let end = t + restriction.seconds
            record.restrictionEnd = end
            let i = 3 * w + restriction.scope.index
            if restrictionStart[i] <= t, t < restrictionEnd[i] {
                restrictionEnd[i] = max(restrictionEnd[i], end)
            } else {
                restrictionStart[i] = t
                restrictionEnd[i] = end
            }
            windows.clear(w, r)
            windows.pausedUntil[w * hot.count + r] = end
        case .setSkill(_, let value):
            record.skillValue = Double(value)
        case .setSkillFromOutputField(_, let field):
            record.skillValue = CompiledRule.statistic(rule.kind, field, counts)
        case .approveAllAssignments, .rejectAllAssignments, .changeOverlap:
            break
        }
        actions.append(record)
    }
}

extension Restriction.Scope {
    /// 0 pool, 1 project, 2 all projects: a restriction of scope `i` bars work in every scope `<= i`.
    var index: Int {
        switch self {
        case .pool: return 0
        case .project: return 1
        case .allProjects: return 2
        }
    }
}

/// The part of a rule the per-event path reads: no references, so copying it costs nothing.
struct HotRule: Sendable {
    let kind: Collector.Kind
    let fastThreshold: Double
    let answerThreshold: Int32
    /// The rule's conditions are `tests[first..<end]`.
    let first: Int
    let end: Int
}

/// A rule ready to run: its collector's parameters and its conditions as numbers.
struct CompiledRule: Sendable {
    struct Test: Sendable {
        let key: ConditionKey
        let op: ComparisonOperator
        let value: Double
    }

    let kind: Collector.Kind
    let config: Int
    let rule: Int
    let historySize: Int
    let fastThreshold: Double
    let answerThreshold: Int32
    let conditions: [Test]
    let action: Action

    init(_ collector: Collector, _ rule: QualityControl.Rule, config: Int, rule index: Int) throws(QualityControlError) {
        let path = "configs[\(config)].rules[\(index)]"
        kind = collector.kind
        self.config = config
        self.rule = index
        if let h = collector.historySize, !(1...Int(Int32.max)).contains(h) {
            throw QualityControlError(.invalidValue, path: "configs[\(config)].collector_config.parameters.history_size", "expected an integer of at least 1, got \(h)")
        }
        historySize = kind.takesHistorySize ? collector.historySize ?? 0 : 0
        if kind == .assignmentSubmitTime {
            guard let s = collector.fastSubmitThresholdSeconds else {
                throw QualityControlError(.missingField, path: "configs[\(config)].collector_config.parameters.fast_submit_threshold_seconds", "missing; this field is required")
            }
            fastThreshold = Double(s)
        } else {
            fastThreshold = 0
        }
        if kind == .majorityVote {
            guard let a = collector.answerThreshold else {
                throw QualityControlError(.missingField, path: "configs[\(config)].collector_config.parameters.answer_threshold", "missing; this field is required")
            }
            answerThreshold = Int32(clamping: a)
        } else {
            answerThreshold = 0
        }
        let allowedKeys = ConditionKey.allowed(for: kind)
        var tests: [Test] = []
        for (k, c) in rule.conditions.enumerated() {
            guard allowedKeys.contains(c.key) else {
                throw QualityControlError(.invalidValue, path: "\(path).conditions[\(k)].key", "expected one of \(allowedKeys.map(\.rawValue).joined(separator: ", ")), got \"\(c.key.rawValue)\"")
            }
            guard let v = c.value.number else {
                throw QualityControlError(.wrongType, path: "\(path).conditions[\(k)].value", "expected a number for \(c.key.rawValue)")
            }
            tests.append(Test(key: c.key, op: c.operator, value: v))
        }
        conditions = tests
        let allowedActions = Action.allowed(for: kind)
        guard allowedActions.contains(rule.action.kind) else {
            throw QualityControlError(.invalidValue, path: "\(path).action.type", "expected one of \(allowedActions.map(\.rawValue).joined(separator: ", ")), got \"\(rule.action.kind.rawValue)\"")
        }
        if case .setSkillFromOutputField(_, let field) = rule.action, !allowedKeys.contains(field) {
            throw QualityControlError(.invalidValue, path: "\(path).action.parameters.from_field", "expected one of \(allowedKeys.map(\.rawValue).joined(separator: ", ")), got \"\(field.rawValue)\"")
        }
        if let r = rule.action.restrictionValue, r.unit != .permanent, (r.duration ?? -1) < 0 {
            throw QualityControlError(.invalidValue, path: "\(path).action.parameters.duration", "expected a duration of 0 or more \(r.unit.rawValue)")
        }
        action = rule.action
    }

    /// The value of `key` given the window's counts per code; nil when a rate has no denominator.
    @inline(__always)
    static func statistic(_ kind: Collector.Kind, _ key: ConditionKey, _ c: SIMD4<Int32>) -> Double? {
        /// A pair of counters, (wrong, right): `count` is their sum, `rightRate` and `wrongRate`
        /// their shares in percent (nil with nothing counted); nil for any other key.
        @inline(__always) func pair(_ wrong: Int32, _ right: Int32, _ count: ConditionKey, _ rightRate: ConditionKey, _ wrongRate: ConditionKey) -> Double? {
            let whole = wrong &+ right
            switch key {
            case count: return Double(whole)
            case rightRate: return whole > 0 ? 100 * Double(right) / Double(whole) : nil
            case wrongRate: return whole > 0 ? 100 * Double(wrong) / Double(whole) : nil
            default: return nil
            }
        }
        switch kind {
        case .goldenSet:
            // codes: 0 control wrong, 1 control right, 2 training wrong, 3 training right
            return pair(c[0] &+ c[2], c[1] &+ c[3], .totalAnswersCount, .correctAnswersRate, .incorrectAnswersRate)
                ?? pair(c[0], c[1], .goldenSetAnswersCount, .goldenSetCorrectAnswersRate, .goldenSetIncorrectAnswersRate)
        case .majorityVote:
            return pair(c[0], c[1], .totalAnswersCount, .correctAnswersRate, .incorrectAnswersRate)
        case .assignmentSubmitTime:
            switch key {
            case .totalSubmittedCount: return Double(c[0] &+ c[1])
            case .fastSubmittedCount: return Double(c[1])
            default: return nil
            }
        case .answerCount:
            return key == .assignmentsAcceptedCount ? Double(c[0]) : nil
        case .skippedInRowAssignments:
            return key == .skippedInRowCount ? Double(c[0]) : nil
        case .acceptanceRate:
            return pair(c[0], c[1], .totalAssignmentsCount, .acceptedAssignmentsRate, .rejectedAssignmentsRate)
        default:
            return nil
        }
    }
}

/// A set of rule indices below 64, iterated in ascending order.
struct RuleSet: Sequence, Sendable {
    static let capacity = 64
    let bits: UInt64

    init(_ indices: [Int]) { bits = indices.reduce(0) { $0 | UInt64(1) << UInt64($1) } }

    struct Iterator: IteratorProtocol {
        var bits: UInt64
        @inline(__always)
        mutating func next() -> Int? {
            guard bits != 0 else { return nil }
            let r = bits.trailingZeroBitCount
            bits &= bits &- 1
            return r
        }
    }

    func makeIterator() -> Iterator { Iterator(bits: bits) }
}
