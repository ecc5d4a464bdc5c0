import Foundation
import TallyCore
import TallyQualityControl

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
    /// Where this driver's pool behaves unlike the emulator's (``PoolEngine/Policy/simulator``): the
    /// last-suite rule, what is fed back to quality control, pool expiry and reopening are read from it.
    /// `workersLeaveWhenNoSuite` must hold: a simulated Toloker never comes back after leaving.
    let policy: PoolEngine.Policy
    /// The pool's quality control and its actions (the pool engine's component; rule reviews are fed back).
    var feed: QualityControlFeed
    let k: Int
    let epoch: Int64

    // Mixer and pool.
    /// The pool's `mixer_config`; its counts and flags are also kept below for the issuing loop.
    let mixer: Mixer
    let realPerSuite: Int, goldenPerSuite: Int, trainingPerSuite: Int
    let creationOrder: Bool, shuffle: Bool
    let maxDurationMs: Int64
    let expireMs: Int64
    let autoAcceptPeriodMs: Int64
    let dynamicOverlap: PoolSettings.DynamicOverlap?
    let recompletion: (delta: Int, openPool: Bool)?
    /// Whether any rule counts majority events (if not, they are not built: the engine would ignore them).
    let majorityRules: Bool
    /// Open or closed, why and when, in milliseconds (the component ``PoolEngine`` shares).
    var pool = PoolLifecycle<Int64>()
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

    var queue = EventQueue<Int64>()
    var pendingMajority: [Int32] = []
    var flushTasks: [Int32] = []
    var flushKeys: [UInt64] = []
    var pendingMajorityMs: Int64 = -1
    var scratchCounts: [Int32]
    var scratchLogL: [Double]
    var scratchAnswers: [UInt64] = []
    var scratchSuite: [Int32] = []
    var scratchKinds: [UInt8] = []
    var scratchMajority: [(worker: Int32, label: Int32)] = []

    init(_ scenario: Scenario, seed: UInt64, engine: QualityControlEngine, policy: PoolEngine.Policy = .simulator) {
        precondition(policy.workersLeaveWhenNoSuite, "tally simulate's Tolokers leave when they find no suite")
        self.scenario = scenario
        self.seed = seed
        self.policy = policy
        feed = QualityControlFeed(engine, feedsRuleReviews: policy.feedsRuleReviews)
        pool.open(at: 0)
        rng = SimulationRandom(seed: seed)
        k = scenario.labels.count
        epoch = scenario.simulation.startEpochSeconds
        let m = scenario.pool.mixer
        mixer = m
        realPerSuite = m.realTasksCount
        goldenPerSuite = m.goldenTasksCount
        trainingPerSuite = m.trainingTasksCount
        creationOrder = m.mixTasksInCreationOrder
        shuffle = m.shuffleTasksInTaskSuite
        maxDurationMs = Int64(scenario.pool.assignmentMaxDurationSeconds) * 1000
        expireMs = Int64(((scenario.pool.willExpireSeconds ?? scenario.simulation.maxDurationSeconds) * 1000).rounded())
        autoAcceptPeriodMs = Int64(scenario.pool.autoAcceptPeriodDays) * 86_400_000
        dynamicOverlap = scenario.pool.dynamicOverlap
        recompletion = OverlapChangeRules.onRestriction(scenario.pool.qualityControl)
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
}
