import Foundation
import TallyCore
import TallyQualityControl
import TallySimulation

/// A pool as stored, with its tasks, assignments, quality-control engine and the simulation that
/// runs its crowd.
///
/// Simulation (*choices* marked where Toloka's documented behaviour is silent). The mixer, the
/// statuses, the close reasons and the event queue are `TallySimulation`'s, as in `tally simulate`:
/// * While the pool is open, Tolokers arrive as the crowd says. An arriving Toloker who is idle,
///   not restricted (any rule's restriction of this pool, project or all projects) and passes the
///   pool's filter gets a suite built by the mixer: `real_tasks_count` general tasks with overlap
///   left that the Toloker has not seen, chosen at random (or in creation order with
///   `mix_tasks_in_creation_order`), plus `golden_tasks_count` control tasks the Toloker has never
///   seen (infinite overlap or overlap left), shuffled unless `shuffle_tasks_in_task_suite` is false.
///   Without enough unseen control tasks, no suite. When fewer general tasks than `min_real_tasks_count`
///   are left in the pool and `force_last_assignment` (default true) holds, a smaller suite is issued
///   at once (*choice*: `force_last_assignment_delay_seconds` is not waited). Training tasks are not
///   emulated (training pools are not). Each suite pays the full `reward_per_assignment` (*choice*).
/// * Issuing takes a slot of each general task's overlap; the Toloker submits after the crowd's
///   suite time, or the assignment EXPIRES after `assignment_max_duration_seconds` and gives its
///   slots back. A Toloker holds one suite at a time in a pool.
/// * On submission: answers from the crowd given each task's hidden truth; ACCEPTED at once in
///   auto-accept pools (`accepted == submitted`), else SUBMITTED until reviewed with PATCH. The
///   quality-control engine gets the submission (control answers right or wrong, suite time), and,
///   when a general task reaches its overlap, each of its Tolokers' agreement with the majority.
///   Restrictions bar new suites; what was submitted stays (and stays ACCEPTED).
/// * The pool closes with `COMPLETED` when every general task has all its answers and no assignment
///   is active (after `auto_close_after_complete_delay_seconds`), or with `EXPIRED` at `will_expire`.
final class PoolRecord {
    let id: Int
    let projectID: Int
    var json: [String: JSONValue]
    let created: Double
    /// `OPEN`, `CLOSED` or `ARCHIVED`.
    var status = "CLOSED"
    /// Why the pool last closed.
    var closeReason: PoolCloseReason?
    /// ``closeReason`` as the API writes it.
    var lastCloseReason: String? { closeReason?.rawValue }
    var lastStarted: Double?
    var lastStopped: Double?

    var mixer: Mixer?
    var defaultOverlap: Int
    var reward: Double
    var autoAccept: Bool
    var maxDuration: Double
    var willExpire: Double?
    var autoCloseDelay: Double
    var filter: JSONValue?
    var engine: QualityControlEngine

    var tasks: [TaskRecord] = []
    var taskIndexByID: [String: Int] = [:]
    var generalTasks: [Int] = []
    var controlTasks: [Int] = []
    var generalComplete = 0
    var assignments: [AssignmentRecord] = []
    var assignmentIndexByID: [String: Int] = [:]
    var active = 0

    private var crowd: any Crowd
    private var rng: SplitMix64
    private var events = EventQueue<Double>()
    private var arrivalScheduled = false
    private var busy: [Bool]
    let answerField: String
    private let outputType: String
    /// The answer options: the project's declared ones, else those seen in known solutions and truths.
    private(set) var options: [String]

    init(id: Int, projectID: Int, json: [String: JSONValue], created: Double, engine: QualityControlEngine,
         crowd: any Crowd, seed: UInt64, answerField: String, outputType: String, declaredOptions: [String]) {
        self.id = id
        self.projectID = projectID
        self.json = json
        self.created = created
        self.engine = engine
        mixer = json["mixer_config"]?.objectValue.map(Mixer.init(mixerConfig:))
        let defaults = json["defaults"]
        defaultOverlap = defaults?["default_overlap_for_new_tasks"]?.intValue ?? defaults?["default_overlap_for_new_task_suites"]?.intValue ?? 1
        reward = json["reward_per_assignment"]?.doubleValue ?? 0
        autoAccept = json["auto_accept_solutions"]?.boolValue ?? true
        maxDuration = json["assignment_max_duration_seconds"]?.doubleValue ?? 3600
        willExpire = json["will_expire"]?.stringValue.flatMap { TolokaTime.parse($0, accepting: [.dateOnly, .iso8601]) }
        autoCloseDelay = json["auto_close_after_complete_delay_seconds"]?.doubleValue ?? 0
        filter = json["filter"]
        self.crowd = crowd.forPool(seed: seed)
        rng = SplitMix64(seed: mixSeed(seed, 1))
        busy = Array(repeating: false, count: crowd.workers.count)
        self.answerField = answerField
        self.outputType = outputType
        var seen = Set<String>()
        options = declaredOptions.filter { seen.insert($0).inserted }
        self.engine.reserveWorkers(crowd.workers.count)
    }

    // MARK: - Tasks

    /// Adds a validated task; returns its index.
    @discardableResult
    func add(_ task: TaskRecord) -> Int {
        let i = tasks.count
        tasks.append(task)
        taskIndexByID[task.id] = i
        if task.isControl {
            controlTasks.append(i)  // its known solutions were noted as options before any truth was drawn
        } else {
            generalTasks.append(i)
            noteOption(task.truth)
        }
        return i
    }

    func noteOption(_ label: String) {
        if !options.contains(label) { options.append(label) }
    }

    // MARK: - Lifecycle

    func open(at t: Double) {
        status = "OPEN"
        lastStarted = t
        closeReason = nil
        if !arrivalScheduled { scheduleArrival(after: t) }
        checkCompletion(at: t)
    }

    func close(reason: PoolCloseReason, at t: Double) {
        guard status == "OPEN" else { return }
        status = "CLOSED"
        closeReason = reason
        lastStopped = t
    }

    /// Closes with a reason given by name (`MANUAL` from `POST /pools/{id}/close`); an unknown name closes as `MANUAL`.
    func close(reason: String, at t: Double) {
        close(reason: PoolCloseReason(rawValue: reason) ?? .manual, at: t)
    }

    /// Whether events are waiting (the pool is open, or a Toloker is still working on a suite).
    var hasPendingEvents: Bool { !events.isEmpty }

    /// Runs the simulation up to simulated time `target`.
    func advance(to target: Double, world: inout World) {
        while let e = events.first, e.time <= target {
            if status == "OPEN", let expiry = willExpire, expiry <= e.time {
                close(reason: .expired, at: expiry)
                continue
            }
            _ = events.pop()
            switch e.kind {
            case .arrival:
                arrivalScheduled = false
                guard status == "OPEN" else { continue }
                scheduleArrival(after: e.time)
                tryIssue(to: e.id, at: e.time, world: &world)
            case .request:
                guard status == "OPEN" else { continue }
                tryIssue(to: e.id, at: e.time, world: &world)
            case .finish:
                submit(Int(e.id), at: e.time, world: &world)
            case .expire:
                expire(Int(e.id), at: e.time)
            case .complete:
                if status == "OPEN", isComplete { close(reason: .completed, at: e.time) }
            case .autoAccept, .poolExpire:
                break  // `tally simulate`'s kinds; never scheduled here
            }
        }
        if status == "OPEN", let expiry = willExpire, expiry <= target { close(reason: .expired, at: expiry) }
    }

    private func scheduleArrival(after t: Double) {
        let next = crowd.nextArrival(after: t)
        events.push(next.time, .arrival, Int32(next.worker))
        arrivalScheduled = true
    }

    private var isComplete: Bool { !generalTasks.isEmpty && generalComplete == generalTasks.count && active == 0 }

    private func checkCompletion(at t: Double) {
        guard status == "OPEN", isComplete else { return }
        if autoCloseDelay <= 0 {
            close(reason: .completed, at: t)
        } else {
            events.push(t + autoCloseDelay, .complete, 0)
        }
    }

    // MARK: - Issuing

    private func tryIssue(to w: Int32, at t: Double, world: inout World) {
        let wi = Int(w)
        guard wi < busy.count, !busy[wi], let mixer else { return }
        guard !world.isRestricted(worker: w, projectID: projectID, poolID: id, at: t), world.matches(filter, worker: w) else { return }
        let golden = controlTasks.filter { i in !tasks[i].seenBy.contains(w) && (tasks[i].remainingOverlap ?? 1) > 0 }
        guard golden.count >= mixer.goldenTasksCount else { return }
        var real: [Int] = []
        if mixer.realTasksCount > 0 {
            var open = 0
            for i in generalTasks where tasks[i].remainingOverlap ?? 0 > 0 {
                open += 1
                if !tasks[i].seenBy.contains(w) { real.append(i) }
            }
            guard mixer.admitsSuite(found: real.count, searchExhausted: true, openTasks: open, rule: .fewOpenInPool) else { return }
            real = pick(real, mixer.realTasksCount, inOrder: mixer.mixTasksInCreationOrder)
        }
        var suite = real + pick(golden, mixer.goldenTasksCount, inOrder: mixer.mixTasksInCreationOrder)
        guard !suite.isEmpty else { return }
        if mixer.shuffleTasksInTaskSuite { suite.shuffle(using: &rng) }
        for i in suite {
            tasks[i].issued += 1
            tasks[i].seenBy.insert(w)
        }
        let suiteID = world.assignmentIDs.next(pool: id, time: t)
        let a = AssignmentRecord(id: world.assignmentIDs.next(pool: id, time: t), suiteID: suiteID, worker: w, tasks: suite, created: t, reward: reward)
        let index = assignments.count
        assignmentIndexByID[a.id] = index
        assignments.append(a)
        busy[wi] = true
        active += 1
        let duration = crowd.suiteDuration(worker: wi, tasks: suite.count)
        if duration > maxDuration {
            events.push(t + maxDuration, .expire, Int32(index))
        } else {
            events.push(t + duration, .finish, Int32(index))
        }
    }

    private func pick(_ candidates: [Int], _ n: Int, inOrder: Bool) -> [Int] {
        guard n < candidates.count else { return candidates }
        if inOrder { return Array(candidates.prefix(n)) }
        var c = candidates
        for k in 0..<n {
            let j = k + Int(rng.next() % UInt64(c.count - k))
            c.swapAt(k, j)
        }
        return Array(c.prefix(n))
    }

    // MARK: - Submitting

    private func submit(_ index: Int, at t: Double, world: inout World) {
        var a = assignments[index]
        let w = a.worker
        var control = AnswerOutcomes()
        var completed: [Int] = []
        for i in a.tasks {
            let task = tasks[i]
            let label = crowd.answer(worker: Int(w), task: CrowdTask(key: task.key, isControl: task.isControl, truth: task.truth), options: options)
            var output: [String: JSONValue] = task.knownSolutions.first ?? [:]
            output[answerField] = outputValue(label)
            a.solutions.append(output)
            if task.isControl {
                control.append(task.knownSolutions.contains { known in known.allSatisfy { output[$0.key] == $0.value } })
            } else {
                tasks[i].submitted += 1
                tasks[i].answers.append((w, label))
                if tasks[i].isComplete {
                    generalComplete += 1
                    completed.append(i)
                }
            }
        }
        a.submitted = t
        if autoAccept {
            a.state = .accepted
            a.accepted = t
        } else {
            a.state = .submitted
        }
        assignments[index] = a
        active -= 1
        busy[Int(w)] = false
        runRules(AssignmentEvent.submitted(time: t, worker: w, duration: t - a.created, control: control), world: &world)
        for i in completed { resolveMajority(i, at: t, world: &world) }
        if status == "OPEN", let pause = crowd.pauseBeforeNextSuite(worker: Int(w)) {
            events.push(t + pause, .request, w)
        }
        checkCompletion(at: t)
    }

    private func outputValue(_ label: String) -> JSONValue {
        switch outputType {
        case "boolean": return .bool(label == "true")
        case "integer": return Int64(label).map(JSONValue.int) ?? .string(label)
        case "float": return Double(label).map(JSONValue.double) ?? .string(label)
        default: return .string(label)
        }
    }

    private func resolveMajority(_ i: Int, at t: Double, world: inout World) {
        // Labels in order of first answer, and each answer's index among them.
        var labels: [String] = [], counts: [Int32] = [], index: [Int] = []
        for (_, label) in tasks[i].answers {
            if let j = labels.firstIndex(of: label) {
                counts[j] += 1
                index.append(j)
            } else {
                index.append(labels.count)
                labels.append(label)
                counts.append(1)
            }
        }
        let majority = MajorityOutcome(counts: counts)
        for (n, (w, _)) in tasks[i].answers.enumerated() {
            runRules(AssignmentEvent(time: t, worker: w, .majorityResolved(task: Int32(i), agreed: majority.agrees(index[n]), majoritySize: majority.size)), world: &world)
        }
    }

    private func expire(_ index: Int, at t: Double) {
        guard assignments[index].state == .active else { return }
        assignments[index].state = .expired
        assignments[index].expired = t
        for i in assignments[index].tasks { tasks[i].issued -= 1 }
        active -= 1
        busy[Int(assignments[index].worker)] = false
        _ = engine.process(AssignmentEvent(time: t, worker: assignments[index].worker, .expired))
        checkCompletion(at: t)
    }

    // MARK: - Reviews and rules

    /// Accepts or rejects a SUBMITTED (or, to accept, REJECTED) assignment (`PATCH /assignments/{id}`).
    func review(_ index: Int, accept: Bool, comment: String?, at t: Double, world: inout World) {
        if accept {
            assignments[index].state = .accepted
            assignments[index].accepted = t
        } else {
            assignments[index].state = .rejected
            assignments[index].rejected = t
        }
        if let comment { assignments[index].publicComment = comment }
        runRules(AssignmentEvent(time: t, worker: assignments[index].worker, accept ? .accepted : .rejected), world: &world)
    }

    /// Feeds the engine and carries out what its rules do.
    private func runRules(_ event: AssignmentEvent, world: inout World) {
        let n = engine.process(event)
        guard n > 0 else { return }
        for action in engine.actions.suffix(n) {
            switch action.action {
            case .restriction(let r), .legacyRestriction(let r):
                world.addRestriction(worker: action.worker, r, projectID: projectID, poolID: id, at: action.time, end: action.restrictionEnd)
            case .setSkill(let skill, _), .setSkillFromOutputField(let skill, _):
                if let v = action.skillValue { world.skills[skill, default: [:]][action.worker] = v }
            case .approveAllAssignments, .rejectAllAssignments:
                // Bulk reviews by a rule (manual-review pools only); they do not feed ACCEPTANCE_RATE again (*choice*).
                guard !autoAccept else { continue }
                for k in assignments.indices where assignments[k].worker == action.worker && assignments[k].state == .submitted {
                    if case .rejectAllAssignments(let comment) = action.action {
                        assignments[k].state = .rejected
                        assignments[k].rejected = action.time
                        assignments[k].publicComment = comment
                    } else {
                        assignments[k].state = .accepted
                        assignments[k].accepted = action.time
                    }
                }
            case .changeOverlap:
                break  // only with the assessment collectors, which are not emulated
            }
        }
    }

    // MARK: - Analytics

    /// Σ answers received (capped at the overlap) ÷ Σ overlap over general tasks, as an integer percentage (floor).
    ///
    /// *Choice* (Toloka does not document the definition); 100 once the pool closed as COMPLETED.
    var completionPercentage: Int {
        if closeReason == .completed { return 100 }
        var done = 0, total = 0
        for i in generalTasks {
            let o = tasks[i].overlap ?? 0
            total += o
            done += min(tasks[i].submitted, o)
        }
        return total == 0 ? 0 : done * 100 / total
    }
}
