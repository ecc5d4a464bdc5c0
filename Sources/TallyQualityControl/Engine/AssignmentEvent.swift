/// One thing that happened to a Toloker's assignment, as the quality-control engine sees it.
///
/// Events are fed to ``QualityControlEngine`` in time order. Times are seconds on any clock
/// (a simulation's, or Unix time in a replay); workers are dense `Int32` ids (a replay keeps the
/// names, see ``TolokaExportEvents``). The value holds no references, so making one allocates nothing.
public struct AssignmentEvent: Sendable, Equatable {
    /// When it happened, in seconds.
    public var time: Double
    /// The Toloker.
    public var worker: Int32
    /// What happened.
    public var kind: Kind

    /// An event of `kind` for `worker` at `time`.
    public init(time: Double, worker: Int32, _ kind: Kind) {
        self.time = time
        self.worker = worker
        self.kind = kind
    }

    /// What happened, with the facts the collectors need.
    public enum Kind: Sendable, Equatable {
        /// The Toloker submitted a suite (GOLDEN_SET, ASSIGNMENT_SUBMIT_TIME, ANSWER_COUNT; resets SKIPPED_IN_ROW).
        case submitted(Submission)
        /// A submitted suite was accepted (ACCEPTANCE_RATE).
        case accepted
        /// A submitted suite was rejected (ACCEPTANCE_RATE).
        case rejected
        /// The Toloker skipped a suite (SKIPPED_IN_ROW_ASSIGNMENTS).
        case skipped
        /// The suite timed out. No collector counts it; it neither counts as a skip nor resets skips in a row.
        case expired
        /// A general task the Toloker answered reached its overlap (MAJORITY_VOTE).
        ///
        /// `majoritySize` is how many Tolokers gave the most frequent answer (0 when two answers tie
        /// for most frequent: no majority); a MAJORITY_VOTE collector counts the task only when
        /// `majoritySize >= answer_threshold`. `agreed` says whether this Toloker gave that answer.
        case majorityResolved(task: Int32, agreed: Bool, majoritySize: Int32)
    }

    /// A submission at `time` of a suite issued `duration` seconds earlier.
    public static func submitted(time: Double, worker: Int32, duration: Double = .nan, control: AnswerOutcomes = AnswerOutcomes(), training: AnswerOutcomes = AnswerOutcomes()) -> AssignmentEvent {
        AssignmentEvent(time: time, worker: worker, .submitted(Submission(duration: duration, control: control, training: training)))
    }
}

/// What a submitted suite tells the collectors.
public struct Submission: Sendable, Equatable {
    /// Seconds from issue to submission; NaN when unknown (then the suite is never fast).
    public var duration: Double
    /// The suite's answers to control tasks, in page order.
    public var control: AnswerOutcomes
    /// The suite's answers to training tasks (these count only for GOLDEN_SET's non-`golden_set_*` keys).
    public var training: AnswerOutcomes

    /// A submission: `duration` seconds after issue (NaN: unknown), with its control and training answers.
    public init(duration: Double = .nan, control: AnswerOutcomes = AnswerOutcomes(), training: AnswerOutcomes = AnswerOutcomes()) {
        self.duration = duration
        self.control = control
        self.training = training
    }
}

/// Up to 64 right-or-wrong answers in order, packed in one word.
///
/// Partial credit (`correctness_weight`) is not modelled: an answer is right or wrong.
public struct AnswerOutcomes: Sendable, Equatable {
    /// How many answers.
    public private(set) var count: UInt8
    /// Bit `i` set: answer `i` was correct.
    private(set) var correctBits: UInt64

    /// No answers.
    public init() {
        count = 0
        correctBits = 0
    }

    /// The answers in order (at most 64; later ones are dropped).
    public init(_ correct: [Bool]) {
        self.init()
        for c in correct.prefix(64) { append(c) }
    }

    /// `total` answers of which `correct` were right, the right ones first (so when a window
    /// keeps only part of the suite, it keeps the wrong ones).
    public init(total: Int, correct: Int) {
        let n = max(0, min(total, 64))
        let c = max(0, min(correct, n))
        count = UInt8(n)
        correctBits = c == 64 ? ~0 : (UInt64(1) << UInt64(c)) &- 1
    }

    /// Adds one answer at the end.
    public mutating func append(_ correct: Bool) {
        guard count < 64 else { return }
        if correct { correctBits |= UInt64(1) << UInt64(count) }
        count += 1
    }

    /// Whether answer `i` was correct.
    public subscript(i: Int) -> Bool { correctBits >> UInt64(i) & 1 == 1 }

    /// How many were correct.
    public var correctCount: Int { (correctBits & (count == 64 ? ~0 : (UInt64(1) << UInt64(count)) &- 1)).nonzeroBitCount }
}
