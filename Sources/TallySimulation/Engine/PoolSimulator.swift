import Foundation
import TallyCore
import TallyQualityControl

/// A seeded discrete-event simulation of one Toloka pool.
///
///     let scenario = try Scenario.read(path: "datasets/scenarios/audio-gender.json")
///     let result = try PoolSimulator.run(scenario, seed: 7)
///     for file in result.files() { … }   // answers.tsv, export.tsv, …
///
/// The clock counts whole milliseconds from ``SimulationSettings/startEpochSeconds``. Events are
/// processed in time order, ties in the order they were scheduled. What happens (spec §4.4, §9, §10;
/// *choice* marks a modelling decision where the spec is silent or unverified):
/// * **Arrivals**: a Poisson process of new workers, `arrivals_per_hour`, optionally modulated by a
///   diurnal cosine (thinning). A worker's type is drawn by share; parameters are drawn per worker.
/// * **A session**: a worker plans a heavy-tailed number of suites (``CrowdSettings/Activity``), leaves
///   after the first with probability `first_visit_dropout`, and asks for the next suite after an
///   exponential pause. A worker who finds no suite (nothing available, the control tasks used up,
///   restricted, pool closed) leaves for good (*choice*); a worker whose suite expires leaves too (*choice*).
/// * **Mixing**: a suite takes `real_tasks_count` general tasks the worker has not answered, with
///   overlap left, drawn at random (or in creation order), plus control and training tasks the worker
///   has not seen (each shown to a worker at most once; infinite overlap), then shuffled on the page.
///   The control tasks come in a per-worker pseudo-random cyclic order (random start and a stride
///   coprime with their number), so a worker sees all of them before any repeats could arise — and
///   a worker who would need a repeat gets no suite. With `force_last_assignment`, a worker who can find
///   only fewer than `min_real_tasks_count` general tasks gets a partial suite.
/// * **Overlap**: a general task is issued until `overlap` workers hold or submitted it; a skipped or
///   expired suite gives its slots back; a rejected one does not. With `dynamic_overlap_config`, when a
///   task reaches its overlap the confidence of spec notes §3.3 is computed with each worker's control
///   accuracy q = (K + correct) / (2K + total), and the overlap grows by one until the confidence
///   reaches `min_confidence` or `max_overlap`.
/// * **Times**: a suite takes lognormal time around the worker's median (median seconds per task ×
///   tasks, divided by the type's speed-up); it is skipped with `skip_probability` (after a fifth of
///   that time, *choice*), expires when the time exceeds `assignment_max_duration_seconds`, else is
///   submitted. Every duration is at least 1 ms.
/// * **Quality control**: a ``QualityControlEngine`` gets exactly the events a replay of the TSV export
///   would build (``TolokaExportEvents``): a submission (duration = submitted − started; control and
///   training outcomes in page order), then an accept at once in auto-accept pools (else when a rule
///   approves or rejects, or `auto_accept_period_day` after submission), skips, expiries; and when a
///   general task reaches its final overlap, a majority event for each of its answerers. Majority
///   events at one millisecond are delivered after every other event at that millisecond, ordered by
///   the task's first row in the export, then by row — the order the replay builds. A restricted
///   worker gets no further suites; `REJECT_ALL_ASSIGNMENTS` / `APPROVE_ALL_ASSIGNMENTS` review the
///   worker's SUBMITTED suites.
/// * **Recompletion after a ban**: a `USERS_ASSESSMENT` config whose rule is `CHANGE_OVERLAP` (the
///   "Recompletion of assignments from banned users" rule) adds `delta` to the overlap of every
///   general task in the suites the banned worker had submitted (each suite once), reopening the pool
///   when `open_pool` is true. The banned worker's answers stay (paid) unless rejected, and are left
///   out of the accepted data when ``SimulationSettings/excludeBanned``.
/// * **Closing**: the pool closes `COMPLETED` when every general task reached its overlap and no suite
///   is active (infinite-overlap control tasks do not keep it open), or `EXPIRED` at `will_expire`
///   (default ``SimulationSettings/maxDurationSeconds``); active suites then expire.
/// * **Cost**: each submitted, not rejected suite costs the reward plus Toloka's fee,
///   max(`fee_rate` × reward, `fee_minimum`) — 30 % with a $0.005 minimum by default (Toloka's published
///   requester fee at the time of writing; **unverified**, set it in the scenario). Partial suites are
///   paid in full (*choice*). A banned worker's suites are "wasted"; the others are split into general
///   and control (+ training) cost by the suite's task counts.
///
/// Replay equality: fed the same events, the engine takes the same actions, so replaying `export.tsv`
/// through `pool.json`'s rules reproduces the simulator's bans exactly (same workers, same times), for
/// every emulated collector — except that for `MAJORITY_VOTE` the replay resolves every task once, at
/// its last answer, so a task that never reached its overlap (pool expired) or was reopened by
/// recompletion can make the two differ.
///
/// - Complexity: O(log active workers) per event; issuing a suite is O(suite size) in the common case
///   (O(suite size × answers beyond four) when a task has more than four). The run is bound by memory
///   latency, so the state is laid out for it: each general task's hot state is one 64-byte cache line
///   (counters, position in the available list, label, and its first four answers' slots and workers
///   inline, later ones in an overflow list), each worker's one line; assignments and slots are
///   records; the event heap is 4-ary on a plain buffer. The loop prefetches, one event ahead, the
///   tasks, records and engine state of the next events, and before a request the tasks the mixer's
///   first draws will pick (a copy of the random stream, which nothing uses before those draws). No
///   strings are built and nothing is allocated per event; outputs are formatted only by ``SimulationResult``.
///
/// Speed (`SimulationBenchmark`: 200,000 tasks, overlap 3, 4 + 1 control per suite, 2 rules; release,
///   2-core shared machine at load 6–9, so wall time is 1.5–2× CPU time): ≈ 1.1–1.3 million
///   assignments per user-CPU second (0.12–0.13 s user for 150,000 assignments; wall median 634,000/s
///   at load 6); 1,000,000 tasks: ≈ 1.05 million per user-CPU second (wall ≈ 575,000/s); 20,000 tasks:
///   ≈ 0.9–1 million per CPU second. Before this layout: 0.35–0.43 s user (≈ 420,000 per CPU second) at
///   200,000 tasks and ≈ 240,000 per CPU second at 1,000,000.
public enum PoolSimulator {
    /// Runs `scenario` with `seed`.
    /// - Throws: ``ScenarioError`` when the scenario is inconsistent (see ``Scenario/validate()``).
    public static func run(_ scenario: Scenario, seed: UInt64) throws(ScenarioError) -> SimulationResult {
        try scenario.validate()
        let engine: QualityControlEngine
        do {
            engine = try QualityControlEngine(scenario.pool.qualityControl, ignoringUnsupported: true)
        } catch {
            throw ScenarioError(.invalidValue, path: "pool.quality_control." + error.path, error.message)
        }
        var s = Simulation(scenario, seed: seed, engine: engine)
        s.run()
        return SimulationResult(s)
    }
}

/// Assignment statuses (spec §10). The export calls `accepted` APPROVED.
public enum AssignmentStatus: UInt8, Sendable {
    case active, submitted, accepted, rejected, skipped, expired

    public var exportName: String {
        switch self {
        case .active: return "ACTIVE"
        case .submitted: return "SUBMITTED"
        case .accepted: return "APPROVED"
        case .rejected: return "REJECTED"
        case .skipped: return "SKIPPED"
        case .expired: return "EXPIRED"
        }
    }
}

/// Why the pool closed.
public enum PoolCloseReason: String, Sendable, Codable {
    case completed = "COMPLETED", expired = "EXPIRED", open = "OPEN"
}

/// A general task's hot state, one cache line: everything issuing, finishing and resolving the task reads.
///
/// The first four submitted answers are kept inline (slot and worker; unused lanes hold -1), later
/// ones in ``Simulation``'s overflow list, in submission order.
struct TaskState {
    var target: Int32
    var active: Int32
    var submitted: Int32
    /// Index in `available`, or -1.
    var position: Int32
    var label: Int32
    /// 0 normal, 1 easy, 2 impossible.
    var difficulty: UInt8
    var resolved: Bool
    /// Answers beyond the first four: first and last index into the overflow arrays, or -1.
    var overflowHead: Int32
    var overflowTail: Int32
    var slots: SIMD4<Int32>
    var workers: SIMD4<Int32>
}

/// The tasks' hot states in one 64-byte-aligned block, so a task is one cache line.
final class TaskTable {
    let base: UnsafeMutablePointer<TaskState>
    let count: Int

    init(count: Int, _ make: (Int) -> TaskState) {
        self.count = count
        let bytes = max(1, count) * MemoryLayout<TaskState>.stride
        // Tasks are touched at random: on Linux, ask for transparent huge pages (2 MiB) to spare TLB misses.
        let huge = bytes >= 4 << 20
        let raw = UnsafeMutableRawPointer.allocate(byteCount: bytes, alignment: huge ? 2 << 20 : 64)
        #if os(Linux)
        if huge { _ = madvise(raw, bytes, MADV_HUGEPAGE) }
        #endif
        base = raw.bindMemory(to: TaskState.self, capacity: max(1, count))
        for i in 0..<count { (base + i).initialize(to: make(i)) }
    }

    deinit {
        base.deinitialize(count: count)
        UnsafeMutableRawPointer(base).deallocate()
    }
}

/// A worker's hot state: what issuing a suite, answering and finishing read and write.
struct WorkerState {
    /// p, α, strength, detection, group accuracy.
    var parameter: Double
    var logMedian: Double
    /// Fixed label, adversarial shift, group id.
    var fixed: Int32
    /// Offset into `crowd.confusionCDF`, or -1.
    var confusion: Int32
    var planned: Int32
    var done: Int32
    var goldenSeen: Int32
    var goldenStart: Int32
    var goldenStride: Int32
    var goldCorrect: Int32
    var goldTotal: Int32
    var lastAssignment: Int32
    /// ``ModelCode`` of the worker's type.
    var model: UInt8
    var dropout: Bool
    /// A rule has restricted the worker (else the engine need not be asked whether it is restricted).
    var everRestricted: Bool
}

/// An assignment (suite) as one record; ``SimulationResult`` gets it as flat arrays.
struct AssignmentState {
    var startMs: Int64
    var endMs: Int64
    /// Accepted or rejected at.
    var reviewMs: Int64
    var worker: Int32
    var slotStart: Int32
    /// The worker's next assignment, or -1.
    var next: Int32
    var slotCount: UInt8
    /// Planned outcome: 1 submit, 4 skip, 5 expire.
    var planned: UInt8
    var status: AssignmentStatus
}

/// One task of one assignment.
struct SlotState {
    var task: Int32
    var label: Int32
    /// 0 general, 1 control, 2 training.
    var kind: UInt8
}

/// The state of one run: a cache-line struct per general task and per worker, flat arrays per
/// assignment and slot.
struct Simulation {
    let scenario: Scenario
    let seed: UInt64
    var rng: SimulationRandom
    var engine: QualityControlEngine
    let k: Int
    let epoch: Int64

    // Mixer and pool.
    let realPerSuite: Int, goldenPerSuite: Int, trainingPerSuite: Int, minReal: Int
    let creationOrder: Bool, shuffle: Bool, forceLast: Bool
    let maxDurationMs: Int64
    let expireMs: Int64
    let autoAcceptPeriodMs: Int64
    let dynamicOverlap: PoolSettings.DynamicOverlap?
    let recompletion: (delta: Int, openPool: Bool)?
    /// Whether any rule counts majority events (if not, they are not built: the engine would ignore them).
    let majorityRules: Bool
    var poolOpen = true
    var closeReason: PoolCloseReason = .open
    var closeMs: Int64 = -1
    var arrivalsRunning = true

    // General tasks.
    let taskCount: Int
    let tasks: TaskTable
    let task: UnsafeMutablePointer<TaskState>
    var taskLabel: [Int32]
    var taskBeta: [Double]
    var taskDifficulty: [UInt8]
    var taskResolvedMs: [Int64]
    var overflowSlot: [Int32] = []
    var overflowWorker: [Int32] = []
    var overflowNext: [Int32] = []
    var available: [Int32] = []
    var resolvedCount = 0
    var creationCursor = 0
    // Control and training tasks.
    var goldenLabel: [Int32]
    var trainingLabel: [Int32]

    // Workers.
    var worker: [WorkerState] = []
    var workerType: [Int32] = []
    /// The scenario's worker types as a generator (parameters, sessions, times, answers).
    var crowd: CrowdModel
    let arrivals: ArrivalProcess
    var workerTrainingSeen: [Int32] = []
    var workerTrainingStart: [Int32] = []
    var workerTrainingStride: [Int32] = []
    var workerArrivalMs: [Int64] = []
    var workerLeftMs: [Int64] = []
    var workerFirstBanMs: [Int64] = []
    var workerFirstAssignment: [Int32] = []
    var workerRecompletedUpTo: [Int32] = []
    let skipProbability: Double, gapRate: Double, autoAccept: Bool
    /// ln n for suite sizes n (the same value `log` gives each time).
    let logSize: [Double]

    // Assignments.
    var assign: [AssignmentState] = []
    var activeCount = 0

    // Slots (one task of one assignment), assignment by assignment in page order.
    var slot: [SlotState] = []

    var queue = EventQueue()
    var pendingMajority: [Int32] = []
    var flushTasks: [Int32] = []
    var flushKeys: [UInt64] = []
    var pendingMajorityMs: Int64 = -1
    var scratchCounts: [Int32]
    var scratchLogL: [Double]
    var scratchAnswers: [UInt64] = []
    var scratchSuite: [Int32] = []
    var scratchKinds: [UInt8] = []
    var actionsSeen = 0

    init(_ scenario: Scenario, seed: UInt64, engine: QualityControlEngine) {
        self.scenario = scenario
        self.seed = seed
        self.engine = engine
        rng = SimulationRandom(seed: seed)
        k = scenario.labels.count
        epoch = scenario.simulation.startEpochSeconds
        let m = scenario.pool.mixer
        realPerSuite = m.realTasksCount
        goldenPerSuite = m.goldenTasksCount
        trainingPerSuite = m.trainingTasksCount
        minReal = max(1, m.minRealTasksCount ?? m.realTasksCount)
        creationOrder = m.mixTasksInCreationOrder
        shuffle = m.shuffleTasksInTaskSuite
        forceLast = m.forceLastAssignment
        maxDurationMs = Int64(scenario.pool.assignmentMaxDurationSeconds) * 1000
        expireMs = Int64(((scenario.pool.willExpireSeconds ?? scenario.simulation.maxDurationSeconds) * 1000).rounded())
        autoAcceptPeriodMs = Int64(scenario.pool.autoAcceptPeriodDays) * 86_400_000
        dynamicOverlap = scenario.pool.dynamicOverlap
        var rec: (Int, Bool)?
        for c in scenario.pool.qualityControl.configs where c.collector.kind == .usersAssessment {
            for r in c.rules {
                if case .changeOverlap(let delta, let open) = r.action, r.conditions.allSatisfy({ $0.key != .poolAccessRevokedReason || $0.value == .string("RESTRICTION") }) {
                    rec = (delta + (rec?.0 ?? 0), open || (rec?.1 ?? false))
                }
            }
        }
        recompletion = rec.map { (delta: $0.0, openPool: $0.1) }
        majorityRules = engine.qualityControl.configs.contains { $0.collector.kind == .majorityVote && !$0.rules.isEmpty }

        // Tasks.
        var taskRNG = SimulationRandom(seed: SimulationRandom.hash(seed, 1, 0))
        let n = scenario.tasks.count
        let prior = scenario.tasks.prior ?? Array(repeating: 1 / Double(k), count: k)
        taskLabel = (0..<n).map { _ in drawCategory(prior, &taskRNG) }
        taskBeta = Array(repeating: 1, count: n)
        taskDifficulty = Array(repeating: 0, count: n)
        let difficulty = scenario.tasks.difficulty
        switch difficulty {
        case .none: break
        case .glad:
            for t in 0..<n { taskBeta[t] = difficulty.drawBeta(&taskRNG) }
        case .discrete:
            for t in 0..<n { taskDifficulty[t] = difficulty.drawKind(&taskRNG) }
        }
        let goldenPrior = scenario.tasks.goldenPrior ?? prior
        goldenLabel = (0..<scenario.tasks.goldenCount).map { _ in drawCategory(goldenPrior, &taskRNG) }
        trainingLabel = (0..<scenario.tasks.trainingCount).map { _ in drawCategory(goldenPrior, &taskRNG) }
        taskCount = n
        let overlap = Int32(scenario.pool.overlap)
        let labels = taskLabel, kinds = taskDifficulty
        tasks = TaskTable(count: n) { t in
            TaskState(target: overlap, active: 0, submitted: 0, position: Int32(t), label: labels[t], difficulty: kinds[t], resolved: false,
                      overflowHead: -1, overflowTail: -1, slots: SIMD4(repeating: -1), workers: SIMD4(repeating: -1))
        }
        task = tasks.base
        taskResolvedMs = Array(repeating: -1, count: n)
        available = (0..<Int32(n)).map { $0 }
        scratchCounts = Array(repeating: 0, count: k)
        scratchLogL = Array(repeating: 0, count: k)
        crowd = CrowdModel(scenario, seed: seed)
        arrivals = ArrivalProcess(scenario.crowd, epochSeconds: epoch)
        skipProbability = scenario.crowd.skipProbability
        gapRate = crowd.gapRate
        autoAccept = scenario.pool.autoAccept
        let suiteMax = realPerSuite + goldenPerSuite + trainingPerSuite
        logSize = (0...suiteMax).map { Foundation.log(Double($0)) }
        let expected = n * scenario.pool.overlap / max(1, realPerSuite) + 16
        assign.reserveHuge(expected)
        slot.reserveHuge(expected * suiteMax)
        scratchSuite.reserveCapacity(suiteMax)
        scratchKinds.reserveCapacity(suiteMax)
    }

    @inline(__always) func engineTime(_ ms: Int64) -> Double { TolokaTime.seconds(epoch: epoch, ms: ms) }

    // MARK: - Outputs

    var taskTarget: [Int32] { (0..<taskCount).map { task[$0].target } }
    var workerParameter: [Double] { Array(hugeMap: worker) { $0.parameter } }
    var workerFixed: [Int32] { Array(hugeMap: worker) { $0.fixed } }
    var workerLogMedian: [Double] { Array(hugeMap: worker) { $0.logMedian } }
    var workerPlanned: [Int32] { Array(hugeMap: worker) { $0.planned } }
    var assignWorker: [Int32] { Array(hugeMap: assign) { $0.worker } }
    var assignStartMs: [Int64] { Array(hugeMap: assign) { $0.startMs } }
    var assignEndMs: [Int64] { Array(hugeMap: assign) { $0.endMs } }
    var assignStatus: [AssignmentStatus] { Array(hugeMap: assign) { $0.status } }
    var assignReviewMs: [Int64] { Array(hugeMap: assign) { $0.reviewMs } }
    var assignSlotStart: [Int32] { Array(hugeMap: assign) { $0.slotStart } }
    var assignSlotCount: [UInt8] { Array(hugeMap: assign) { $0.slotCount } }
    var slotKind: [UInt8] { Array(hugeMap: slot) { $0.kind } }
    var slotTask: [Int32] { Array(hugeMap: slot) { $0.task } }
    var slotLabel: [Int32] { Array(hugeMap: slot) { $0.label } }

    // MARK: - Main loop

    mutating func run() {
        queue.push(0, .arrival, 0)
        queue.push(expireMs, .poolExpire, 0)
        while !queue.isEmpty {
            let t = queue.peekTime!
            if pendingMajorityMs >= 0, t > pendingMajorityMs { flushMajority() }
            if queue.first!.kind == .request { prefetchDraws() }
            let e = queue.pop()
            // Software pipelining: the next event's tasks (its records were fetched one event ago)
            // and the records of the one after load while this event runs.
            if let next = queue.first { prefetchTasks(next) }
            if let after = queue.second { prefetchRecords(after) }
            switch e.kind {
            case .arrival: arrival(e.time)
            case .request: request(e.id, e.time)
            case .finish: finish(e.id, e.time)
            case .autoAccept: autoAccept(e.id, e.time)
            case .poolExpire: poolExpire(e.time)
            }
        }
        if pendingMajorityMs >= 0 { flushMajority() }
    }

    // MARK: - Prefetching (hints only: they change no state)

    /// The assignment and slot records of a `finish` event, the worker of a `request`.
    @inline(__always)
    func prefetchRecords(_ e: EventQueue.Event) {
        switch e.kind {
        case .finish:
            assign.withUnsafeBufferPointer { b in
                if Int(e.id) < b.count { prefetch(b.baseAddress! + Int(e.id)) }
            }
            slot.withUnsafeBufferPointer { b in
                let i = Int(e.aux)
                if i < b.count {
                    prefetch(b.baseAddress! + i)
                    prefetch(UnsafeRawPointer(b.baseAddress! + i) + 63)
                }
            }
        case .request:
            worker.withUnsafeBufferPointer { b in
                if Int(e.id) < b.count { prefetch(b.baseAddress! + Int(e.id)) }
            }
        default:
            break
        }
    }

    /// Before a `request`: the tasks the mixer's first draws will pick (nothing uses the random stream
    /// between now and those draws), and the last available task (a removal moves it).
    @inline(__always)
    func prefetchDraws() {
        guard !creationOrder, !available.isEmpty else { return }
        var r = rng
        let n = available.count
        available.withUnsafeBufferPointer { b in
            for _ in 0..<min(4, realPerSuite) { prefetch(task + Int(b[r.below(n)])) }
            prefetch(task + Int(b[n - 1]))
        }
    }

    /// The general tasks of a `finish` event and the engine's state for its worker.
    @inline(__always)
    func prefetchTasks(_ e: EventQueue.Event) {
        guard e.kind == .finish else { return }
        engine.prefetch(worker: assign[Int(e.id)].worker)
        let first = Int(e.aux), end = first + Int(assign[Int(e.id)].slotCount)
        slot.withUnsafeBufferPointer { b in
            for s in first..<end where b[s].kind == 0 { prefetch(task + Int(b[s].task)) }
        }
    }

    mutating func arrival(_ t: Int64) {
        guard poolOpen, workerType.count < scenario.crowd.maxWorkers else { arrivalsRunning = false; return }
        let w = newWorker(t)
        queue.push(t, .request, w)
        // Next arrival: thinning of a Poisson process with rate λ(1 + A cos(2π(h − peak)/24)).
        let next = arrivals.next(after: Double(t), &rng)
        let nextMs = Int64(next.rounded(.up))
        if nextMs < expireMs { queue.push(max(nextMs, t), .arrival, 0) } else { arrivalsRunning = false }
    }

    mutating func newWorker(_ t: Int64) -> Int32 {
        let w = Int32(workerType.count)
        let drawn = crowd.drawWorker(&rng)
        let (planned, dropout) = crowd.drawSession(&rng)
        let g = Int32(goldenLabel.count), tr = Int32(trainingLabel.count)
        let goldenStart = g > 0 ? Int32(rng.below(Int(g))) : 0
        let goldenStride = g > 0 ? coprimeStride(Int(g)) : 1
        workerTrainingSeen.append(0)
        workerTrainingStart.append(tr > 0 ? Int32(rng.below(Int(tr))) : 0)
        workerTrainingStride.append(tr > 0 ? coprimeStride(Int(tr)) : 1)
        workerType.append(Int32(drawn.type))
        worker.append(WorkerState(parameter: drawn.parameter, logMedian: drawn.logMedian, fixed: drawn.fixed, confusion: drawn.confusion,
                                  planned: Int32(max(1, planned)), done: 0, goldenSeen: 0, goldenStart: goldenStart, goldenStride: goldenStride,
                                  goldCorrect: 0, goldTotal: 0, lastAssignment: -1, model: drawn.code, dropout: dropout, everRestricted: false))
        workerArrivalMs.append(t)
        workerLeftMs.append(-1)
        workerFirstBanMs.append(-1)
        workerFirstAssignment.append(-1)
        workerRecompletedUpTo.append(-1)
        if Int(w) >= 64, Int(w) & (Int(w) - 1) == 0 { engine.reserveWorkers(2 * Int(w)) }
        return w
    }

    /// A random step in 1..<n coprime with n (1 when n is 1).
    mutating func coprimeStride(_ n: Int) -> Int32 {
        guard n > 2 else { return 1 }
        while true {
            let s = 1 + rng.below(n - 1)
            var a = s, b = n
            while b != 0 { (a, b) = (b, a % b) }
            if a == 1 { return Int32(s) }
        }
    }

    mutating func leave(_ w: Int32, _ t: Int64) {
        if workerLeftMs[Int(w)] < 0 { workerLeftMs[Int(w)] = t }
    }

    // MARK: - Issuing suites

    @inline(__always)
    mutating func updateAvailability(_ id: Int32) {
        let p = task + Int(id)
        let open = !p.pointee.resolved && p.pointee.target - p.pointee.active - p.pointee.submitted > 0
        let position = p.pointee.position
        if open, position < 0 {
            p.pointee.position = Int32(available.count)
            available.append(id)
        } else if !open, position >= 0 {
            let last = available.removeLast()
            if last != id {
                available[Int(position)] = last
                task[Int(last)].position = position
            }
            p.pointee.position = -1
        }
    }

    /// Whether worker `w` submitted an answer to general task `id` (a worker holds one suite at a time,
    /// so active suites need no check).
    @inline(__always)
    func answered(_ w: Int32, _ id: Int32) -> Bool {
        let p = task + Int(id)
        if any(p.pointee.workers .== SIMD4(repeating: w)) { return true }
        var o = p.pointee.overflowHead
        while o >= 0 {
            if overflowWorker[Int(o)] == w { return true }
            o = overflowNext[Int(o)]
        }
        return false
    }

    /// Records a submitted answer (slot `s` by worker `w`) to general task `ti`.
    @inline(__always)
    mutating func addAnswer(_ ti: Int, _ s: Int32, _ w: Int32) {
        let p = task + ti
        let n = Int(p.pointee.submitted)
        if n < 4 {
            p.pointee.slots[n] = s
            p.pointee.workers[n] = w
        } else {
            let o = Int32(overflowSlot.count)
            overflowSlot.append(s)
            overflowWorker.append(w)
            overflowNext.append(-1)
            if p.pointee.overflowTail >= 0 { overflowNext[Int(p.pointee.overflowTail)] = o } else { p.pointee.overflowHead = o }
            p.pointee.overflowTail = o
        }
        p.pointee.submitted += 1
    }

    mutating func request(_ w: Int32, _ t: Int64) {
        let wi = Int(w)
        // Restrictions come only from actions, all handled by now: a worker never restricted is not.
        guard poolOpen, !(worker[wi].everRestricted && engine.isRestricted(worker: w, at: engineTime(t))) else { leave(w, t); return }
        if goldenPerSuite > 0, Int(worker[wi].goldenSeen) + goldenPerSuite > goldenLabel.count { leave(w, t); return }
        if trainingPerSuite > 0, Int(workerTrainingSeen[wi]) + trainingPerSuite > trainingLabel.count { leave(w, t); return }
        // General tasks.
        scratchSuite.removeAll(keepingCapacity: true)
        scratchKinds.removeAll(keepingCapacity: true)
        var exhaustive = false
        if creationOrder {
            var i = creationCursor
            while i < taskCount, scratchSuite.count < realPerSuite {
                if task[i].position >= 0, !answered(w, Int32(i)) { scratchSuite.append(Int32(i)) }
                i += 1
            }
            exhaustive = i == taskCount
            while creationCursor < taskCount, task[creationCursor].resolved { creationCursor += 1 }
        } else {
            var tries = 0
            while scratchSuite.count < realPerSuite, tries < 4 * realPerSuite + 4, !available.isEmpty {
                tries += 1
                let id = available[rng.below(available.count)]
                if !scratchSuite.contains(id), !answered(w, id) { scratchSuite.append(id) }
            }
            if scratchSuite.count < realPerSuite, !available.isEmpty {
                exhaustive = true
                let n = available.count
                let start = rng.below(n)
                var j = 0
                while j < n, scratchSuite.count < realPerSuite {
                    let id = available[(start + j) % n]
                    if !scratchSuite.contains(id), !answered(w, id) { scratchSuite.append(id) }
                    j += 1
                }
            }
        }
        if scratchSuite.isEmpty || (scratchSuite.count < minReal && !(forceLast && exhaustive)) {
            leave(w, t)
            return
        }
        for _ in scratchSuite { scratchKinds.append(0) }
        if goldenPerSuite > 0 {
            let count = goldenLabel.count
            let start = Int(worker[wi].goldenStart), stride = Int(worker[wi].goldenStride)
            var seen = Int(worker[wi].goldenSeen)
            for _ in 0..<goldenPerSuite {
                scratchSuite.append(Int32((start + seen * stride) % count)); scratchKinds.append(1)
                seen += 1
            }
            worker[wi].goldenSeen = Int32(seen)
        }
        for _ in 0..<trainingPerSuite {
            let g = (Int(workerTrainingStart[wi]) + Int(workerTrainingSeen[wi]) * Int(workerTrainingStride[wi])) % trainingLabel.count
            workerTrainingSeen[wi] += 1
            scratchSuite.append(Int32(g)); scratchKinds.append(2)
        }
        let size = scratchSuite.count
        if shuffle {
            var i = size - 1
            while i > 0 {
                let j = rng.below(i + 1)
                scratchSuite.swapAt(i, j); scratchKinds.swapAt(i, j)
                i -= 1
            }
        }
        // The assignment.
        let a = Int32(assign.count)
        let last = worker[wi].lastAssignment
        if last >= 0 { assign[Int(last)].next = a } else { workerFirstAssignment[wi] = a }
        worker[wi].lastAssignment = a
        activeCount += 1
        let state = worker[wi]
        let slotStart = Int32(slot.count)
        for i in 0..<size {
            let id = scratchSuite[i], kind = scratchKinds[i]
            if kind == 0 {
                let p = task + Int(id)
                slot.append(SlotState(task: id, label: answer(state, kind, id, p.pointee.label, p.pointee.difficulty), kind: kind))
                p.pointee.active += 1
                updateAvailability(id)
            } else {
                slot.append(SlotState(task: id, label: answer(state, kind, id, kind == 1 ? goldenLabel[Int(id)] : trainingLabel[Int(id)], 0), kind: kind))
            }
        }
        // How it ends.
        let seconds = crowd.suiteSeconds(logMedian: state.logMedian, logTasks: logSize[size], &rng)
        var ms = max(1, Int64(min(1e12, seconds * 1000).rounded()))
        var planned: UInt8 = 1
        if skipProbability > 0, rng.bernoulli(skipProbability) {
            planned = 4
            ms = max(1, ms / 5)
        } else if ms > maxDurationMs {
            planned = 5
            ms = maxDurationMs
        }
        assign.append(AssignmentState(startMs: t, endMs: -1, reviewMs: -1, worker: w, slotStart: slotStart, next: -1,
                                      slotCount: UInt8(size), planned: planned, status: .active))
        queue.push(t + ms, .finish, a, aux: slotStart)
    }

    /// The label a worker gives to a task (`kind` 0 general, 1 control, 2 training) whose true label
    /// is `truth` (difficulty 0 for control and training tasks); the model is ``CrowdModel/answer``.
    @inline(__always)
    mutating func answer(_ state: WorkerState, _ kind: UInt8, _ id: Int32, _ truth: Int32, _ difficulty: UInt8) -> Int32 {
        // Only GLAD workers read the task's β (general tasks; 1 for control and training tasks).
        let beta = state.model == ModelCode.glad && kind == 0 ? taskBeta[Int(id)] : 1
        return crowd.answer(code: state.model, parameter: state.parameter, fixed: state.fixed, confusion: state.confusion, kind: kind,
                            key: UInt64(kind) << 32 | UInt64(UInt32(bitPattern: id)), truth: truth, difficulty: difficulty, beta: beta, k: k, &rng)
    }

    // MARK: - Finishing suites

    mutating func finish(_ a: Int32, _ t: Int64) {
        let ai = Int(a)
        guard assign[ai].status == .active else { return }
        let w = assign[ai].worker
        let wi = Int(w)
        activeCount -= 1
        assign[ai].endMs = t
        let first = Int(assign[ai].slotStart), end = first + Int(assign[ai].slotCount)
        switch assign[ai].planned {
        case 1:
            assign[ai].status = .submitted
            // The engine sees no simulation state: send its events first, so the task lines fetched
            // ahead have time to arrive; the actions are handled after the tasks are updated, as before.
            var control = AnswerOutcomes(), training = AnswerOutcomes()
            var correct: Int32 = 0, total: Int32 = 0
            for s in first..<end {
                let id = slot[s].task
                switch slot[s].kind {
                case 0:
                    break
                case 1:
                    let right = slot[s].label == goldenLabel[Int(id)]
                    control.append(right)
                    total += 1
                    if right { correct += 1 }
                default:
                    training.append(slot[s].label == trainingLabel[Int(id)])
                }
            }
            worker[wi].goldTotal += total
            worker[wi].goldCorrect += correct
            let now = engineTime(t)
            engine.process(AssignmentEvent(time: now, worker: w, .submitted(Submission(duration: now - engineTime(assign[ai].startMs), control: control, training: training))))
            if autoAccept {
                assign[ai].status = .accepted
                assign[ai].reviewMs = t
                engine.process(AssignmentEvent(time: now, worker: w, .accepted))
            } else {
                queue.push(t + autoAcceptPeriodMs, .autoAccept, a)
            }
            for s in first..<end where slot[s].kind == 0 {
                let ti = Int(slot[s].task)
                task[ti].active -= 1
                addAnswer(ti, Int32(s), w)
            }
            handleActions(t)
            for s in first..<end where slot[s].kind == 0 { taskReachedOverlap(slot[s].task, t) }
            worker[wi].done += 1
            if worker[wi].done >= worker[wi].planned || worker[wi].dropout {
                leave(w, t)
            } else {
                let gap = Int64((rng.exponential(rate: gapRate) * 1000).rounded())
                queue.push(t + gap, .request, w)
            }
        case 4, 5:
            let skipped = assign[ai].planned == 4
            assign[ai].status = skipped ? .skipped : .expired
            giveBack(first, end)
            engine.process(AssignmentEvent(time: engineTime(t), worker: w, skipped ? .skipped : .expired))
            handleActions(t)
            worker[wi].done += 1
            if skipped, worker[wi].done < worker[wi].planned, !worker[wi].dropout {
                let gap = Int64((rng.exponential(rate: gapRate) * 1000).rounded())
                queue.push(t + gap, .request, w)
            } else {
                leave(w, t)
            }
        default:
            break
        }
    }

    mutating func giveBack(_ first: Int, _ end: Int) {
        for s in first..<end where slot[s].kind == 0 {
            let id = slot[s].task
            task[Int(id)].active -= 1
            updateAvailability(id)
        }
    }

    /// Checks whether a general task reached its overlap; grows dynamic overlap or marks it resolved.
    mutating func taskReachedOverlap(_ id: Int32, _ t: Int64) {
        let p = task + Int(id)
        guard !p.pointee.resolved, p.pointee.submitted >= p.pointee.target else { updateAvailability(id); return }
        if let d = dynamicOverlap, p.pointee.target < Int32(d.maxOverlap), confidence(id) < d.minConfidence {
            p.pointee.target += 1
            updateAvailability(id)
            return
        }
        p.pointee.resolved = true
        taskResolvedMs[Int(id)] = t
        resolvedCount += 1
        updateAvailability(id)
        if pendingMajorityMs != t {
            if pendingMajorityMs >= 0 { flushMajority() }
            pendingMajorityMs = t
        }
        pendingMajority.append(id)
    }

    /// Toloka's dynamic-overlap confidence in the leading answer (spec notes §3.3).
    mutating func confidence(_ id: Int32) -> Double {
        let kk = dynamicOverlapSmoothing
        for z in 0..<k { scratchLogL[z] = 0 }
        @inline(__always) func add(_ s: Int32, _ w: Int32, _ logL: inout [Double]) {
            let q = min(1 - 1e-9, max(1e-9, (kk + Double(worker[Int(w)].goldCorrect)) / (2 * kk + Double(worker[Int(w)].goldTotal))))
            let a = Int(slot[Int(s)].label)
            for z in 0..<k { logL[z] += Foundation.log(z == a ? q : (1 - q) / Double(k - 1)) }
        }
        let p = task + Int(id)
        var logL = scratchLogL
        scratchLogL = []
        for i in 0..<min(4, Int(p.pointee.submitted)) { add(p.pointee.slots[i], p.pointee.workers[i], &logL) }
        var o = p.pointee.overflowHead
        while o >= 0 {
            add(overflowSlot[Int(o)], overflowWorker[Int(o)], &logL)
            o = overflowNext[Int(o)]
        }
        let top = logL.max() ?? 0
        let sum = logL.reduce(0) { $0 + Foundation.exp($1 - top) }
        scratchLogL = logL
        return 1 / sum
    }

    var dynamicOverlapSmoothing: Double { scenario.simulation.dynamicOverlapSmoothing }

    /// Delivers the majority events of tasks resolved at `pendingMajorityMs`, in the replay's order.
    mutating func flushMajority() {
        let t = pendingMajorityMs
        pendingMajorityMs = -1
        guard !pendingMajority.isEmpty else { return }
        guard majorityRules else {
            // No rule counts majority events: the engine would take no action on them.
            pendingMajority.removeAll(keepingCapacity: true)
            checkCompletion(t)
            return
        }
        swap(&pendingMajority, &flushTasks)
        pendingMajority.removeAll(keepingCapacity: true)
        defer { flushTasks.removeAll(keepingCapacity: true) }
        // The export lists suites in issue order, so a task's first row is its earliest answer slot.
        if flushTasks.count > 1 {
            // Sort by first row: pack (first slot, task) into one word per task.
            flushKeys.removeAll(keepingCapacity: true)
            for id in flushTasks {
                let p = task + Int(id)
                var best = Int32.max
                for i in 0..<min(4, Int(p.pointee.submitted)) { best = min(best, p.pointee.slots[i]) }
                var o = p.pointee.overflowHead
                while o >= 0 { best = min(best, overflowSlot[Int(o)]); o = overflowNext[Int(o)] }
                flushKeys.append(UInt64(UInt32(bitPattern: best)) << 32 | UInt64(UInt32(bitPattern: id)))
            }
            flushKeys.sort()
            for i in flushKeys.indices { flushTasks[i] = Int32(bitPattern: UInt32(truncatingIfNeeded: flushKeys[i])) }
        }
        let now = engineTime(t)
        for i in flushTasks.indices {
            let id = flushTasks[i]
            let p = task + Int(id)
            // (slot, worker) pairs packed in one word, sorted by slot: the export's row order.
            scratchAnswers.removeAll(keepingCapacity: true)
            for z in 0..<k { scratchCounts[z] = 0 }
            for j in 0..<min(4, Int(p.pointee.submitted)) {
                let s = p.pointee.slots[j]
                scratchAnswers.append(UInt64(UInt32(bitPattern: s)) << 32 | UInt64(UInt32(bitPattern: p.pointee.workers[j])))
                scratchCounts[Int(slot[Int(s)].label)] += 1
            }
            var o = p.pointee.overflowHead
            while o >= 0 {
                let s = overflowSlot[Int(o)]
                scratchAnswers.append(UInt64(UInt32(bitPattern: s)) << 32 | UInt64(UInt32(bitPattern: overflowWorker[Int(o)])))
                scratchCounts[Int(slot[Int(s)].label)] += 1
                o = overflowNext[Int(o)]
            }
            if scratchAnswers.count > 1 { insertionSort(&scratchAnswers) }
            var best: Int32 = 0, leader = -1, tie = false
            for z in 0..<k {
                if scratchCounts[z] > best { best = scratchCounts[z]; leader = z; tie = false } else if scratchCounts[z] == best, best > 0 { tie = true }
            }
            let size = tie ? 0 : best
            for j in scratchAnswers.indices {
                let s = Int(scratchAnswers[j] >> 32), w = Int32(bitPattern: UInt32(truncatingIfNeeded: scratchAnswers[j]))
                engine.process(AssignmentEvent(time: now, worker: w, .majorityResolved(task: id, agreed: !tie && Int(slot[s].label) == leader, majoritySize: size)))
                handleActions(t)
            }
        }
        checkCompletion(t)
    }

    mutating func checkCompletion(_ t: Int64) {
        if poolOpen, resolvedCount == taskCount, activeCount == 0 {
            poolOpen = false
            closeReason = .completed
            closeMs = t
        }
    }

    // MARK: - Actions and reviews

    mutating func handleActions(_ t: Int64) {
        while actionsSeen < engine.actions.count {
            let action = engine.actions[actionsSeen]
            actionsSeen += 1
            let w = action.worker, wi = Int(w)
            switch action.action {
            case .restriction, .legacyRestriction:
                if workerFirstBanMs[wi] < 0 { workerFirstBanMs[wi] = t }
                worker[wi].everRestricted = true
                if let r = recompletion { recomplete(w, delta: r.delta, reopen: r.openPool, t) }
            case .rejectAllAssignments:
                review(w, accept: false, t)
            case .approveAllAssignments:
                review(w, accept: true, t)
            default:
                break
            }
        }
    }

    mutating func review(_ w: Int32, accept: Bool, _ t: Int64) {
        var a = workerFirstAssignment[Int(w)]
        while a >= 0 {
            if assign[Int(a)].status == .submitted {
                assign[Int(a)].status = accept ? .accepted : .rejected
                assign[Int(a)].reviewMs = t
                engine.process(AssignmentEvent(time: engineTime(t), worker: w, accept ? .accepted : .rejected))
            }
            a = assign[Int(a)].next
        }
    }

    mutating func autoAccept(_ a: Int32, _ t: Int64) {
        guard assign[Int(a)].status == .submitted else { return }
        assign[Int(a)].status = .accepted
        assign[Int(a)].reviewMs = t
        engine.process(AssignmentEvent(time: engineTime(t), worker: assign[Int(a)].worker, .accepted))
        handleActions(t)
    }

    mutating func recomplete(_ w: Int32, delta: Int, reopen: Bool, _ t: Int64) {
        let wi = Int(w)
        var a = workerFirstAssignment[wi]
        var last = workerRecompletedUpTo[wi]
        while a >= 0 {
            if a > workerRecompletedUpTo[wi], assign[Int(a)].status == .submitted || assign[Int(a)].status == .accepted || assign[Int(a)].status == .rejected {
                let first = Int(assign[Int(a)].slotStart), end = first + Int(assign[Int(a)].slotCount)
                for s in first..<end where slot[s].kind == 0 {
                    let p = task + Int(slot[s].task)
                    p.pointee.target = max(0, p.pointee.target + Int32(delta))
                    if p.pointee.resolved, p.pointee.submitted < p.pointee.target {
                        p.pointee.resolved = false
                        resolvedCount -= 1
                    }
                    updateAvailability(slot[s].task)
                }
                last = a
            }
            a = assign[Int(a)].next
        }
        workerRecompletedUpTo[wi] = last
        creationCursor = 0
        if !poolOpen, closeReason == .completed, reopen, resolvedCount < taskCount, t < expireMs {
            poolOpen = true
            closeReason = .open
            closeMs = -1
            if !arrivalsRunning {
                arrivalsRunning = true
                queue.push(t, .arrival, 0)
            }
        }
    }

    mutating func poolExpire(_ t: Int64) {
        guard poolOpen || activeCount > 0 else { return }
        if poolOpen {
            poolOpen = false
            closeReason = .expired
            closeMs = t
        }
        for a in assign.indices where assign[a].status == .active {
            assign[a].status = .expired
            assign[a].endMs = t
            activeCount -= 1
            let first = Int(assign[a].slotStart)
            giveBack(first, first + Int(assign[a].slotCount))
            engine.process(AssignmentEvent(time: engineTime(t), worker: assign[a].worker, .expired))
            handleActions(t)
            leave(assign[a].worker, t)
        }
    }
}

/// Asks Linux to back the 2 MiB-aligned part of `bytes` bytes at `address` with transparent huge pages
/// (fewer page faults and TLB misses for the run's large arrays; a hint, nothing else).
@inline(__always)
func adviseHugePages(_ address: UnsafeRawPointer, _ bytes: Int) {
    #if os(Linux)
    let huge = 2 << 20
    let start = (Int(bitPattern: address) + huge - 1) & ~(huge - 1)
    let end = (Int(bitPattern: address) + bytes) & ~(huge - 1)
    if end > start { _ = madvise(UnsafeMutableRawPointer(bitPattern: start), end - start, MADV_HUGEPAGE) }
    #endif
}

extension Array {
    /// Reserves room for `n` elements, asking for huge pages when that is large.
    mutating func reserveHuge(_ n: Int) {
        reserveCapacity(n)
        guard n * MemoryLayout<Element>.stride >= 4 << 20 else { return }
        withUnsafeMutableBufferPointer { b in adviseHugePages(UnsafeRawPointer(b.baseAddress!), b.count * MemoryLayout<Element>.stride) }
    }
}

extension Array {
    /// `source.map(transform)` into a buffer on huge pages when it is large.
    init<S>(hugeMap source: [S], _ transform: (S) -> Element) {
        let n = source.count
        self.init(unsafeUninitializedCapacity: n) { b, count in
            if n * MemoryLayout<Element>.stride >= 4 << 20 { adviseHugePages(UnsafeRawPointer(b.baseAddress!), n * MemoryLayout<Element>.stride) }
            source.withUnsafeBufferPointer { s in
                for i in 0..<n { (b.baseAddress! + i).initialize(to: transform(s[i])) }
            }
            count = n
        }
    }
}

/// LLVM's prefetch intrinsic (`prefetcht0` on x86-64, `prfm` on arm64): a hint that never faults.
@_silgen_name("llvm.prefetch.p0")
private func llvmPrefetch(_ address: UnsafeRawPointer, _ write: Int32, _ locality: Int32, _ dataCache: Int32)

/// Asks the CPU to bring the cache line at `address` into cache.
@inline(__always)
func prefetch(_ address: UnsafeRawPointer) { llvmPrefetch(address, 0, 3, 1) }

/// Sorts a short array in place without allocating.
@inline(__always)
func insertionSort(_ a: inout [UInt64]) {
    var i = 1
    while i < a.count {
        let x = a[i]
        var j = i - 1
        while j >= 0, a[j] > x { a[j + 1] = a[j]; j -= 1 }
        a[j + 1] = x
        i += 1
    }
}
