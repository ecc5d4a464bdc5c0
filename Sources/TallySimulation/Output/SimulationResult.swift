import Foundation
import TallyQualityControl

/// What a run produced: every assignment and answer, the true parameters, the quality-control log and a summary.
///
/// Ids are dense integers; ``taskName(_:kind:)`` and ``workerName(_:)`` give the names the files use.
public struct SimulationResult: Sendable {
    public let scenario: Scenario
    public let seed: UInt64
    /// Every action the pool's rules took, in the order taken (engine worker ids = simulator worker ids).
    public let actions: [QualityControlAction]
    public let closeReason: PoolCloseReason
    /// Milliseconds from the start to the pool's closing (nil if it never closed).
    public let closeMilliseconds: Int64?

    // General tasks.
    public let taskLabels: [Int32]
    public let taskBetas: [Double]
    public let taskDifficulty: [UInt8]
    public let taskOverlap: [Int32]
    public let taskResolvedMilliseconds: [Int64]
    public let goldenLabels: [Int32]
    public let trainingLabels: [Int32]

    // Workers.
    public let workerType: [Int32]
    public let workerParameter: [Double]
    let workerFixed: [Int32]
    public let workerLogMedian: [Double]
    public let workerPlanned: [Int32]
    public let workerArrivalMilliseconds: [Int64]
    public let workerLeftMilliseconds: [Int64]
    /// When the worker was first restricted (-1: never).
    public let workerFirstBanMilliseconds: [Int64]

    // Assignments, in issue order.
    public let assignmentWorker: [Int32]
    public let assignmentStart: [Int64]
    public let assignmentEnd: [Int64]
    public let assignmentStatus: [AssignmentStatus]
    public let assignmentReview: [Int64]
    public let assignmentSlotStart: [Int32]
    public let assignmentSlotCount: [UInt8]

    // Slots: one task of one assignment, page order.
    /// 0 general, 1 control, 2 training.
    public let slotKind: [UInt8]
    public let slotTask: [Int32]
    public let slotLabel: [Int32]

    init(_ s: Simulation) {
        scenario = s.scenario
        seed = s.seed
        actions = s.engine.actions
        closeReason = s.closeReason
        closeMilliseconds = s.closeMs >= 0 ? s.closeMs : nil
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

    public var assignmentCount: Int { assignmentWorker.count }
    public var workerCount: Int { workerType.count }

    /// `task-000001` (general), `golden-0001`, `training-0001`.
    public func taskName(_ task: Int32, kind: UInt8 = 0) -> String {
        let n = Int(task) + 1
        switch kind {
        case 0: return "task-" + padded(n, taskLabels.count)
        case 1: return "golden-" + padded(n, goldenLabels.count)
        default: return "training-" + padded(n, trainingLabels.count)
        }
    }

    /// `worker-00001`.
    public func workerName(_ w: Int32) -> String { "worker-" + padded(Int(w) + 1, max(99_999, workerCount)) }

    public func assignmentName(_ a: Int) -> String { "assignment-" + padded(a + 1, max(999_999, assignmentCount)) }

    private func padded(_ n: Int, _ top: Int) -> String {
        let s = String(n), width = String(max(top, 9)).count
        return s.count >= width ? s : String(repeating: "0", count: width - s.count) + s
    }

    /// The worker type's model.
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

    /// Toloka's fee for one suite.
    public var feePerAssignment: Double {
        max(scenario.simulation.feeRate * scenario.pool.rewardPerAssignment, scenario.simulation.feeMinimum)
    }
}
