import Testing
import TallyCore
import TallyQualityControl
@testable import TallySimulation

/// ``PoolEngine`` with a scripted host: Tolokers arrive one a second in turn, every suite takes
/// `duration` seconds, answers are scripted per worker, and every call is recorded.
struct ScriptedHost: PoolEngineHost {
    var workers: Int
    var duration: Double = 10
    var pause: Double? = 1
    /// Worker → the label it answers to every general task (default 0); control answers are right unless listed in `wrongOnControl`.
    var labels: [Int32: Int32] = [:]
    var wrongOnControl: Set<Int32> = []
    /// Tolokers barred from work.
    var barred: Set<Int32> = []
    var nextWorker: Int32 = 0
    var issued: [(assignment: Int, worker: Int32, tasks: [Int], time: Double)] = []
    var statuses: [(assignment: Int, status: AssignmentStatus, time: Double, comment: String?)] = []
    var performed: [QualityControlAction] = []
    var asked: [Int32] = []
    var taskIsControl: [Bool] = []

    init(workers: Int) { self.workers = workers }

    mutating func nextArrival(after time: Double) -> (time: Double, worker: Int32) {
        defer { nextWorker = (nextWorker + 1) % Int32(workers) }
        return (time + 1, nextWorker)
    }

    mutating func mayWork(_ worker: Int32, at time: Double) -> Bool {
        asked.append(worker)
        return !barred.contains(worker)
    }

    mutating func suiteDuration(worker: Int32, tasks: Int) -> Double { duration }

    mutating func issued(assignment index: Int, worker: Int32, tasks: [Int], at time: Double) {
        issued.append((index, worker, tasks, time))
    }

    mutating func answers(assignment index: Int, worker: Int32, tasks: [Int]) -> [PoolEngine.Answer] {
        tasks.map { i in
            taskIsControl[i] ? PoolEngine.Answer(label: 0, correct: !wrongOnControl.contains(worker)) : PoolEngine.Answer(label: labels[worker] ?? 0, correct: false)
        }
    }

    mutating func statusChanged(assignment index: Int, to status: AssignmentStatus, at time: Double, comment: String?) {
        statuses.append((index, status, time, comment))
    }

    mutating func pauseBeforeNextSuite(worker: Int32) -> Double? { pause }

    mutating func perform(_ action: QualityControlAction) { performed.append(action) }
}

@Suite struct PoolEngineTests {
    static func settings(real: Int, golden: Int = 0, autoAccept: Bool = true, maxDuration: Double = 3600,
                         willExpire: Double? = nil, autoCloseDelay: Double = 0, inOrder: Bool = false) -> PoolEngine.Settings {
        var mixer = Mixer(real: real, golden: golden)
        mixer.mixTasksInCreationOrder = inOrder
        mixer.shuffleTasksInTaskSuite = false
        return PoolEngine.Settings(mixer: mixer, autoAccept: autoAccept, maxDuration: maxDuration, willExpire: willExpire, autoCloseDelay: autoCloseDelay)
    }

    static func policy(_ change: (inout PoolEngine.Policy) -> Void = { _ in }) -> PoolEngine.Policy {
        var p = PoolEngine.Policy.emulator
        change(&p)
        return p
    }

    static func engine(_ settings: PoolEngine.Settings, _ policy: PoolEngine.Policy = .emulator, rules: [QualityControl.Config] = [],
                       general: Int, overlap: Int, control: Int = 0, controlOverlap: Int? = nil, host: inout ScriptedHost) throws -> PoolEngine {
        var e = PoolEngine(settings: settings, policy: policy, workers: host.workers, qualityControl: try QualityControlEngine(QualityControl(configs: rules)), mixingSeed: 3)
        for _ in 0..<control { e.addTask(overlap: controlOverlap, isControl: true); host.taskIsControl.append(true) }
        for _ in 0..<general { e.addTask(overlap: overlap, isControl: false); host.taskIsControl.append(false) }
        return e
    }

    /// Every general task gets its overlap from distinct Tolokers; the pool closes COMPLETED at the last submission.
    @Test func completesWithDistinctAnswerers() throws {
        var host = ScriptedHost(workers: 5)
        var e = try Self.engine(Self.settings(real: 2), general: 6, overlap: 3, host: &host)
        e.open(at: 0, &host)
        e.advance(to: 10_000, &host)
        #expect(!e.isOpen && e.closeReason == .completed)
        #expect(e.generalComplete == 6 && e.completionPercentage == 100 && e.active == 0)
        for t in e.generalTasks {
            let workers = e.tasks[t].answers.map(\.worker)
            #expect(workers.count == 3 && Set(workers).count == 3)
        }
        #expect(e.assignments.allSatisfy { $0.status == .accepted })
        let lastSubmission = host.statuses.filter { $0.status == .submitted }.map(\.time).max()
        #expect(e.lastStopped == lastSubmission)
        // Submitted then accepted at once, for every assignment.
        #expect(host.statuses.count == 2 * e.assignments.count)
    }

    /// `auto_close_after_complete_delay_seconds`: the pool closes that long after it was complete.
    @Test func autoCloseDelay() throws {
        var host = ScriptedHost(workers: 4)
        var e = try Self.engine(Self.settings(real: 1, autoCloseDelay: 60), general: 2, overlap: 1, host: &host)
        e.open(at: 0, &host)
        e.advance(to: 10_000, &host)
        let done = try #require(host.statuses.filter { $0.status == .submitted }.map(\.time).max())
        #expect(e.closeReason == .completed && e.lastStopped == done + 60)
    }

    /// A suite longer than `assignment_max_duration_seconds` expires and gives its slots back.
    @Test func expiryGivesSlotsBack() throws {
        var host = ScriptedHost(workers: 3)
        host.duration = 100
        var e = try Self.engine(Self.settings(real: 1, maxDuration: 50), general: 1, overlap: 1, host: &host)
        e.open(at: 0, &host)
        e.advance(to: 30, &host)
        #expect(e.tasks[0].remainingOverlap == 0)
        e.advance(to: 60, &host)
        #expect(e.assignments[0].status == .expired)
        #expect(host.statuses.first { $0.assignment == 0 }?.time == 51)  // issued at 1, expired 50 s later
        #expect(e.tasks[0].submitted == 0 && e.isOpen)
    }

    /// `will_expire`: the pool closes EXPIRED; its active suites expire with it only with `expiresActiveSuitesWithPool`.
    @Test(arguments: [false, true]) func poolExpiry(expireSuites: Bool) throws {
        var host = ScriptedHost(workers: 3)
        var e = try Self.engine(Self.settings(real: 1, willExpire: 5), Self.policy { $0.expiresActiveSuitesWithPool = expireSuites },
                                general: 10, overlap: 1, host: &host)
        e.open(at: 0, &host)
        e.advance(to: 100, &host)
        #expect(e.closeReason == .expired && e.lastStopped == 5)
        let issuedBeforeExpiry = host.issued.count
        #expect(issuedBeforeExpiry == 3)  // arrivals at 1, 2, 3 hold the three Tolokers; none is back before 5
        let expected: AssignmentStatus = expireSuites ? .expired : .accepted
        #expect(e.assignments.allSatisfy { $0.status == expected })
    }

    /// A short last suite: `fewOpenInPool` looks at the whole pool, `searchExhausted` at what the Toloker could take.
    @Test(arguments: [Mixer.LastSuiteRule.fewOpenInPool, .searchExhausted]) func lastSuiteRule(rule: Mixer.LastSuiteRule) throws {
        var host = ScriptedHost(workers: 2)
        host.duration = 1000
        // In upload order: workers 0 and 1 both take tasks 0–2 (overlap 3); worker 0, back at 1001, finds
        // 5 open tasks of which 2 unseen: fewer than min_real_tasks_count, though the pool has enough.
        var e = try Self.engine(Self.settings(real: 3, inOrder: true), Self.policy { $0.lastSuiteRule = rule }, general: 5, overlap: 3, host: &host)
        e.open(at: 0, &host)
        e.advance(to: 1500, &host)
        let second = host.issued.filter { $0.worker == 0 }.dropFirst().first
        #expect(host.issued.prefix(2).map(\.tasks) == [[0, 1, 2], [0, 1, 2]])
        if rule == .searchExhausted {
            #expect(second?.tasks == [3, 4])
        } else {
            #expect(second == nil)
        }
    }

    /// A Toloker who may not work is asked again at a later arrival, unless `workersLeaveWhenNoSuite`.
    @Test(arguments: [false, true]) func workersLeave(leave: Bool) throws {
        var host = ScriptedHost(workers: 2)
        host.barred = [1]
        var e = try Self.engine(Self.settings(real: 1), Self.policy { $0.workersLeaveWhenNoSuite = leave }, general: 50, overlap: 1, host: &host)
        e.open(at: 0, &host)
        e.advance(to: 4, &host)  // arrivals at 1 (worker 0), 2 (worker 1: barred), 3, 4
        host.barred = []
        e.advance(to: 12, &host)
        let workerOneSuites = host.issued.filter { $0.worker == 1 }.count
        #expect(leave ? workerOneSuites == 0 : workerOneSuites > 0)
        // Asked at 2 (barred); then, unless gone, at 4 (barred) and 6 (a suite until 16).
        #expect(host.asked.filter { $0 == 1 }.count == (leave ? 1 : 3))
    }

    /// An auto-accepted suite reaches ACCEPTANCE_RATE only with `feedsAutoAcceptance`.
    @Test(arguments: [false, true]) func autoAcceptanceFeed(feeds: Bool) throws {
        var host = ScriptedHost(workers: 1)
        host.pause = nil
        let rule = QualityControl.Config(.acceptanceRate(historySize: 5), rules: [.init([Condition(.totalAssignmentsCount, .gte, 1)], .setSkill(skillID: "s", skillValue: 1))])
        var e = try Self.engine(Self.settings(real: 1), Self.policy { $0.feedsAutoAcceptance = feeds }, rules: [rule], general: 1, overlap: 1, host: &host)
        e.open(at: 0, &host)
        e.advance(to: 100, &host)
        #expect(e.assignments.first?.status == .accepted)
        #expect(host.performed.count == (feeds ? 1 : 0))
    }

    /// A rule's REJECT_ALL_ASSIGNMENTS rejects the Toloker's SUBMITTED suites with its comment; the
    /// rejections reach ACCEPTANCE_RATE only with `feedsRuleReviews`.
    @Test(arguments: [false, true]) func ruleReviews(feeds: Bool) throws {
        var host = ScriptedHost(workers: 2)
        host.wrongOnControl = [1]
        let rules = [
            QualityControl.Config(.goldenSet(historySize: 5), rules: [.init([Condition(.goldenSetIncorrectAnswersRate, .gt, 0)], .rejectAllAssignments(publicComment: "wrong"))]),
            QualityControl.Config(.acceptanceRate(historySize: 5), rules: [.init([Condition(.rejectedAssignmentsRate, .gt, 0)], .setSkill(skillID: "r", skillValue: 1))]),
        ]
        var e = try Self.engine(Self.settings(real: 1, golden: 1, autoAccept: false), Self.policy { $0.feedsRuleReviews = feeds }, rules: rules,
                                general: 4, overlap: 1, control: 4, host: &host)
        e.open(at: 0, &host)
        e.advance(to: 1000, &host)
        let byWorkerOne = e.assignments.indices.filter { e.assignments[$0].worker == 1 }
        #expect(!byWorkerOne.isEmpty && byWorkerOne.allSatisfy { e.assignments[$0].status == .rejected })
        #expect(host.statuses.contains { $0.status == .rejected && $0.comment == "wrong" })
        #expect(e.assignments.indices.filter { e.assignments[$0].worker == 0 }.allSatisfy { e.assignments[$0].status == .submitted })
        #expect(host.performed.isEmpty == !feeds)
        // The requester's own review is always fed.
        let submitted = try #require(e.assignments.indices.first { e.assignments[$0].status == .submitted })
        e.review(submitted, accept: false, at: 2000, &host)
        #expect(e.assignments[submitted].status == .rejected)
        #expect(!host.performed.isEmpty)
    }

    /// Control tasks: each Toloker sees a control task at most once; finite overlap is used up.
    @Test func controlTasksSeenOnce() throws {
        var host = ScriptedHost(workers: 3)
        var e = try Self.engine(Self.settings(real: 1, golden: 1), general: 9, overlap: 1, control: 2, controlOverlap: 2, host: &host)
        e.open(at: 0, &host)
        e.advance(to: 10_000, &host)
        for w in 0..<3 {
            let seen = host.issued.filter { $0.worker == Int32(w) }.flatMap(\.tasks).filter { host.taskIsControl[$0] }
            #expect(Set(seen).count == seen.count)
        }
        #expect(e.tasks[0].issued <= 2 && e.tasks[1].issued <= 2)
        // 2 control tasks × overlap 2 = 4 suites at most, so general tasks are left.
        #expect(host.issued.count == 4 && e.isOpen)
    }

    /// MAJORITY_VOTE: when a task has all its answers, each answer is compared with the majority.
    @Test func majorityFeed() throws {
        var host = ScriptedHost(workers: 3)
        host.labels = [0: 1, 1: 1, 2: 0]
        let rule = QualityControl.Config(.majorityVote(answerThreshold: 2, historySize: 5),
                                         rules: [.init([Condition(.incorrectAnswersRate, .gt, 50)], .setSkill(skillID: "m", skillValue: 1))])
        var e = try Self.engine(Self.settings(real: 1), rules: [rule], general: 1, overlap: 3, host: &host)
        e.open(at: 0, &host)
        e.advance(to: 100, &host)
        #expect(host.performed.map(\.worker) == [2])
    }

    /// A rejection's `CHANGE_OVERLAP(open_pool)` reopens a pool closed by hand only when
    /// `reopensOnlyCompletedPools` is off (the emulator); a COMPLETED pool reopens either way.
    @Test(arguments: [false, true]) func reopenAfterRejection(onlyCompleted: Bool) throws {
        // ASSIGNMENTS_ASSESSMENT is not a quality-control collector the engine counts (the emulator
        // skips it there); the pool engine reads its CHANGE_OVERLAP itself.
        let qc = QualityControl(configs: [QualityControl.Config(Collector(.assignmentsAssessment), rules: [
            .init([Condition(.assessmentEvent, .eq, .string("REJECT"))], .changeOverlap(delta: 1, openPool: true)),
        ])])
        for closeByHand in [true, false] {
            var host = ScriptedHost(workers: 2)
            host.pause = nil
            var e = PoolEngine(settings: Self.settings(real: 1, autoAccept: false), policy: Self.policy { $0.reopensOnlyCompletedPools = onlyCompleted },
                               workers: 2, qualityControl: try QualityControlEngine(qc, ignoringUnsupported: true), mixingSeed: 3)
            for _ in 0..<2 { e.addTask(overlap: 1, isControl: false); host.taskIsControl.append(false) }
            e.open(at: 0, &host)
            if closeByHand { e.advance(to: 5, &host); e.close(reason: .manual, at: 5, &host) }
            e.advance(to: 100, &host)  // suites issued at 1 and 2 are submitted at 11 and 12
            #expect(!e.isOpen && e.closeReason == (closeByHand ? .manual : .completed))
            #expect(e.assignments.count == 2 && e.assignments.allSatisfy { $0.status == .submitted })
            e.review(0, accept: false, at: 200, &host)
            #expect(e.tasks[e.assignments[0].tasks[0]].overlap == 2)
            #expect(e.isOpen == (!closeByHand || !onlyCompleted))
        }
    }
}
