import Foundation
import TallyCore

/// The built-in crowd: one-coin Tolokers, Poisson arrivals, sessions of several suites, log-normal suite times.
///
/// * Workers: ``Configuration/workers`` Tolokers split among ``Configuration/mix`` groups by share (largest
///   remainder), each with an accuracy drawn uniformly from its group's range; a group with no range is
///   spammers, who answer uniformly at random among the options.
/// * A one-coin Toloker answers the truth with probability `accuracy`, otherwise one of the other
///   options uniformly (Dawid & Skene's one-coin special case). Control and general tasks alike.
/// * No label model: a general task with no label from `--truth` gets one drawn uniformly among the
///   pool's answer options from a hash of its input values and the seed.
/// * Arrivals: a Poisson process of ``Configuration/arrivalsPerMinute``, each arrival a Toloker chosen
///   uniformly. After each submitted suite the Toloker asks for another with probability
///   ``Configuration/continueProbability``, after an exponential pause of mean ``Configuration/pauseSeconds``.
/// * Suite time: log-normal with median ``Configuration/medianSuiteSeconds`` × tasks ÷ 5 and log-sd
///   ``Configuration/suiteSecondsSigma``.
/// * Profiles: a share ``Configuration/nonEnglishShare`` speaks only `RU` (the rest `EN`), a share
///   ``Configuration/appShare`` uses `TOLOKA_APP` (the rest `BROWSER`).
///
/// `--crowd FILE` reads a ``Configuration`` as JSON with the snake_case keys below; every key is optional:
///
///     {"workers": 50, "seed": 7,
///      "mix": [{"kind": "good", "share": 0.5, "accuracy": [0.9, 0.99]},
///              {"kind": "medium", "share": 0.3, "accuracy": [0.7, 0.9]},
///              {"kind": "spammer", "share": 0.2}],
///      "arrivals_per_minute": 6, "continue_probability": 0.85, "pause_seconds": 5,
///      "median_suite_seconds": 20, "suite_seconds_sigma": 0.5, "non_english_share": 0.1, "app_share": 0.3}
public struct OneCoinCrowd: Crowd {
    /// The crowd's parameters.
    public struct Configuration: Sendable, Codable, Equatable {
        /// One group of Tolokers in ``mix`` (JSON: `{"kind": "good", "share": 0.5, "accuracy": [0.9, 0.99]}`).
        public struct Group: Sendable, Codable, Equatable {
            /// The group's name, shown as the Tolokers' ``CrowdWorker/kind``.
            public var kind: String
            /// Relative share of the Tolokers (the shares need not add up to 1).
            public var share: Double
            /// `[low, high]` accuracy range; nil for spammers.
            public var accuracy: [Double]?

            /// A group; `accuracy` nil makes its Tolokers spammers.
            public init(kind: String, share: Double, accuracy: [Double]?) {
                self.kind = kind
                self.share = share
                self.accuracy = accuracy
            }
        }

        /// `workers`: Tolokers in the crowd, 1…1000000 (default 50).
        public var workers = 50
        /// `mix`: the groups (default 50 % good 0.9–0.99, 30 % medium 0.7–0.9, 20 % spammers).
        public var mix: [Group] = [
            Group(kind: "good", share: 0.5, accuracy: [0.9, 0.99]),
            Group(kind: "medium", share: 0.3, accuracy: [0.7, 0.9]),
            Group(kind: "spammer", share: 0.2, accuracy: nil),
        ]
        /// `arrivals_per_minute`: mean arrivals of Tolokers looking for work per simulated minute, > 0 (default 6).
        public var arrivalsPerMinute = 6.0
        /// `continue_probability`: chance of asking for another suite after submitting one, 0…1 (default 0.85).
        public var continueProbability = 0.85
        /// `pause_seconds`: mean pause before the next suite, seconds, ≥ 0 (default 5).
        public var pauseSeconds = 5.0
        /// `median_suite_seconds`: median seconds of a 5-task suite, scaled by the suite's task count, > 0 (default 20).
        public var medianSuiteSeconds = 20.0
        /// `suite_seconds_sigma`: log-normal σ of suite times, ≥ 0 (default 0.5).
        public var suiteSecondsSigma = 0.5
        /// `non_english_share`: share of Tolokers whose only language is `RU` (default 0.1).
        public var nonEnglishShare = 0.1
        /// `app_share`: share of Tolokers using `TOLOKA_APP` (default 0.3).
        public var appShare = 0.3
        /// Seeds the workers' ids and accuracies; nil = the server's `--seed`.
        public var seed: UInt64?

        /// The defaults above.
        public init() {}

        enum CodingKeys: String, CodingKey {
            case workers, mix, seed
            case arrivalsPerMinute = "arrivals_per_minute"
            case continueProbability = "continue_probability"
            case pauseSeconds = "pause_seconds"
            case medianSuiteSeconds = "median_suite_seconds"
            case suiteSecondsSigma = "suite_seconds_sigma"
            case nonEnglishShare = "non_english_share"
            case appShare = "app_share"
        }

        /// Reads the snake_case JSON keys; a missing key keeps its default.
        public init(from decoder: any Decoder) throws {
            let d = Configuration()
            let c = try decoder.container(keyedBy: CodingKeys.self)
            workers = try c.decodeIfPresent(Int.self, forKey: .workers) ?? d.workers
            mix = try c.decodeIfPresent([Group].self, forKey: .mix) ?? d.mix
            seed = try c.decodeIfPresent(UInt64.self, forKey: .seed)
            arrivalsPerMinute = try c.decodeIfPresent(Double.self, forKey: .arrivalsPerMinute) ?? d.arrivalsPerMinute
            continueProbability = try c.decodeIfPresent(Double.self, forKey: .continueProbability) ?? d.continueProbability
            pauseSeconds = try c.decodeIfPresent(Double.self, forKey: .pauseSeconds) ?? d.pauseSeconds
            medianSuiteSeconds = try c.decodeIfPresent(Double.self, forKey: .medianSuiteSeconds) ?? d.medianSuiteSeconds
            suiteSecondsSigma = try c.decodeIfPresent(Double.self, forKey: .suiteSecondsSigma) ?? d.suiteSecondsSigma
            nonEnglishShare = try c.decodeIfPresent(Double.self, forKey: .nonEnglishShare) ?? d.nonEnglishShare
            appShare = try c.decodeIfPresent(Double.self, forKey: .appShare) ?? d.appShare
        }

        /// Checks the values; returns a message naming the bad field, or nil.
        func problem() -> String? {
            if workers < 1 || workers > 1_000_000 { return "workers: expected 1…1000000, got \(workers)" }
            if mix.isEmpty { return "mix: expected at least one group" }
            for (i, g) in mix.enumerated() {
                if !(g.share >= 0) { return "mix[\(i)].share: expected a number ≥ 0" }
                if let a = g.accuracy, a.count != 2 || !(0...1).contains(a[0]) || !(0...1).contains(a[1]) || a[0] > a[1] {
                    return "mix[\(i)].accuracy: expected [low, high] within 0…1"
                }
            }
            if mix.reduce(0, { $0 + $1.share }) <= 0 { return "mix: the shares add up to 0" }
            if !(arrivalsPerMinute > 0) { return "arrivals_per_minute: expected a number > 0" }
            if !(0...1).contains(continueProbability) { return "continue_probability: expected 0…1" }
            if !(pauseSeconds >= 0) || !(medianSuiteSeconds > 0) || !(suiteSecondsSigma >= 0) { return "pause_seconds, median_suite_seconds, suite_seconds_sigma: expected positive numbers" }
            return nil
        }
    }

    /// The settings the crowd was built from.
    public let configuration: Configuration
    /// Every Toloker, in a shuffled order.
    public let workers: [CrowdWorker]
    private var rng: SplitMix64

    /// Builds the crowd; the same configuration and seed give the same workers.
    ///
    /// - Throws: ``EmulatorConfigurationError`` naming the bad field (`crowd: workers: expected 1…1000000, got 0`).
    public init(_ configuration: Configuration = Configuration(), seed: UInt64) throws(EmulatorConfigurationError) {
        if let p = configuration.problem() { throw EmulatorConfigurationError("crowd: \(p)") }
        self.configuration = configuration
        var g = SplitMix64(seed: mixSeed(configuration.seed ?? seed, 0xC0FFEE))
        // Largest-remainder split of the workers among the groups.
        let total = configuration.mix.reduce(0) { $0 + $1.share }
        let exact = configuration.mix.map { $0.share / total * Double(configuration.workers) }
        var counts = exact.map { Int($0) }
        let order = exact.indices.sorted { exact[$0] - Double(counts[$0]) > exact[$1] - Double(counts[$1]) }
        for i in order.prefix(configuration.workers - counts.reduce(0, +)) { counts[i] += 1 }
        var workers: [CrowdWorker] = []
        for (group, n) in zip(configuration.mix, counts) {
            for _ in 0..<n {
                let accuracy = group.accuracy.map { $0[0] + ($0[1] - $0[0]) * g.unit() }
                let languages = g.unit() < configuration.nonEnglishShare ? ["RU"] : ["EN"]
                let client = g.unit() < configuration.appShare ? "TOLOKA_APP" : "BROWSER"
                workers.append(CrowdWorker(id: g.hex(32), kind: group.kind, accuracy: accuracy, languages: languages, clientType: client))
            }
        }
        workers.shuffle(using: &g)
        self.workers = workers
        rng = SplitMix64(seed: g.next())
    }

    /// The same Tolokers with the random stream re-seeded.
    public func forPool(seed: UInt64) -> any Crowd {
        var copy = self
        copy.rng = SplitMix64(seed: seed)
        return copy
    }

    /// An exponential wait of mean 60 ÷ ``Configuration/arrivalsPerMinute`` seconds, then a Toloker drawn uniformly.
    public mutating func nextArrival(after time: Double) -> (time: Double, worker: Int) {
        let t = time + rng.exponential(mean: 60 / configuration.arrivalsPerMinute)
        return (t, Int(rng.next() % UInt64(workers.count)))
    }

    /// Log-normal seconds with median ``Configuration/medianSuiteSeconds`` × `tasks` ÷ 5.
    public mutating func suiteDuration(worker: Int, tasks: Int) -> Double {
        rng.logNormal(median: configuration.medianSuiteSeconds * Double(max(tasks, 1)) / 5, sigma: configuration.suiteSecondsSigma)
    }

    /// The truth with probability of the Toloker's accuracy, else another option uniformly; a spammer answers uniformly.
    public mutating func answer(worker: Int, task: CrowdTask, options: [String]) -> String {
        let truth = task.truth
        let others = options.filter { $0 != truth }
        guard let accuracy = workers[worker].accuracy else {
            let all = options.contains(truth) ? options : options + [truth]
            return all[Int(rng.next() % UInt64(all.count))]
        }
        if rng.unit() < accuracy || others.isEmpty { return truth }
        return others[Int(rng.next() % UInt64(others.count))]
    }

    /// With probability ``Configuration/continueProbability`` an exponential pause of mean ``Configuration/pauseSeconds``, else nil.
    public mutating func pauseBeforeNextSuite(worker: Int) -> Double? {
        rng.unit() < configuration.continueProbability ? rng.exponential(mean: configuration.pauseSeconds) : nil
    }
}

/// A bad emulator setting (crowd file, truth file, rate limit), with a message a person can act on.
public struct EmulatorConfigurationError: Error, Sendable, CustomStringConvertible {
    /// What is wrong and where (`--crowd crowd.json: unknown key "worker"; …`).
    public let message: String
    /// An error with this message (the emulator's configuration readers and `tally emulator` throw it).
    package init(_ message: String) { self.message = message }
    /// The message.
    public var description: String { message }
}
