/// The simulated Tolokers behind an emulated pool: who comes looking for work, when, how long a
/// suite takes them, and what they answer.
///
/// A pool's simulation owns one copy of the crowd (``forPool(seed:)``) and asks it, in simulated
/// time order, for the next arrival of a Toloker looking for a task suite; once it has issued a suite
/// to that Toloker, for the time the suite takes and for each answer, given the task's hidden true
/// label. The emulator decides what a Toloker may get (mixer, overlap, filter, quality-control
/// restrictions); the crowd decides only behaviour. The built-in crowd is ``OneCoinCrowd``; other
/// crowds (e.g. a `TallySimulation` scenario) plug in by conforming to this protocol.
public protocol Crowd: Sendable {
    /// Every Toloker of the crowd; the simulation refers to them by index.
    var workers: [CrowdWorker] { get }

    /// The same crowd with its random stream re-seeded, for one pool.
    func forPool(seed: UInt64) -> any Crowd

    /// The next moment after `time` at which some Toloker looks for work, and who.
    mutating func nextArrival(after time: Double) -> (time: Double, worker: Int)

    /// Seconds `worker` spends on a suite of `tasks` tasks.
    mutating func suiteDuration(worker: Int, tasks: Int) -> Double

    /// The answer `worker` gives to a task whose true label is `truth`, among `options`.
    mutating func answer(worker: Int, truth: String, options: [String]) -> String

    /// After submitting, the pause before `worker` asks for another suite, or nil when the Toloker leaves.
    mutating func pauseBeforeNextSuite(worker: Int) -> Double?
}

/// One simulated Toloker.
public struct CrowdWorker: Sendable, Equatable {
    /// The Toloker's id as the API shows it (`user_id`): 32 hex digits.
    public var id: String
    /// What kind of worker this is (e.g. `good`, `spammer`), for reports.
    public var kind: String
    /// Probability of giving the true label, or nil for a spammer answering at random.
    public var accuracy: Double?
    /// Profile languages (ISO 639-1, upper case) for `languages` filters.
    public var languages: [String]
    /// `BROWSER` or `TOLOKA_APP`, for `client_type` filters.
    public var clientType: String

    public init(id: String, kind: String, accuracy: Double?, languages: [String], clientType: String) {
        self.id = id
        self.kind = kind
        self.accuracy = accuracy
        self.languages = languages
        self.clientType = clientType
    }

    /// The chance this Toloker's answer equals the truth among `k` options.
    public func expectedAccuracy(options k: Int) -> Double {
        accuracy ?? 1 / Double(max(k, 1))
    }
}
