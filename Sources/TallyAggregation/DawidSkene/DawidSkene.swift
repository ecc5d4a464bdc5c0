import TallyCore

/// Dawid-Skene: each worker has a confusion matrix, each task a latent true label; expectation
/// maximisation finds both.
///
/// A. P. Dawid and A. M. Skene, "Maximum Likelihood Estimation of Observer Error-Rates Using the
/// EM Algorithm", *Journal of the Royal Statistical Society C* 28(1), 1979.
///
/// With the default options this is crowd-kit 1.4.2's `DawidSkene`, step for step:
/// - Start from majority-vote shares (soft), golden tasks (``trueLabels``) set to one-hot; the
///   class prior is the plain mean of the posteriors; one M-step (the only one that applies
///   ``initialConfusions``).
/// - M-step: for each worker and each label the worker gave, `n[w,y,c] = Σ P[t,c]` over the
///   worker's answers `y`; clipped to ≥ 1e-10; each true-class column normalised over the labels
///   the worker gave.
/// - E-step in log space, max-shifted, then softmax; golden tasks back to one-hot.
/// - Stop when `ELBO_t/N − ELBO_{t−1}/N < tolerance` (signed), where the ELBO adds `log prior`
///   once per answer, as crowd-kit's does, and clips posteriors at 1e-10 for the entropy. At least
///   one iteration runs (unless `maxIterations` is 0).
/// - The reported probabilities and priors are floored at 1e-10 and not renormalised (crowd-kit
///   clips them in place while computing the ELBO).
///
/// Beyond crowd-kit, ``initialization`` can start EM from a spectral estimate of one-coin skills
/// instead of majority vote, and ``em`` chooses hard EM (each E-step's posterior replaced by the one-hot
/// argmax: classification EM, G. Celeux and G. Govaert, "A classification EM algorithm for
/// clustering and two stochastic versions", *Computational Statistics & Data Analysis* 14, 1992) or the hybrid of Fast Dawid-Skene (V. B. Sinha, S. Rao,
/// V. N. Balasubramanian, "Fast Dawid-Skene: A Fast Vote Aggregation Scheme for Sentiment
/// Classification", KDD WISDOM 2018, arXiv:1803.02781): soft EM until the class marginals move by
/// at most 0.005 in L1 between iterations, then hard EM.
///
/// ```swift
/// let answers = try AnswerReader.read("answers.tsv").table
/// let gold = try GoldReader.read("gold.tsv")
/// let model = try DawidSkene(maxIterations: 50, trueLabels: gold).fit(answers)
/// print("stopped after", model.iterations, "iterations; priors", model.priors)
/// let p = model.confusions[0, 1, 0]   // P(worker 0 answers label 1 | the truth is label 0)
/// ```
///
/// - Complexity: one pass over the answers per iteration (gather log-confusion rows, softmax,
///   scatter the posterior into the counts of the next M-step), plus O(workers × K²) for the
///   M-step and the ELBO, which comes from the counts (sufficient statistics) without a second pass.
public struct DawidSkene: Aggregator {
    /// Where EM starts.
    public enum Initialization: String, Sendable, CaseIterable {
        /// Majority-vote shares (crowd-kit).
        case majorityVote = "mv"
        /// One-coin skills from a rank-one fit of the workers' agreement rates (see
        /// `SpectralInitialization`).
        case spectral
    }

    /// How the E-step's posteriors are used.
    public enum EM: String, Sendable, CaseIterable {
        /// Soft posteriors (classic EM; crowd-kit).
        case soft
        /// One-hot at the argmax (classification EM).
        case hard
        /// Soft until the class marginals settle (L1 change ≤ 0.005), then hard (Fast Dawid-Skene).
        case hybrid
    }

    /// The most EM iterations (crowd-kit's `n_iter`, default 100); 0 returns the starting
    /// posteriors and the confusions of the first M-step.
    public var maxIterations: Int
    /// Stop when the per-answer ELBO grows by less than this (signed, so a decrease stops too;
    /// crowd-kit's `tol`, default 1e-5).
    public var tolerance: Double
    /// Golden tasks: their posteriors are one-hot at every step (crowd-kit's `true_labels`).
    public var trueLabels: GoldLabels?
    /// Confusion counts or matrices to start from (crowd-kit's `initial_error`), or a saved fit to
    /// resume from (``InitialConfusions/init(resuming:)``).
    public var initialConfusions: InitialConfusions?
    /// Soft (default, crowd-kit), hard or hybrid EM.
    public var em: EM
    /// Majority vote (default, crowd-kit) or a spectral start.
    public var initialization: Initialization
    /// Dirichlet pseudo-counts for a maximum a posteriori fit; `nil` (the default) is plain
    /// maximum likelihood, crowd-kit's.
    ///
    /// With pseudo-counts the M-step is `e[w,y,c] = (n[w,y,c] + a_yc) / Σ_y' (n[w,y',c] + a_y'c)`
    /// over every label (not only those the worker gave), `a_yc` being ``PseudoCounts/diagonal``
    /// when `y = c` and ``PseudoCounts/offDiagonal`` otherwise, and the class prior is
    /// `(Σ_t P[t,c] + b) / (T + K b)`: the mode of the posterior under Dirichlet(a + 1) and
    /// Dirichlet(b + 1) priors, and the same formulas as IBCC's posterior means of a Dirichlet(a)
    /// and Dirichlet(b). A worker with one answer then no longer gets a confusion column of exact
    /// zeros and ones. The loss adds the log-prior `Σ a ln e + b Σ ln π` (per answer).
    public var pseudoCounts: PseudoCounts?
    /// Called after every iteration with (iteration, loss).
    public var progress: (@Sendable (Int, Double) -> Void)?
    /// Threads, kernel choice and iteration timing.
    public var execution: ExecutionSettings

    /// Dirichlet pseudo-counts of the MAP fit (see ``DawidSkene/pseudoCounts``).
    public struct PseudoCounts: Sendable, Equatable {
        /// Added to `n[w, c, c]` (a right answer) in every confusion column.
        public var diagonal: Double
        /// Added to `n[w, y, c]`, `y ≠ c`.
        public var offDiagonal: Double
        /// Added to each class's posterior total in the class prior.
        public var classes: Double

        /// Pseudo-counts; each must be a finite number ≥ 0.
        public init(diagonal: Double, offDiagonal: Double, classes: Double) {
            self.diagonal = diagonal
            self.offDiagonal = offDiagonal
            self.classes = classes
        }

        /// Whether every pseudo-count is 0 (then the fit is plain maximum likelihood).
        public var isZero: Bool { diagonal == 0 && offDiagonal == 0 && classes == 0 }
    }

    /// A Dawid-Skene aggregator; the defaults are crowd-kit 1.4.2's.
    public init(
        maxIterations: Int = 100, tolerance: Double = 1e-5, trueLabels: GoldLabels? = nil,
        initialConfusions: InitialConfusions? = nil, em: EM = .soft, initialization: Initialization = .majorityVote,
        pseudoCounts: PseudoCounts? = nil,
        progress: (@Sendable (Int, Double) -> Void)? = nil, execution: ExecutionSettings = ExecutionSettings()
    ) {
        self.pseudoCounts = pseudoCounts
        self.execution = execution
        self.initialization = initialization
        self.maxIterations = maxIterations
        self.tolerance = tolerance
        self.trueLabels = trueLabels
        self.initialConfusions = initialConfusions
        self.em = em
        self.progress = progress
    }

    /// Runs EM until the stopping test or ``maxIterations``.
    ///
    /// - Throws: ``AggregationError`` when `maxIterations` is negative, a pseudo-count is negative
    ///   or not finite, or when
    ///   ``initialConfusions`` with ``InitialConfusions/Strategy/assign`` miss a (worker, label)
    ///   row the answers hold or give probabilities whose columns do not sum to 1. Cells naming
    ///   a worker or label the answers lack are ignored.
    public func fit(_ answers: AnswerTable) throws -> DawidSkeneModel {
        if let a = pseudoCounts {
            for (name, v) in [("diagonal", a.diagonal), ("off-diagonal", a.offDiagonal), ("class", a.classes)] {
                guard v.isFinite && v >= 0 else { throw AggregationError("ds: the \(name) pseudo-count must be a finite number ≥ 0, got \(v)") }
            }
        }
        let pseudoCounts = self.pseudoCounts.flatMap { $0.isZero ? nil : $0 }
        return try DawidSkeneEngine.fit(answers, mStep: .full, maxIterations: maxIterations, tolerance: tolerance, em: em,
                                 initial: initialConfusions, progress: progress, execution: execution) { engine in
            if let trueLabels { engine.clampGold(trueLabels.aligned(to: answers).labelOfTask) }
            if initialization == .spectral { engine.start = SpectralInitialization.posteriors(answers) }
            engine.pseudoCounts = pseudoCounts
        }
    }
}

/// A fitted Dawid-Skene model.
public struct DawidSkeneModel: FittedModel {
    /// Per task id, the label id with the highest posterior (ties to the first label).
    public let labels: [Int32]
    /// Posterior of every label for every task (floored at 1e-10 after at least one iteration).
    public let probabilities: ProbabilityMatrix
    /// The class prior, in label order.
    public let priors: [Double]
    /// Each worker's confusion matrix after the last M-step (crowd-kit's `errors_`).
    public let confusions: ConfusionMatrices
    /// `ELBO / N` after every iteration.
    public let lossHistory: [Double]
    /// One-coin skills (``OneCoinDawidSkene``); `nil` for the full model.
    public let skills: [Double]?
    /// Golden tasks whose label no worker gave (they could not be clamped).
    public let unusableGoldTasks: Int
    /// The first hard-EM iteration (hard and hybrid EM), counting from 1.
    public let firstHardIteration: Int?
    /// With a warm start (``InitialConfusions/init(resuming:)``), how many workers started from the
    /// saved model; `nil` without one.
    public let resumedWorkers: Int?
    /// With a warm start, the loss (ELBO per answer, as in ``lossHistory``) of the resumed
    /// parameters on these answers after the first E-step: the value the first iteration's gain is
    /// measured from. `lossHistory[0] - resumedLoss` is what the first M-step gained by refitting
    /// the saved parameters to the answers added since; `nil` without a warm start.
    public let resumedLoss: Double?

    /// EM iterations run.
    public var iterations: Int { lossHistory.count }
}
