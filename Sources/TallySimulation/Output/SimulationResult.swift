import Foundation
import TallyQualityControl

/// What a run produced: every assignment and answer, the true parameters, the quality-control log and a summary.
///
/// Ids are dense integers; ``taskName(_:kind:)`` and ``workerName(_:)`` give the names the files use.
/// The data are columns: `task…` arrays are indexed by general task id, `worker…` by worker id,
/// `assignment…` by assignment (issue order) and `slot…` by slot (one task of one assignment).
/// Times are milliseconds from the simulation's start (``SimulationSettings/startEpochSeconds``).
///
///     let result = try PoolSimulator.run(try Scenario.read(path: "scenario.json"), seed: 1)
///     let summary = result.summary()
///     for file in result.files() { try Data(file.bytes).write(to: folder.appending(path: file.name)) }
public struct SimulationResult: Sendable {
    /// The scenario that was run.
    public let scenario: Scenario
    /// The seed it was run with.
    public let seed: UInt64
    /// Every action the pool's rules took, in the order taken (engine worker ids = simulator worker ids).
    public let actions: [QualityControlAction]
    /// Why the pool closed (``PoolCloseReason/open`` when the run ended with it open).
    public let closeReason: PoolCloseReason
    /// Milliseconds from the start to the pool's closing (nil if it never closed).
    public let closeMilliseconds: Int64?

    // General tasks.
    /// The true label of each general task (an index into ``Scenario/labels``).
    public let taskLabels: [Int32]
    /// Each general task's GLAD difficulty β (1 when the scenario has no GLAD difficulty).
    public let taskBetas: [Double]
    /// Each general task's discrete difficulty: 0 normal (hard), 1 easy, 2 impossible.
    public let taskDifficulty: [UInt8]
    /// Each general task's final overlap (grown by dynamic overlap).
    public let taskOverlap: [Int32]
    /// When each general task reached its final overlap (-1: never).
    public let taskResolvedMilliseconds: [Int64]
    /// The true label of each control (golden) task.
    public let goldenLabels: [Int32]
    /// The true label of each training task.
    public let trainingLabels: [Int32]

    // Workers.
    /// Each worker's type: an index into the scenario's ``CrowdSettings/types``.
    public let workerType: [Int32]
    /// Each worker's drawn parameter: accuracy (one-coin, colluding), ability α (GLAD), strength
    /// (adversarial), mean diagonal (confusion), detection probability (golden detector); 0 otherwise.
    public let workerParameter: [Double]
    let workerFixed: [Int32]
    /// The natural log of each worker's median seconds per task (the type's speed-up applied).
    public let workerLogMedian: [Double]
    /// The number of suites each worker meant to do (``CrowdSettings/activity``).
    public let workerPlanned: [Int32]
    /// When each worker arrived.
    public let workerArrivalMilliseconds: [Int64]
    /// When each worker left (-1: still there at the end).
    public let workerLeftMilliseconds: [Int64]
    /// When the worker was first restricted (-1: never).
    public let workerFirstBanMilliseconds: [Int64]

    // Assignments, in issue order.
    /// The worker each assignment was issued to.
    public let assignmentWorker: [Int32]
    /// When each assignment was issued.
    public let assignmentStart: [Int64]
    /// When each assignment was submitted, skipped or expired.
    public let assignmentEnd: [Int64]
    /// Each assignment's final status.
    public let assignmentStatus: [AssignmentStatus]
    /// When each accepted or rejected assignment was reviewed.
    public let assignmentReview: [Int64]
    /// Each assignment's first slot (an index into the `slot…` columns).
    public let assignmentSlotStart: [Int32]
    /// The number of slots (tasks) of each assignment.
    public let assignmentSlotCount: [UInt8]

    // Slots: one task of one assignment, page order.
    /// 0 general, 1 control, 2 training.
    public let slotKind: [UInt8]
    /// Each slot's task id, within its kind (general, control or training).
    public let slotTask: [Int32]
    /// The label given in each slot (an index into ``Scenario/labels``; meaningful for answered assignments).
    public let slotLabel: [Int32]

    init(_ s: Simulation) {
        scenario = s.scenario
        seed = s.seed
        actions = s.feed.engine.actions
        closeReason = s.pool.closeReason ?? .open
        closeMilliseconds = s.pool.isOpen ? nil : s.pool.lastStopped
        taskLabels = s.taskLabel
        taskBetas = s.taskBeta
        taskDifficulty = s.taskDifficulty
        taskOverlap = s.taskTarget
        taskResolvedMilliseconds = s.taskResolvedMs
        goldenLabels = s.goldenLabel
        trainingLabels = s.trainingLabel
        workerType = s.workerType
        workerParameter = s.workerParameter
        workerFixed = s.workerFixed
        workerLogMedian = s.workerLogMedian
        workerPlanned = s.workerPlanned
        workerArrivalMilliseconds = s.workerArrivalMs
        workerLeftMilliseconds = s.workerLeftMs
        workerFirstBanMilliseconds = s.workerFirstBanMs
        assignmentWorker = s.assignWorker
        assignmentStart = s.assignStartMs
        assignmentEnd = s.assignEndMs
        assignmentStatus = s.assignStatus
        assignmentReview = s.assignReviewMs
        assignmentSlotStart = s.assignSlotStart
        assignmentSlotCount = s.assignSlotCount
        slotKind = s.slotKind
        slotTask = s.slotTask
        slotLabel = s.slotLabel
    }

    /// The number of assignments issued.
    public var assignmentCount: Int { assignmentWorker.count }
    /// The number of workers who arrived.
    public var workerCount: Int { workerType.count }

    /// A task's name in the files: `task-000001` (`kind` 0, general), `golden-0001` (1), `training-0001` (2);
    /// zero-padded to the width of the largest id (at least 9).
    public func taskName(_ task: Int32, kind: UInt8 = 0) -> String {
        let n = Int(task) + 1
        switch kind {
        case 0: return "task-" + padded(n, taskLabels.count)
        case 1: return "golden-" + padded(n, goldenLabels.count)
        default: return "training-" + padded(n, trainingLabels.count)
        }
    }

    /// A worker's name in the files: `worker-00001` (zero-padded to the width of the largest id, at least 99999).
    public func workerName(_ w: Int32) -> String { "worker-" + padded(Int(w) + 1, max(99_999, workerCount)) }

    /// An assignment's id in export.tsv: `assignment-000001`.
    func assignmentName(_ a: Int) -> String { "assignment-" + padded(a + 1, max(999_999, assignmentCount)) }

    private func padded(_ n: Int, _ top: Int) -> String {
        let s = String(n), width = String(max(top, 9)).count
        return s.count >= width ? s : String(repeating: "0", count: width - s.count) + s
    }

    /// The model of worker `w`'s type.
    public func model(of w: Int32) -> WorkerType.Model { scenario.crowd.types[Int(workerType[Int(w)])].model }

    /// A worker's expected accuracy on a general task drawn from the prior, from its true parameters
    /// (GLAD at the median difficulty; discrete difficulty mixed in for honest types).
    public func expectedAccuracy(of w: Int32) -> Double {
        CrowdModel.expectedAccuracy(model(of: w), parameter: workerParameter[Int(w)], fixed: workerFixed[Int(w)], scenario: scenario)
    }

    /// Whether a worker is "good": a non-spam type whose expected accuracy is at least ``SimulationSettings/goodAccuracy``.
    public func isGood(_ w: Int32) -> Bool {
        !model(of: w).isSpammer && expectedAccuracy(of: w) >= scenario.simulation.goodAccuracy
    }

    /// Whether an assignment's answers are in the accepted data: submitted or accepted (not rejected),
    /// and not by a banned worker when ``SimulationSettings/excludeBanned``.
    public func isAccepted(_ a: Int) -> Bool {
        let s = assignmentStatus[a]
        guard s == .accepted || s == .submitted else { return false }
        return !(scenario.simulation.excludeBanned && workerFirstBanMilliseconds[Int(assignmentWorker[a])] >= 0)
    }

    /// The accepted answers on general tasks: (task, worker, label) ids.
    public func acceptedAnswers() -> (task: [Int32], worker: [Int32], label: [Int32]) {
        var t: [Int32] = [], w: [Int32] = [], l: [Int32] = []
        for a in 0..<assignmentCount where isAccepted(a) {
            let first = Int(assignmentSlotStart[a])
            for s in first..<first + Int(assignmentSlotCount[a]) where slotKind[s] == 0 {
                t.append(slotTask[s]); w.append(assignmentWorker[a]); l.append(slotLabel[s])
            }
        }
        return (t, w, l)
    }

    /// Toloka's fee for one suite, USD: ``SimulationSettings/feeRate`` × the reward, at least ``SimulationSettings/feeMinimum``.
    public var feePerAssignment: Double {
        max(scenario.simulation.feeRate * scenario.pool.rewardPerAssignment, scenario.simulation.feeMinimum)
    }
}
