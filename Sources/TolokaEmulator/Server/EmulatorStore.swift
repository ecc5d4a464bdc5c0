import Foundation
import TallyCore
import TallyQualityControl

/// What the emulated Toloka account holds: projects, pools with their tasks and assignments,
/// operations, the crowd's shared world, the id generators and the simulated clock.
///
/// The route handlers (`Server/Handlers/`) read and change it; it knows nothing of routing,
/// authentication, rate limits, faults or the journal. Every pool's crowd is simulated lazily, up
/// to the current simulated time before each request (``advanceAll()``), which makes a run depend
/// only on the seed, the crowd and the requests' timing. ``EmulatorState`` owns one store and
/// hands it one request at a time.
final class EmulatorStore {
    let configuration: EmulatorConfiguration
    let crowd: any Crowd
    var clock: EmulatorClock
    var world: World
    /// Ids that are part of the state (operations, collector uuids): replaying the journal gives the same ones.
    var rng: SplitMix64
    /// Seeds the `request_id`s the pipeline draws for every request (kept apart from ``rng``).
    let requestIDSeed: UInt64
    let requesterID: String
    let companyID: String

    var projects: [Int: ProjectRecord] = [:]
    var projectOrder: [Int] = []
    var pools: [Int: PoolRecord] = [:]
    var poolOrder: [Int] = []
    /// Task id → pool id.
    var taskPools: [String: Int] = [:]
    var assignmentPools: [String: Int] = [:]
    var operations: [String: OperationRecord] = [:]
    var operationOrder: [String] = []
    var nextProjectID: Int
    /// Skills by id, in creation order (`/api/v1/skills`).
    var skills: [String: SkillRecord] = [:]
    var skillOrder: [String] = []
    var nextSkillID: Int
    /// Task suites by id, in creation order (`/api/v1/task-suites`).
    var taskSuites: [String: TaskSuiteRecord] = [:]
    var taskSuiteOrder: [String] = []
    var nextPoolID: Int
    /// Notes logged so far (each once), in order.
    var notes: [String] = []
    /// Results of `aggregate-by-pool` operations, by operation id (task id order).
    var aggregatedSolutions: [String: [JSONValue]] = [:]

    init(_ configuration: EmulatorConfiguration, now: @escaping @Sendable () -> Double) throws(EmulatorConfigurationError) {
        self.configuration = configuration
        if let c = configuration.crowd { crowd = c } else { crowd = try OneCoinCrowd(seed: configuration.seed) }
        clock = EmulatorClock(speed: configuration.speed, lag: configuration.clockLag, realNow: now)
        world = World(workers: crowd.workers, seed: configuration.seed)
        var g = SplitMix64(seed: mixSeed(configuration.seed, 99))
        requesterID = g.hex(32)
        companyID = g.hex(32)
        nextProjectID = 100_000 + Int(g.next() % 10_000)
        nextPoolID = 36_000_000 + Int(g.next() % 1_000_000)
        requestIDSeed = g.next()
        rng = g
        // Not drawn from `g`, so that the ids above stay what they were before skills existed.
        nextSkillID = 40_000 + Int(mixSeed(configuration.seed, 98) % 10_000)
    }

    /// Logs `line` through ``EmulatorConfiguration/log`` unless it was logged before.
    func note(_ line: String) {
        guard !notes.contains(line) else { return }
        notes.append(line)
        configuration.log?(line)
    }

    /// Simulates every pool with pending events up to now (instant mode: 30 simulated days ahead).
    func advanceAll() {
        let target = clock.simulationTarget()
        for id in poolOrder {
            let pool = pools[id]!
            if pool.hasPendingEvents { pool.advance(to: target, world: &world) }
        }
    }

    // MARK: - Shared pieces

    var owner: JSONValue { ["id": .string(requesterID), "myself": true, "company_id": .string(companyID)] }

    /// `GET /api/v1/requester`.
    func requester() -> JSONValue {
        ["id": .string(requesterID), "balance": .double(configuration.balance), "public_name": ["EN": "Tally Emulator"],
         "company": ["id": .string(companyID), "superintendent_id": .string(requesterID)]]
    }

    /// Reads an id path component or query value that must name an integer object (projects, pools).
    func numericID(_ s: String) -> Int? { Int(s).flatMap { $0 > 0 ? $0 : nil } }

    func project(_ id: String) throws -> ProjectRecord {
        guard let n = numericID(id), let p = projects[n] else { throw APIError.notFound("Project", id) }
        return p
    }

    func pool(_ id: String) throws -> PoolRecord {
        guard let n = numericID(id), let p = pools[n] else { throw APIError.notFound("Pool", id) }
        return p
    }

    func newOperation(type: String, parameters: JSONValue, details: JSONValue?, outcome: String = "SUCCESS", log: [JSONValue] = [], id: String? = nil) -> OperationRecord {
        let op = OperationRecord(id: id ?? rng.uuid(), type: type, parameters: parameters, details: details, submitted: clock.now(),
                                 submittedReal: clock.realNow(), outcome: outcome, log: log)
        operations[op.id] = op
        operationOrder.append(op.id)
        pruneOperations()
        return op
    }

    /// At most this many `ANALYTICS` operations are kept (the oldest go first), so that a client
    /// polling analytics forever does not grow the emulator without bound. Other operations are kept.
    static let analyticsOperationsKept = 10_000

    func pruneOperations() {
        guard operationOrder.count > Self.analyticsOperationsKept + Self.analyticsOperationsKept / 5 else { return }
        var analytics = operationOrder.lazy.filter { self.operations[$0]?.type == "ANALYTICS" }.count
        guard analytics > Self.analyticsOperationsKept else { return }
        var kept: [String] = []
        kept.reserveCapacity(operationOrder.count)
        for id in operationOrder {
            if analytics > Self.analyticsOperationsKept, operations[id]?.type == "ANALYTICS" {
                operations[id] = nil
                analytics -= 1
            } else {
                kept.append(id)
            }
        }
        operationOrder = kept
    }
}
