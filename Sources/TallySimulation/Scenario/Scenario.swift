import Foundation
import TallyCore
import TallyQualityControl

/// Everything a simulation run needs: labels, tasks, the crowd, the pool and run settings.
///
/// Read one from JSON with ``Scenario/decode(_:)`` or ``Scenario/read(path:)`` (the format is
/// documented there); every field can also be changed in code before ``PoolSimulator/run(_:seed:)``.
public struct Scenario: Sendable, Equatable {
    /// A name for reports.
    public var name: String
    /// The answer options, in order (`OUTPUT:result` values).
    public var labels: [String]
    /// How many general, control and training tasks there are, their class prior and difficulty (`tasks`).
    public var tasks: TaskSettings
    /// The workers: arrivals, activity, response times and worker types (`crowd`).
    public var crowd: CrowdSettings
    /// Toloka's pool settings: reward, overlap, mixer, quality-control rules (`pool`).
    public var pool: PoolSettings
    /// Settings of the run itself: clock, fees, what counts as good (`simulation`).
    public var simulation: SimulationSettings
    /// Pool fields that were read but are not simulated (e.g. `filter`), one line each.
    public var warnings: [String] = []

    /// A scenario built in code; call ``validate()`` (or let ``PoolSimulator/run(_:seed:)`` do it) to check it.
    public init(name: String, labels: [String], tasks: TaskSettings, crowd: CrowdSettings, pool: PoolSettings, simulation: SimulationSettings = SimulationSettings()) {
        self.name = name
        self.labels = labels
        self.tasks = tasks
        self.crowd = crowd
        self.pool = pool
        self.simulation = simulation
    }
}

/// A number fixed for everyone, or drawn per worker (or task) from a distribution.
public enum ParameterDistribution: Sendable, Equatable {
    /// The same value every time.
    case fixed(Double)
    /// Uniform between the two bounds.
    case uniform(Double, Double)
    /// Beta(α, β), in 0…1.
    case beta(Double, Double)
    /// Normal with this mean and standard deviation.
    case normal(mean: Double, sd: Double)
    /// exp of a normal(μ, σ).
    case lognormal(mu: Double, sigma: Double)

    /// One draw.
    func draw(_ rng: inout SimulationRandom) -> Double {
        switch self {
        case .fixed(let v): return v
        case .uniform(let a, let b): return a + (b - a) * rng.uniform()
        case .beta(let a, let b): return rng.beta(a, b)
        case .normal(let m, let s): return rng.normal(mean: m, sd: s)
        case .lognormal(let m, let s): return rng.lognormal(mu: m, sigma: s)
        }
    }

    /// The distribution's mean.
    public var mean: Double {
        switch self {
        case .fixed(let v): return v
        case .uniform(let a, let b): return (a + b) / 2
        case .beta(let a, let b): return a / (a + b)
        case .normal(let m, _): return m
        case .lognormal(let m, let s): return Foundation.exp(m + s * s / 2)
        }
    }
}

/// The tasks: general (real) tasks, control (golden) tasks and training tasks.
public struct TaskSettings: Sendable, Equatable {
    /// Number of general tasks.
    public var count: Int
    /// Class prior of general tasks (nil: uniform).
    public var prior: [Double]?
    /// Number of control tasks (infinite overlap).
    public var goldenCount: Int
    /// Class prior of control tasks (nil: the general prior).
    public var goldenPrior: [Double]?
    /// Number of training tasks (infinite overlap, exported with a hint).
    public var trainingCount: Int
    /// How hard general tasks are (default ``Difficulty/none``).
    public var difficulty: Difficulty

    /// Task settings; only the number of general tasks is required.
    public init(count: Int, prior: [Double]? = nil, goldenCount: Int = 0, goldenPrior: [Double]? = nil, trainingCount: Int = 0, difficulty: Difficulty = .none) {
        self.count = count
        self.prior = prior
        self.goldenCount = goldenCount
        self.goldenPrior = goldenPrior
        self.trainingCount = trainingCount
        self.difficulty = difficulty
    }

    /// How hard tasks are.
    public enum Difficulty: Sendable, Equatable {
        /// Every task is answered by the worker's own model.
        case none
        /// GLAD: each task draws `ln β ~ N(mean, sd)`; a GLAD worker is right with probability σ(α β).
        /// Other honest workers are unaffected.
        case glad(logBetaMean: Double, logBetaSD: Double)
        /// peerannot's discrete difficulty: easy tasks are answered right by every honest worker,
        /// hard ones go through the worker's model, impossible ones get a uniform answer. Shares sum to 1.
        case discrete(easy: Double, hard: Double, impossible: Double)
    }
}

/// One kind of worker and its share of arrivals.
public struct WorkerType: Sendable, Equatable {
    /// Label for reports (`one_coin`, …, or the scenario's `name`).
    public var name: String
    /// Relative share of arriving workers.
    public var share: Double
    /// How workers of this type answer.
    public var model: Model
    /// Response-time speed-up: the worker's median time is divided by this.
    public var speedup: Double

    /// A worker type; `name` defaults to the model's ``Model/kindName``, `speedup` to 10 for
    /// ``Model/fastCheater`` and 1 otherwise.
    public init(name: String? = nil, share: Double, _ model: Model, speedup: Double? = nil) {
        self.name = name ?? model.kindName
        self.share = share
        self.model = model
        self.speedup = speedup ?? (model == .fastCheater ? 10 : 1)
    }

    /// How a worker of this type answers.
    public enum Model: Sendable, Equatable {
        /// Right with probability `accuracy`, otherwise uniform over the other labels.
        case oneCoin(accuracy: ParameterDistribution)
        /// A full confusion matrix: each row `Dirichlet(concentration)` plus `diagonal` on the true
        /// label; `dominant` swaps the row maximum onto the diagonal (peerannot).
        case confusion(concentration: Double, diagonal: Double, dominant: Bool)
        /// GLAD: right with probability σ(α β_task).
        case glad(ability: ParameterDistribution)
        /// Uniform random answers.
        case uniformSpammer
        /// Always the same label (`label`, or one drawn uniformly per worker).
        case fixedAnswer(label: Int?)
        /// Gives a fixed wrong label `π(true)` (a random derangement per worker) with probability
        /// `strength`, otherwise a uniform answer.
        case adversarial(strength: ParameterDistribution)
        /// Members (consecutive arrivals of this type, `groupSize` each) all copy their group
        /// leader's answer, a one-coin(`accuracy`) draw fixed per group and task.
        case colluding(groupSize: Int, accuracy: ParameterDistribution)
        /// Recognises control tasks (probability `detection` each) and answers them right; answers
        /// everything else uniformly at random.
        case goldenDetector(detection: ParameterDistribution)
        /// A uniform spammer who answers fast (default speed-up 10).
        case fastCheater

        /// The model's name in scenario files (`type`) and in workers.tsv: `one_coin`, `confusion`, `glad`, …
        public var kindName: String {
            switch self {
            case .oneCoin: return "one_coin"
            case .confusion: return "confusion"
            case .glad: return "glad"
            case .uniformSpammer: return "uniform_spammer"
            case .fixedAnswer: return "fixed_answer"
            case .adversarial: return "adversarial"
            case .colluding: return "colluding"
            case .goldenDetector: return "golden_detector"
            case .fastCheater: return "fast_cheater"
            }
        }

        /// Whether answers of this type count as spam (for the spam leak rate).
        public var isSpammer: Bool {
            switch self {
            case .uniformSpammer, .fixedAnswer, .adversarial, .goldenDetector, .fastCheater: return true
            default: return false
            }
        }
    }
}

/// Who comes, how much they do, and how fast.
public struct CrowdSettings: Sendable, Equatable {
    /// Mean arrivals of new workers per hour (Poisson process).
    public var arrivalsPerHour: Double
    /// Diurnal modulation: rate × (1 + amplitude · cos(2π (hour − peakHour) / 24)), 0 ≤ amplitude ≤ 1.
    public var diurnalAmplitude: Double = 0
    /// The UTC hour (0…24) at which arrivals peak (default 15).
    public var peakHour: Double = 15
    /// Suites a worker means to do (heavy-tailed).
    public var activity: Activity = .pareto(alpha: 1.2, minimum: 1, maximum: 1000)
    /// Probability that a worker leaves after the first suite.
    public var firstVisitDropout: Double = 0
    /// Median seconds per task of a suite (per worker, before the type's speed-up).
    public var medianSecondsPerTask: Double = 5
    /// Lognormal σ of one suite's time around the worker's median.
    public var responseSigma: Double = 0.5
    /// Lognormal σ of workers' medians around `medianSecondsPerTask`.
    public var workerSigma: Double = 0.3
    /// Mean pause between a worker's suites (exponential), seconds.
    public var gapSeconds: Double = 5
    /// Probability that a worker skips an issued suite.
    public var skipProbability: Double = 0
    /// Stop arrivals after this many workers.
    public var maxWorkers: Int = 1_000_000
    /// The kinds of worker and their shares (at least one).
    public var types: [WorkerType]

    /// Crowd settings with the defaults above; only the arrival rate and the worker types are required.
    public init(arrivalsPerHour: Double, types: [WorkerType]) {
        self.arrivalsPerHour = arrivalsPerHour
        self.types = types
    }

    /// The distribution of suites per worker.
    public enum Activity: Sendable, Equatable {
        /// ⌊minimum · U^{−1/α}⌋ capped at `maximum` (a discrete Pareto / Zipf-like law).
        case pareto(alpha: Double, minimum: Double, maximum: Int)
        /// ⌈lognormal(μ, σ)⌉ capped at `maximum`.
        case lognormal(mu: Double, sigma: Double, maximum: Int)
        /// Geometric with the given mean.
        case geometric(mean: Double, maximum: Int)
        /// Everyone does the same number.
        case fixed(Int)
    }
}

/// The pool: Toloka's own pool settings, with Toloka's field names.
public struct PoolSettings: Sendable, Equatable {
    /// `reward_per_assignment`, USD per suite.
    public var rewardPerAssignment: Double
    /// `assignment_max_duration_seconds`: an unsubmitted suite expires after this.
    public var assignmentMaxDurationSeconds: Int
    /// `defaults.default_overlap_for_new_tasks` (or `…_task_suites`).
    public var overlap: Int
    /// `dynamic_overlap_config`: grow overlap up to `maxOverlap` until the confidence reaches `minConfidence`.
    public var dynamicOverlap: DynamicOverlap?
    /// `mixer_config`: the tasks of each kind in one suite.
    public var mixer: Mixer
    /// `quality_control`: the pool's rules (collectors, conditions, actions), run as the pool works.
    public var qualityControl: QualityControl
    /// `auto_accept_solutions` (default true).
    public var autoAccept: Bool = true
    /// `auto_accept_period_day` (manual review: unreviewed suites are accepted after this).
    public var autoAcceptPeriodDays: Int = 14
    /// `will_expire`, as seconds after the simulation's start; nil: ``SimulationSettings/maxDurationSeconds``.
    public var willExpireSeconds: Double?
    /// Pool fields kept for pool.json but not simulated (`project_id`, `private_name`, `filter`, …).
    var passthrough: [String: JSONValue] = [:]

    /// Pool settings; `qualityControl` defaults to no rules.
    public init(rewardPerAssignment: Double, assignmentMaxDurationSeconds: Int, overlap: Int, mixer: Mixer, qualityControl: QualityControl = QualityControl(configs: [])) {
        self.rewardPerAssignment = rewardPerAssignment
        self.assignmentMaxDurationSeconds = assignmentMaxDurationSeconds
        self.overlap = overlap
        self.mixer = mixer
        self.qualityControl = qualityControl
    }

    /// `mixer_config` (the one ``TallySimulation/Mixer`` type, shared with the Toloka emulator).
    public typealias Mixer = TallySimulation.Mixer

    /// `dynamic_overlap_config` (type `BASIC`): when a task reaches its overlap and the confidence in
    /// its leading answer is below `minConfidence`, the overlap grows by one, up to `maxOverlap`.
    public struct DynamicOverlap: Sendable, Equatable {
        /// `max_overlap`: the largest overlap a task may grow to.
        public var maxOverlap: Int
        /// EPS, 0…1.
        public var minConfidence: Double
        /// A `BASIC` dynamic overlap configuration.
        public init(maxOverlap: Int, minConfidence: Double) {
            self.maxOverlap = maxOverlap
            self.minConfidence = minConfidence
        }
    }
}

/// Settings of the run itself.
public struct SimulationSettings: Sendable, Equatable {
    /// The clock's zero, Unix seconds (default 2024-01-01T00:00:00 UTC).
    public var startEpochSeconds: Int64 = 1_704_067_200
    /// The pool closes (EXPIRED) this long after the start unless `will_expire` says otherwise. Default 30 days.
    public var maxDurationSeconds: Double = 30 * 86_400
    /// Toloka's fee as a share of the reward (default 0.3) …
    public var feeRate: Double = 0.3
    /// … but at least this per suite (default $0.005).
    public var feeMinimum: Double = 0.005
    /// Leave answers of workers banned during the run out of the accepted data (like the export's `excludeBanned`).
    public var excludeBanned: Bool = false
    /// A worker is "good" when its expected accuracy on general tasks is at least this (false-ban rate).
    public var goodAccuracy: Double = 0.75
    /// K in dynamic overlap's q = (K + correct) / (2K + total).
    public var dynamicOverlapSmoothing: Double = 1

    /// The defaults above.
    public init() {}
}
