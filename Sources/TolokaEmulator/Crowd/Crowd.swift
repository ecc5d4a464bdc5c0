import TallyCore

/// The simulated Tolokers behind an emulated pool: who comes looking for work, when, how long a
/// suite takes them, what they answer, and (optionally) what the real tasks' true labels are.
///
/// A pool's simulation owns one copy of the crowd (``forPool(seed:)``) and asks it, in simulated
/// time order, for the next arrival of a Toloker looking for a task suite; once it has issued a suite
/// to that Toloker, for the time the suite takes and for each answer, given the task (``CrowdTask``:
/// its stable key, whether it is a control task, its hidden true label). The emulator decides what a
/// Toloker may get (mixer, overlap, filter, quality-control restrictions); the crowd decides only
/// behaviour. When a general task is uploaded with no label from `--truth`, the emulator asks the
/// crowd's label model (``trueLabel(forTask:options:)``) for its hidden truth. The built-in crowd is
/// ``OneCoinCrowd``; a `TallySimulation` scenario plugs in as ``ScenarioCrowd``.
public protocol Crowd: Sendable {
    /// Every Toloker of the crowd; the simulation refers to them by index.
    var workers: [CrowdWorker] { get }

    /// The same crowd with its random stream re-seeded, for one pool.
    func forPool(seed: UInt64) -> any Crowd

    /// The next moment after `time` at which some Toloker looks for work, and who.
    mutating func nextArrival(after time: Double) -> (time: Double, worker: Int)

    /// Seconds `worker` spends on a suite of `tasks` tasks.
    mutating func suiteDuration(worker: Int, tasks: Int) -> Double

    /// The answer `worker` gives to `task`, among the pool's answer `options` (which hold the task's truth).
    mutating func answer(worker: Int, task: CrowdTask, options: [String]) -> String

    /// After submitting, the pause before `worker` asks for another suite, or nil when the Toloker leaves.
    mutating func pauseBeforeNextSuite(worker: Int) -> Double?

    /// The crowd's label model: the hidden true label of a general task that has none from `--truth`,
    /// a function of the task's ``CrowdTask/key`` (so neither upload order nor a restart changes it),
    /// among the pool's answer `options` so far (possibly none yet). nil: the crowd has no label model,
    /// and the emulator draws the label uniformly among the options from the key and `--seed`.
    /// The default implementation returns nil.
    func trueLabel(forTask key: UInt64, options: [String]) -> String?

    /// A line for the log when the crowd's own labels and a pool's answer `options` differ, saying how
    /// they are matched; nil when there is nothing to say. The default implementation returns nil.
    func labelNote(options: [String]) -> String?
}

extension Crowd {
    /// No label model: returns nil.
    public func trueLabel(forTask key: UInt64, options: [String]) -> String? { nil }
    /// Nothing to say: returns nil.
    public func labelNote(options: [String]) -> String? { nil }
}

/// A task as a Toloker answering it sees it.
public struct CrowdTask: Sendable, Hashable {
    /// The task's identity: ``key(inputs:)`` of its `input_values`. The same inputs give the same key in
    /// every pool, in any upload order and after a restart (colluding Tolokers and task difficulty use it).
    public var key: UInt64
    /// A control (golden) task: one uploaded with `known_solutions`.
    public var isControl: Bool
    /// The hidden true label: a control task's first known solution; for a general task the `--truth`
    /// file's label, else the crowd's label model, else a uniform draw.
    public var truth: String

    /// A task as the crowd sees it.
    public init(key: UInt64, isControl: Bool, truth: String) {
        self.key = key
        self.isControl = isControl
        self.truth = truth
    }

    /// The key of a task with these input values: FNV-1a of their JSON text (keys sorted).
    public static func key(inputs: [String: JSONValue]) -> UInt64 {
        stableHash(JSONValue.object(inputs).serialized(numbers: .python))
    }
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

    /// A Toloker with this id, kind, accuracy and profile.
    public init(id: String, kind: String, accuracy: Double?, languages: [String], clientType: String) {
        self.id = id
        self.kind = kind
        self.accuracy = accuracy
        self.languages = languages
        self.clientType = clientType
    }
}
