import TallyCore
import TallyQualityControl

/// One pool's mechanics on one event queue: issuing suites through the ``Mixer``, overlap,
/// submission, expiry, acceptance and review, the feed into quality control and the actions back,
/// completion and the pool's own expiry.
///
/// The engine knows tasks only as overlap counters and answers (labels as interned `Int32`s), and
/// Tolokers only as indices. What Tolokers do — when they come, how long a suite takes, what they
/// answer, whether they may work here at all — and where the API's records live is its driver's,
/// the ``PoolEngineHost`` passed to every call that runs the simulation. Where drivers legitimately
/// differ, the difference is a ``Policy`` setting, not a second engine.
///
///     var engine = PoolEngine(settings: settings, policy: .emulator, workers: crowd.workers.count,
///                             qualityControl: rules, mixingSeed: seed)
///     _ = engine.addTask(overlap: 3, isControl: false)
///     engine.open(at: now, &host)
///     engine.advance(to: now + 3600, &host)   // arrivals, suites, submissions, rules, completion
///
/// Mechanics (the engine's *choices* where Toloka's documented behaviour is silent are the emulator's,
/// documented on `PoolRecord`):
/// * **Arrivals**: while the pool is open the host names the next Toloker looking for work
///   (``PoolEngineHost/nextArrival(after:)``); after a submission the host may send the Toloker back
///   after a pause. A Toloker holds one suite at a time.
/// * **Issuing**: a Toloker the host lets work (``PoolEngineHost/mayWork(_:at:)``) gets
///   `real_tasks_count` general tasks with overlap left that they have not seen (at random, or in
///   upload order with `mix_tasks_in_creation_order`) plus `golden_tasks_count` control tasks they have
///   never seen (infinite overlap or overlap left), shuffled unless `shuffle_tasks_in_task_suite` is
///   false. Too few unseen control tasks: no suite. Too few general tasks: no suite unless the mixer
///   admits a short last suite (``Mixer/admitsSuite(found:searchExhausted:openTasks:rule:)`` with
///   ``Policy/lastSuiteRule``). Issuing takes a slot of each task's overlap.
/// * **Ending**: a suite is submitted after the host's suite time, or EXPIRES after
///   `assignment_max_duration_seconds` and gives its slots back (quality control gets the expiry,
///   and its actions are carried out like any other; no emulated rule acts on expiries today).
/// * **Submission**: the host gives the answers; the suite is ACCEPTED at once in auto-accept pools,
///   else SUBMITTED until reviewed (``review(_:accept:at:_:)``). Quality control gets the submission
///   (control answers right or wrong, suite time), the acceptance (``Policy/feedsAutoAcceptance``),
///   and for each general task that reached its overlap a majority event per answer.
/// * **Actions**: restrictions and skills go to the host; `APPROVE_ALL_ASSIGNMENTS` /
///   `REJECT_ALL_ASSIGNMENTS` review the Toloker's SUBMITTED suites (fed back to quality control with
///   ``Policy/feedsRuleReviews``). Actions are carried out in the order the rules took them.
/// * **Rejections**: with an `ASSIGNMENTS_ASSESSMENT` rule `assessment_event == REJECT` →
///   `CHANGE_OVERLAP(delta, open_pool)`, each rejected suite's general tasks get `delta` more overlap
///   (a task that had all its answers waits for more), and a closed pool reopens with `open_pool`.
/// * **Completion**: the pool closes COMPLETED when every general task has all its answers (a pool
///   of control tasks only: every one of finite overlap has them) and no suite is active, `auto_close_after_complete_delay_seconds` later; EXPIRED at `will_expire`
///   (active suites then expire with ``Policy/expiresActiveSuitesWithPool``).
package struct PoolEngine {
    /// Where the drivers of the engine differ, as settings of the one engine.
    package struct Policy: Sendable, Equatable {
        /// What makes a short suite the pool's last one (see ``Mixer/LastSuiteRule``): the emulator
        /// `.fewOpenInPool`, `tally simulate` `.searchExhausted`.
        package var lastSuiteRule: Mixer.LastSuiteRule
        /// Whether an auto-accepted suite also sends `.accepted` to quality control (ACCEPTANCE_RATE):
        /// `tally simulate` does (as a replay of its export would), the emulator does not.
        package var feedsAutoAcceptance: Bool
        /// Whether suites reviewed by a rule (`APPROVE_ALL_ASSIGNMENTS` / `REJECT_ALL_ASSIGNMENTS`) are
        /// fed back to quality control as acceptances and rejections: `tally simulate` feeds them, the
        /// emulator does not.
        package var feedsRuleReviews: Bool
        /// Whether the suites still active when the pool reaches `will_expire` expire with it
        /// (`tally simulate`), or run to their end (the emulator).
        package var expiresActiveSuitesWithPool: Bool
        /// Whether a Toloker who finds no suite (or may not work) leaves the pool for good
        /// (`tally simulate`), or may get one at a later arrival (the emulator).
        package var workersLeaveWhenNoSuite: Bool
        /// Which closed pools a rejection's `CHANGE_OVERLAP(open_pool)` reopens: only one that closed
        /// COMPLETED, before `will_expire` (`tally simulate`), or any closed pool (the emulator).
        /// See ``PoolLifecycle/ReopenRule``.
        package var reopensOnlyCompletedPools: Bool

        /// A policy with every setting given.
        package init(lastSuiteRule: Mixer.LastSuiteRule, feedsAutoAcceptance: Bool, feedsRuleReviews: Bool,
                     expiresActiveSuitesWithPool: Bool, workersLeaveWhenNoSuite: Bool, reopensOnlyCompletedPools: Bool) {
            self.lastSuiteRule = lastSuiteRule
            self.feedsAutoAcceptance = feedsAutoAcceptance
            self.feedsRuleReviews = feedsRuleReviews
            self.expiresActiveSuitesWithPool = expiresActiveSuitesWithPool
            self.workersLeaveWhenNoSuite = workersLeaveWhenNoSuite
            self.reopensOnlyCompletedPools = reopensOnlyCompletedPools
        }

        /// The Toloka emulator's pools: a short suite when few tasks are open in the whole pool;
        /// auto-acceptances and rule reviews are not fed back; active suites outlive the pool's
        /// expiry; a Toloker with no suite may come back at a later arrival.
        package static let emulator = Policy(lastSuiteRule: .fewOpenInPool, feedsAutoAcceptance: false, feedsRuleReviews: false,
                                             expiresActiveSuitesWithPool: false, workersLeaveWhenNoSuite: false,
                                             reopensOnlyCompletedPools: false)

        /// `tally simulate`'s pool (`Simulation` reads its behaviour from these settings): a short suite
        /// when the Toloker's search is exhausted; auto-acceptances and rule reviews are fed back;
        /// active suites expire with the pool; a Toloker with no suite leaves; only a COMPLETED pool
        /// reopens, before it expires.
        package static let simulator = Policy(lastSuiteRule: .searchExhausted, feedsAutoAcceptance: true, feedsRuleReviews: true,
                                              expiresActiveSuitesWithPool: true, workersLeaveWhenNoSuite: true,
                                              reopensOnlyCompletedPools: true)

        /// The rule ``PoolLifecycle/mayReopen(at:rule:)`` applies, for a pool expiring at `expiry`.
        package func reopenRule<Time: Comparable>(expiry: Time) -> PoolLifecycle<Time>.ReopenRule {
            reopensOnlyCompletedPools ? .completedBeforeExpiry(expiry: expiry) : .anyClosed
        }
    }

    /// The pool's settings the mechanics read (the pool's JSON, parsed by the driver).
    package struct Settings: Sendable, Equatable {
        /// `mixer_config`; nil: the pool takes no tasks one by one, and no suite is issued.
        package var mixer: Mixer?
        /// `auto_accept_solutions`.
        package var autoAccept: Bool
        /// `assignment_max_duration_seconds`.
        package var maxDuration: Double
        /// `will_expire`, seconds on the engine's clock; nil: never.
        package var willExpire: Double?
        /// `auto_close_after_complete_delay_seconds`.
        package var autoCloseDelay: Double

        /// Settings with every value given.
        package init(mixer: Mixer?, autoAccept: Bool, maxDuration: Double, willExpire: Double?, autoCloseDelay: Double) {
            self.mixer = mixer
            self.autoAccept = autoAccept
            self.maxDuration = maxDuration
            self.willExpire = willExpire
            self.autoCloseDelay = autoCloseDelay
        }
    }

    /// A task's mechanics: its overlap and who holds or answered it.
    package struct Task {
        /// Answers wanted; nil = infinite overlap (control tasks only).
        package var overlap: Int?
        /// A control (golden) task.
        package let isControl: Bool
        /// Suites holding a slot of the overlap (issued, not expired).
        package var issued = 0
        /// Submitted answers (control tasks' too).
        package var submitted = 0
        /// Submitted answers of a general task in submission order: Toloker and interned label.
        package var answers: [(worker: Int32, label: Int32)] = []
        /// Tolokers who were issued the task.
        package var seenBy: Set<Int32> = []

        /// Slots of the overlap not held: nil for infinite overlap.
        package var remainingOverlap: Int? { overlap.map { max(0, $0 - issued) } }
        /// Whether a general task has all its answers.
        package var isComplete: Bool { overlap.map { submitted >= $0 } ?? false }
    }

    /// An assignment's mechanics.
    package struct Assignment {
        /// The Toloker.
        package let worker: Int32
        /// Task indices in page order.
        package let tasks: [Int]
        /// Issued at.
        package let created: Double
        /// Where it is.
        package var status = AssignmentStatus.active
    }

    /// The answer a Toloker gave to one task of a suite (``PoolEngineHost/answers(assignment:worker:tasks:)``).
    package struct Answer {
        /// The answer's label, interned by the host (the engine only compares labels).
        package var label: Int32
        /// For a control task: whether the answer matches a known solution.
        package var correct: Bool

        /// An answer.
        package init(label: Int32, correct: Bool) {
            self.label = label
            self.correct = correct
        }
    }

    /// The settings the mechanics read.
    package var settings: Settings
    /// Where this engine's drivers differ.
    package let policy: Policy
    /// The pool's quality control, fed every event in time order, and its actions carried out.
    package internal(set) var feed: QualityControlFeed
    /// The pool's rules and their state.
    package var qualityControl: QualityControlEngine { feed.engine }

    /// Every task, in upload order.
    package internal(set) var tasks: [Task] = []
    /// Indices of the general tasks, in upload order.
    package internal(set) var generalTasks: [Int] = []
    /// Indices of the control tasks, in upload order.
    package internal(set) var controlTasks: [Int] = []
    /// General tasks with all their answers.
    package internal(set) var generalComplete = 0
    /// Every assignment, in issue order.
    package internal(set) var assignments: [Assignment] = []
    /// Assignments still ACTIVE.
    package internal(set) var active = 0

    /// The `ASSIGNMENTS_ASSESSMENT` rules that act on a rejection (`assessment_event == REJECT` →
    /// `CHANGE_OVERLAP`, read by ``OverlapChangeRules/onRejection(_:)``): the summed delta and
    /// whether any reopens the pool; nil: none.
    package internal(set) var reassessment: (delta: Int, openPool: Bool)?
    /// Every overlap change such a rule made: when, whose rejected suite, and the delta.
    package internal(set) var overlapChanges: [(time: Double, worker: Int32, assignment: Int, delta: Int)] = []

    /// Open or closed, why and when (the component `tally simulate` shares).
    package internal(set) var lifecycle = PoolLifecycle<Double>()
    /// Whether the pool is open.
    package var isOpen: Bool { lifecycle.isOpen }
    /// Why the pool last closed; nil while it never closed since it last opened.
    package var closeReason: PoolCloseReason? { lifecycle.closeReason }
    /// When the pool last opened.
    package var lastStarted: Double? { lifecycle.lastStarted }
    /// When the pool last closed.
    package var lastStopped: Double? { lifecycle.lastStopped }

    var events = EventQueue<Double>()
    var arrivalScheduled = false
    /// Whether each Toloker holds a suite.
    var busy: [Bool]
    /// Tolokers who left for good (``Policy/workersLeaveWhenNoSuite``).
    var departed: [Bool]
    /// The stream that picks and shuffles tasks.
    var rng: SplitMix64

    /// A closed pool with no tasks.
    ///
    /// - Parameters:
    ///   - workers: how many Tolokers the host can name (indices `0..<workers`).
    ///   - qualityControl: the pool's rules.
    ///   - mixingSeed: seeds the stream that picks and shuffles tasks.
    package init(settings: Settings, policy: Policy, workers: Int, qualityControl: QualityControlEngine, mixingSeed: UInt64) {
        self.settings = settings
        self.policy = policy
        feed = QualityControlFeed(qualityControl, feedsRuleReviews: policy.feedsRuleReviews)
        busy = Array(repeating: false, count: workers)
        departed = Array(repeating: false, count: workers)
        rng = SplitMix64(seed: mixingSeed)
        feed.engine.reserveWorkers(workers)
        reassessment = OverlapChangeRules.onRejection(qualityControl.qualityControl)
    }

    /// Replaces the pool's quality control (a pool updated before it issued anything).
    package mutating func replaceQualityControl(_ rules: QualityControlEngine) {
        feed = QualityControlFeed(rules, feedsRuleReviews: policy.feedsRuleReviews)
        feed.engine.reserveWorkers(busy.count)
        reassessment = OverlapChangeRules.onRejection(rules.qualityControl)
    }

    // MARK: - Tasks

    /// Adds a task (a pool takes tasks while open); returns its index.
    @discardableResult
    package mutating func addTask(overlap: Int?, isControl: Bool) -> Int {
        let i = tasks.count
        tasks.append(Task(overlap: overlap, isControl: isControl))
        if isControl { controlTasks.append(i) } else { generalTasks.append(i) }
        return i
    }

    /// Tolokers who must never get task `i` (the task's `unavailable_for`): counted as having seen it.
    package mutating func exclude(_ workers: [Int32], fromTask i: Int) {
        for w in workers { tasks[i].seenBy.insert(w) }
    }

    /// Σ answers received (capped at the overlap) ÷ Σ overlap over general tasks, as an integer
    /// percentage (floor); 100 once the pool closed COMPLETED. *Choice*: Toloka does not document it.
    package var completionPercentage: Int {
        if closeReason == .completed { return 100 }
        var done = 0, total = 0
        for i in generalTasks {
            let o = tasks[i].overlap ?? 0
            total += o
            done += min(tasks[i].submitted, o)
        }
        return total == 0 ? 0 : done * 100 / total
    }

    // MARK: - Lifecycle

    /// Whether events are waiting (the pool is open, or a Toloker is still working on a suite).
    package var hasPendingEvents: Bool { !events.isEmpty }

    /// Opens the pool at `t`: Tolokers start arriving; a pool whose tasks are all done closes at once.
    package mutating func open<Host: PoolEngineHost>(at t: Double, _ host: inout Host) {
        lifecycle.open(at: t)
        if !arrivalScheduled { scheduleArrival(after: t, &host) }
        checkCompletion(at: t)
    }

    /// Closes an open pool at `t` for `reason`; with ``Policy/expiresActiveSuitesWithPool``, an
    /// `EXPIRED` close expires the active suites too.
    package mutating func close<Host: PoolEngineHost>(reason: PoolCloseReason, at t: Double, _ host: inout Host) {
        guard lifecycle.close(reason, at: t) else { return }
        if reason == .expired, policy.expiresActiveSuitesWithPool {
            for a in assignments.indices where assignments[a].status == .active { expire(a, at: t, &host) }
        }
    }

    /// Runs the pool up to time `target`: every event due by then, in time order (ties in the order
    /// they were scheduled), and the pool's expiry.
    package mutating func advance<Host: PoolEngineHost>(to target: Double, _ host: inout Host) {
        while let e = events.first, e.time <= target {
            if isOpen, let expiry = settings.willExpire, expiry <= e.time {
                close(reason: .expired, at: expiry, &host)
                continue
            }
            _ = events.pop()
            switch e.kind {
            case .arrival:
                arrivalScheduled = false
                guard isOpen else { continue }
                scheduleArrival(after: e.time, &host)
                request(e.id, at: e.time, &host)
            case .request:
                guard isOpen else { continue }
                request(e.id, at: e.time, &host)
            case .finish:
                submit(Int(e.id), at: e.time, &host)
            case .expire:
                expire(Int(e.id), at: e.time, &host)
            case .complete:
                if isOpen, isComplete { close(reason: .completed, at: e.time, &host) }
            case .autoAccept, .poolExpire:
                break  // `tally simulate`'s kinds, scheduled by `Simulation`
            }
        }
        if isOpen, let expiry = settings.willExpire, expiry <= target { close(reason: .expired, at: expiry, &host) }
    }

    mutating func scheduleArrival<Host: PoolEngineHost>(after t: Double, _ host: inout Host) {
        let next = host.nextArrival(after: t)
        events.push(next.time, .arrival, next.worker)
        arrivalScheduled = true
    }

    /// Every general task has all its answers and no suite is active; a pool of control tasks only
    /// (a survey) is complete when each has finite overlap and got all its answers.
    var isComplete: Bool {
        guard active == 0 else { return false }
        if !generalTasks.isEmpty { return generalComplete == generalTasks.count }
        return !controlTasks.isEmpty && controlTasks.allSatisfy { i in tasks[i].overlap.map { tasks[i].submitted >= $0 } ?? false }
    }

    mutating func checkCompletion(at t: Double) {
        guard isOpen, isComplete else { return }
        if settings.autoCloseDelay <= 0 {
            lifecycle.close(.completed, at: t)
        } else {
            events.push(t + settings.autoCloseDelay, .complete, 0)
        }
    }
}

/// What a ``PoolEngine`` asks of its driver: the crowd's behaviour, who may work in the pool, the
/// records the API shows, and the actions that reach beyond the pool.
package protocol PoolEngineHost {
    /// The next moment after `time` at which some Toloker looks for work in this pool, and who.
    mutating func nextArrival(after time: Double) -> (time: Double, worker: Int32)

    /// Whether `worker` may be issued a suite at `time` (restrictions, filters).
    mutating func mayWork(_ worker: Int32, at time: Double) -> Bool

    /// Seconds `worker` spends on a suite of `tasks` tasks.
    mutating func suiteDuration(worker: Int32, tasks: Int) -> Double

    /// Assignment `index` (`tasks` in page order) was issued to `worker` at `time`.
    mutating func issued(assignment index: Int, worker: Int32, tasks: [Int], at time: Double)

    /// The answers `worker` submits for `tasks` (assignment `index`), one per task in page order.
    mutating func answers(assignment index: Int, worker: Int32, tasks: [Int]) -> [PoolEngine.Answer]

    /// Assignment `index` changed to `status` at `time` (`comment`: a rule's rejection comment).
    mutating func statusChanged(assignment index: Int, to status: AssignmentStatus, at time: Double, comment: String?)

    /// After submitting, the pause before `worker` asks for another suite, or nil when the Toloker leaves.
    mutating func pauseBeforeNextSuite(worker: Int32) -> Double?

    /// A rule's action that reaches beyond the pool's assignments: a restriction, a skill.
    mutating func perform(_ action: QualityControlAction)

    /// Task `task`'s overlap became `overlap` (a `CHANGE_OVERLAP` rule after a rejection).
    mutating func overlapChanged(task: Int, to overlap: Int)
}

extension PoolEngineHost {
    /// Nothing to record by default.
    package mutating func overlapChanged(task: Int, to overlap: Int) {}
}
