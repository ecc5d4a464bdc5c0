import Foundation
import Synchronization
import TallyCore
import TallySimulation

/// A `TallySimulation` scenario's crowd working in the emulator's pools: the worker types,
/// parameters, arrivals, sessions, suite times, answers and class prior of `tally simulate`, drawn by
/// the same code (the simulator's crowd model and arrival process).
///
/// * **Roster**: `crowd.max_workers` Tolokers (at most ``maximumRoster``; the emulator shares one set
///   of Tolokers among its pools, so that bans reach across pools), each drawn once from the seed as
///   `tally simulate` draws an arriving worker: a type by share, the type's parameters, a median time
///   per task. Scenarios have no profiles: every Toloker speaks `EN` and uses `BROWSER`.
/// * **Arrivals** (per pool): the scenario's Poisson process of `arrivals_per_hour` with its diurnal
///   modulation, on the UTC hour of the simulated clock. Each arrival is the next Toloker of a
///   shuffled roster; when all have come, a reshuffled round starts (`tally simulate` draws a new
///   worker per arrival; here the roster's Tolokers come back).
/// * **Sessions**: a Toloker who arrives outside a session plans a number of suites (`activity`) and
///   may leave after the first (`first_visit_dropout`); between suites an exponential pause of mean
///   `gap_seconds`; the session ends when the plan is done. A Toloker who gets no suite (restricted,
///   filtered out, nothing left) stays in the session and tries again at the next arrival.
/// * **Suite time**: lognormal around the Toloker's median × tasks (`response_time`, speed-ups).
/// * **Answers**: every worker model of the scenario. A task's GLAD β or discrete difficulty is drawn
///   from the seed and the task's key (control tasks have none, as in `tally simulate`); a colluding
///   group answers the same per (group, task key); golden detectors recognise control tasks.
/// * **Label model** (``trueLabel(forTask:options:)``): a general task with no `--truth` label gets one
///   drawn from `tasks.prior` (uniform when absent) by a stream seeded with the seed and the task's key.
/// * **Labels vs the pool's options**: when a pool's answer options are among the scenario's labels
///   (or there are none yet) the scenario's labels are used by name. Otherwise the pool's options are
///   the answer space and ``labelNote(options:)`` says how they are matched: a superset keeps the
///   scenario's labels by name (the extra options get prior 0); the same number of different labels
///   are matched by position; different numbers give a uniform prior, fixed answers by name or
///   position, and confusion-matrix workers answer as one-coin workers of their expected accuracy.
///
/// Not emulated: `skip_probability` (Tolokers never skip), and the scenario's `tasks` (except `prior`
/// and `difficulty`), `pool` and `simulation` sections: pools, tasks, mixers and rules come from the API.
/// ``notes`` lists what was ignored.
public struct ScenarioCrowd: Crowd {
    /// The largest roster (the emulator and every pool keep per-Toloker state).
    public static let maximumRoster = 1000

    /// The scenario whose crowd this is.
    public let scenario: Scenario
    /// The roster: one ``CrowdWorker`` per drawn Toloker (accuracy: the expected accuracy; nil for
    /// types that answer general tasks uniformly).
    public let workers: [CrowdWorker]
    /// Lines for the log: the roster, and what of the scenario the emulator does not use.
    public let notes: [String]

    let seed: UInt64
    var model: CrowdModel
    let roster: [SimulatedWorker]
    let arrivals: ArrivalProcess
    var rng: SimulationRandom
    /// This round's arrival order, and how far it has got.
    var order: [Int] = []
    var cursor = 0
    var sessions: [Session]
    /// The answer space of the last options asked about.
    var cache: (options: [String], space: LabelSpace)?
    /// The label space ``trueLabel(forTask:options:)`` last used (it is called once per uploaded task,
    /// and is not mutating); copies made by ``forPool(seed:)`` share it.
    let truthSpace = LabelSpaceCache()

    struct Session {
        var active = false
        var done = 0
        var planned = 0
        var dropout = false
    }

    /// Draws the roster.
    ///
    /// - Parameters:
    ///   - seed: seeds the roster, the label model and task difficulties (`--seed`).
    ///   - rosterSize: Tolokers in the roster; nil = `crowd.max_workers`, at most ``maximumRoster``.
    /// - Throws: ``EmulatorConfigurationError`` for a roster size outside 1…1000000.
    public init(_ scenario: Scenario, seed: UInt64, rosterSize: Int? = nil) throws(EmulatorConfigurationError) {
        let size = rosterSize ?? min(scenario.crowd.maxWorkers, Self.maximumRoster)
        guard size >= 1, size <= 1_000_000 else { throw EmulatorConfigurationError("crowd: a roster of 1…1000000 Tolokers, got \(size)") }
        self.scenario = scenario
        self.seed = seed
        var model = CrowdModel(scenario, seed: seed)
        var g = SimulationRandom(seed: SimulationRandom.hash(seed, 5, 0))
        var ids = SplitMix64(seed: mixSeed(seed, 0x5CE7A210))
        var roster: [SimulatedWorker] = []
        var workers: [CrowdWorker] = []
        for _ in 0..<size {
            let w = model.drawWorker(&g)
            roster.append(w)
            let type = scenario.crowd.types[w.type]
            let accuracy: Double?
            switch type.model {
            case .uniformSpammer, .fastCheater, .goldenDetector: accuracy = nil  // uniform on general tasks
            default: accuracy = CrowdModel.expectedAccuracy(type.model, parameter: w.parameter, fixed: w.fixed, scenario: scenario)
            }
            workers.append(CrowdWorker(id: ids.hex(32), kind: type.name, accuracy: accuracy, languages: ["EN"], clientType: "BROWSER"))
        }
        self.model = model
        self.roster = roster
        self.workers = workers
        arrivals = ArrivalProcess(scenario.crowd, epochSeconds: 0)
        rng = SimulationRandom(seed: SimulationRandom.hash(seed, 6, 0))
        sessions = Array(repeating: Session(), count: size)

        var counts: [String: Int] = [:]
        for w in workers { counts[w.kind, default: 0] += 1 }
        let mix = scenario.crowd.types.map(\.name).reduce(into: [String]()) { if !$0.contains($1) { $0.append($1) } }
            .map { "\(counts[$0] ?? 0) \($0)" }.joined(separator: ", ")
        var notes = ["crowd: scenario \"\(scenario.name)\": \(size) Tolokers (\(mix)), labels \(scenario.labels.joined(separator: ", ")), \(Self.number(scenario.crowd.arrivalsPerHour)) arrivals per hour per pool"]
        notes.append("crowd: the scenario's crowd, tasks.prior and tasks.difficulty are used; its other task settings (count, golden_count, golden_prior, training_count), pool and simulation sections are ignored: pools, tasks, mixers and quality control come from the API")
        if scenario.crowd.skipProbability > 0 { notes.append("crowd: crowd.skip_probability is not emulated (Tolokers never skip a suite)") }
        if rosterSize == nil, scenario.crowd.maxWorkers > Self.maximumRoster {
            notes.append("crowd: crowd.max_workers \(scenario.crowd.maxWorkers) is more than the emulator keeps; the roster has \(Self.maximumRoster) Tolokers, who come back in later rounds")
        }
        self.notes = notes + scenario.warnings.map { "crowd: scenario: \($0)" }
    }

    static func number(_ x: Double) -> String { x == x.rounded() && abs(x) < 1e15 ? String(Int(x)) : String(x) }

    /// The same roster with a re-seeded stream and no session under way.
    public func forPool(seed: UInt64) -> any Crowd {
        var copy = self
        copy.rng = SimulationRandom(seed: seed)
        copy.order = []
        copy.cursor = 0
        copy.sessions = Array(repeating: Session(), count: roster.count)
        return copy
    }

    /// The scenario's (diurnal) Poisson arrivals; each is the next Toloker of a shuffled roster, who starts
    /// a session (planned suites, dropout) when not in one.
    public mutating func nextArrival(after time: Double) -> (time: Double, worker: Int) {
        let t = arrivals.next(after: time * 1000, &rng) / 1000
        if cursor == order.count {
            order = Array(0..<roster.count)
            rng.shuffle(&order, 0..<order.count)
            cursor = 0
        }
        let w = order[cursor]
        cursor += 1
        if !sessions[w].active {
            let (planned, dropout) = model.drawSession(&rng)
            sessions[w] = Session(active: true, done: 0, planned: max(1, planned), dropout: dropout)
        }
        return (max(t, time), w)
    }

    /// Lognormal seconds around the Toloker's median × `tasks` (at least 1 ms).
    public mutating func suiteDuration(worker: Int, tasks: Int) -> Double {
        max(0.001, model.suiteSeconds(logMedian: roster[worker].logMedian, logTasks: Foundation.log(Double(max(tasks, 1))), &rng))
    }

    /// The answer of the Toloker's worker model over the answer space of `options` (see the type's discussion).
    public mutating func answer(worker: Int, task: CrowdTask, options: [String]) -> String {
        let space: LabelSpace
        if let c = cache, c.options == options {
            space = c.space
        } else {
            space = LabelSpace(scenario: scenario.labels, prior: model.prior, options: options)
            cache = (options, space)
        }
        let k = space.labels.count
        guard k >= 2, let t = space.labels.firstIndex(of: task.truth) else { return task.truth }
        let w = roster[worker]
        var code = w.code, fixed = w.fixed, truth = Int32(t), labelCount = k
        var fromScenario = false
        switch code {
        case ModelCode.fixedAnswer:
            fixed = Int32(space.fromScenario[Int(fixed)])
        case ModelCode.adversarial:
            fixed = Int32(1 + (Int(fixed) - 1) % (k - 1))
        case ModelCode.confusion:
            if space.confusionUsable, let s = space.toScenario[t] {
                truth = Int32(s)
                labelCount = model.k
                fromScenario = true
            } else {
                code = ModelCode.oneCoin  // its parameter is its expected accuracy
            }
        default:
            break
        }
        var difficulty: UInt8 = 0, beta = 1.0
        if !task.isControl, scenario.tasks.difficulty != .none {
            var r = SimulationRandom(seed: SimulationRandom.hash(seed, 4, task.key))
            beta = scenario.tasks.difficulty.drawBeta(&r)
            difficulty = scenario.tasks.difficulty.drawKind(&r)
        }
        let a = model.answer(code: code, parameter: w.parameter, fixed: fixed, confusion: w.confusion, kind: task.isControl ? 1 : 0,
                             key: task.key, truth: truth, difficulty: difficulty, beta: beta, k: labelCount, &rng)
        return space.labels[fromScenario ? space.fromScenario[Int(a)] : Int(a)]
    }

    /// An exponential pause of mean `gap_seconds`, or nil when the session's plan is done or the Toloker drops out.
    public mutating func pauseBeforeNextSuite(worker: Int) -> Double? {
        sessions[worker].done += 1
        if sessions[worker].done >= sessions[worker].planned || sessions[worker].dropout {
            sessions[worker].active = false
            return nil
        }
        return rng.exponential(rate: model.gapRate)
    }

    /// The label model: `tasks.prior` over the answer space, drawn from a stream seeded with the seed and `key`.
    public func trueLabel(forTask key: UInt64, options: [String]) -> String? {
        let space = truthSpace.space(for: options) {
            LabelSpace(scenario: scenario.labels, prior: model.prior, options: options)
        }
        var r = SimulationRandom(seed: SimulationRandom.hash(seed, 3, key))
        return space.labels[Int(drawCategory(space.prior, &r))]
    }

    /// How the scenario's labels are matched to `options`, when they differ.
    public func labelNote(options: [String]) -> String? {
        LabelSpace(scenario: scenario.labels, prior: model.prior, options: options).note
    }
}

/// The last ``LabelSpace`` built, by the options it was built for.
final class LabelSpaceCache: Sendable {
    private let last = Mutex<(options: [String], space: LabelSpace)?>(nil)

    func space(for options: [String], make: () -> LabelSpace) -> LabelSpace {
        last.withLock { last in
            if let c = last, c.options == options { return c.space }
            let space = make()
            last = (options, space)
            return space
        }
    }
}

/// How a scenario's labels map onto a pool's answer options.
struct LabelSpace: Sendable {
    /// The answer space: worker models answer with indices into it.
    var labels: [String]
    /// Scenario label index → index in ``labels``.
    var fromScenario: [Int]
    /// Index in ``labels`` → scenario label index, where there is one.
    var toScenario: [Int?]
    /// The class prior over ``labels``.
    var prior: [Double]
    /// Whether confusion matrices (K × K over the scenario's labels) apply.
    var confusionUsable: Bool
    /// How the two were matched, when they differ.
    var note: String?

    init(scenario: [String], prior scenarioPrior: [Double], options: [String]) {
        let list = { (a: [String]) in "[" + a.joined(separator: ", ") + "]" }
        if Set(options).isSubset(of: scenario) {
            labels = scenario
            fromScenario = Array(scenario.indices)
            toScenario = scenario.indices.map { $0 }
            prior = scenarioPrior
            confusionUsable = true
            note = nil
        } else if Set(scenario).isSubset(of: options) {
            labels = options
            fromScenario = scenario.map { options.firstIndex(of: $0)! }
            toScenario = options.map { scenario.firstIndex(of: $0) }
            prior = Array(repeating: 0, count: options.count)
            for (i, j) in fromScenario.enumerated() { prior[j] = scenarioPrior[i] }
            confusionUsable = true
            let extra = options.filter { !scenario.contains($0) }
            note = "the answer options \(list(options)) include \(list(extra)), which the crowd scenario's labels \(list(scenario)) do not: no real task gets them as its truth, and the Tolokers' models answer over all the options"
        } else if options.count == scenario.count {
            labels = options
            fromScenario = Array(scenario.indices)
            toScenario = options.indices.map { $0 }
            prior = scenarioPrior
            confusionUsable = true
            note = "the crowd scenario's labels \(list(scenario)) are not the answer options \(list(options)); they are matched by position (\(zip(scenario, options).map { "\($0) = \($1)" }.joined(separator: ", "))) for the prior, fixed answers and confusion matrices"
        } else {
            labels = options
            fromScenario = scenario.enumerated().map { i, l in options.firstIndex(of: l) ?? i % options.count }
            toScenario = options.map { _ in nil }
            prior = Array(repeating: 1 / Double(options.count), count: options.count)
            confusionUsable = false
            note = "the crowd scenario has \(scenario.count) labels \(list(scenario)) and the pool \(options.count) answer options \(list(options)): real tasks' truths are drawn uniformly among the options, fixed answers are matched by name or position, and confusion-matrix Tolokers answer as one-coin Tolokers of their expected accuracy"
        }
    }
}
